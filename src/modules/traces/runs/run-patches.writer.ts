import { Injectable, Logger } from '@nestjs/common';
import type { Principal } from 'src/modules/auth/principal';
import type { RunAttachmentRef } from './entities/run.entity';
import { feedbackSessionEvent } from './run-events';
import { RunFeedbackRepository } from './run-feedback.repository';
import { mergeRuns, NormalizedRun, sanitizeRun } from './run-input.normalizer';
import { isDataError, Op, Outcome, storedSource } from './run-ingest.outcome';
import { RunsRepository, WrittenRun } from './runs.repository';
import type { RunEventInput, RunSource } from './runs.types';

/**
 * The update side of run ingestion: patches of stored runs, and patches (and feedback) that
 * arrived before their run, kept until it does. Whichever side writes last applies what waited,
 * so a patch is never stranded by a race with its post (see RunsIngestService).
 */
@Injectable()
export class RunPatchesWriter {
  private readonly logger = new Logger(RunPatchesWriter.name);

  constructor(
    private readonly repository: RunsRepository,
    private readonly feedback: RunFeedbackRepository,
  ) {}

  /** Updates stored runs; keeps the patches of runs not stored yet (and applies them at once if the run just arrived). */
  async write(principal: Principal, source: RunSource, ops: Op[], outcome: Outcome): Promise<void> {
    const waiting: Op[] = [];
    let todo = ops;
    // A second pass for runs committed by a concurrent request after the update looked for them.
    for (let attempt = 0; todo.length > 0 && attempt < 2; attempt++) {
      const written = await this.writePatchesIsolating(principal, todo, outcome);
      const byId = new Map(todo.map((op) => [op.run.id, op]));
      for (const w of written) {
        outcome.updated++;
        outcome.logged(w, storedSource(w), false, byId.get(w.id)!.extra);
        byId.delete(w.id);
      }
      const missing = [...byId.values()].filter((op) => !outcome.errors.some((e) => e.run_id === op.run.id));
      const stored = new Map((await this.repository.findRuns(missing.map((op) => op.run.id))).map((r) => [r.id, r]));
      todo = [];
      for (const op of missing) {
        const run = stored.get(op.run.id);
        if (!run) waiting.push(op);
        else if (run.workspace_id !== principal.workspaceId) {
          outcome.refuse(op.run.id, 'not_found', `patch refused: run ${op.run.id} was not found`);
        } else if (principal.projectId && run.project_id !== principal.projectId) {
          outcome.refuse(
            op.run.id,
            'forbidden',
            `patch refused: run ${op.run.id} is in project ${run.project_id}, and this API key is pinned to project ${principal.projectId}`,
          );
        } else {
          todo.push(op);
        }
      }
    }
    waiting.push(...todo);
    if (waiting.length === 0) return;
    await this.repository.insertPendingPatches(
      principal.workspaceId,
      principal.projectId,
      source,
      waiting.map((op) => ({ runId: op.run.id, patch: op.run, extraEvents: op.extra, attachments: op.attachments })),
    );
    // The post may have been written meanwhile, without seeing this patch: check after the write.
    const arrived = (await this.repository.findRuns(waiting.map((op) => op.run.id)))
      .filter((r) => r.workspace_id === principal.workspaceId)
      .map((r) => r.id);
    const applied = arrived.length > 0 ? await this.applyPending(principal.workspaceId, arrived, outcome) : new Set();
    for (const op of waiting) {
      if (applied.has(op.run.id)) continue;
      this.logger.log({ runId: op.run.id }, 'patch kept until its run arrives');
      outcome.refuse(
        op.run.id,
        'pending',
        `run ${op.run.id} not found yet; the update is kept and applied when the run arrives`,
      );
    }
  }

  private async writePatchesIsolating(principal: Principal, ops: Op[], outcome: Outcome): Promise<WrittenRun[]> {
    const write = () =>
      this.repository.writePatches(
        principal.workspaceId,
        principal.projectId,
        ops.map((op) => ({ run: op.run, attachments: op.attachments })),
      );
    try {
      return await write();
    } catch (error) {
      if (!isDataError(error)) throw error;
      if (ops.length > 1) {
        const half = Math.ceil(ops.length / 2);
        return [
          ...(await this.writePatchesIsolating(principal, ops.slice(0, half), outcome)),
          ...(await this.writePatchesIsolating(principal, ops.slice(half), outcome)),
        ];
      }
      let failure: unknown = error;
      if (sanitizeRun(ops[0].run)) {
        try {
          return await write();
        } catch (retryError) {
          if (!isDataError(retryError)) throw retryError;
          failure = retryError;
        }
      }
      const reason = failure instanceof Error ? failure.message : String(failure);
      outcome.refuse(ops[0].run.id, 'invalid', `patch refused: a value cannot be stored (${reason})`);
      return [];
    }
  }

  /**
   * Applies what waited for these (now stored) runs: patches in arrival order, then feedback.
   * Taking them deletes them in the same transaction, so concurrent callers apply each once.
   * Returns the runs a patch was applied to.
   */
  async applyPending(workspaceId: string, runIds: string[], outcome: Outcome): Promise<Set<string>> {
    const { written, extras, feedback } = await this.repository.transaction(async (manager) => {
      const taken = await this.repository.takePendingPatches(manager, workspaceId, runIds);
      const attached = await this.feedback.attachPending(manager, workspaceId, runIds);
      if (taken.length === 0) return { written: [], extras: new Map<string, RunEventInput[]>(), feedback: attached };
      const stored = new Map(
        (await this.repository.lockRuns(manager, workspaceId, [...new Set(taken.map((p) => p.run_id))])).map((r) => [
          r.id,
          r,
        ]),
      );
      const merged = new Map<string, { run: NormalizedRun; attachments?: Record<string, RunAttachmentRef> }>();
      const extraEvents = new Map<string, RunEventInput[]>();
      for (const pending of taken) {
        const run = stored.get(pending.run_id);
        if (!run || (pending.pinned_project_id && pending.pinned_project_id !== run.project_id)) {
          this.logger.warn({ runId: pending.run_id }, 'pending patch dropped: its key may not write to the run');
          continue;
        }
        const current = merged.get(pending.run_id);
        merged.set(pending.run_id, {
          run: current ? mergeRuns(current.run, pending.patch) : pending.patch,
          attachments: pending.attachments ? { ...current?.attachments, ...pending.attachments } : current?.attachments,
        });
        extraEvents.set(pending.run_id, [...(extraEvents.get(pending.run_id) ?? []), ...(pending.extra_events ?? [])]);
      }
      const rows = await this.repository.writePatches(workspaceId, null, [...merged.values()], manager);
      return { written: rows, extras: extraEvents, feedback: attached };
    });
    for (const w of written) {
      outcome.updated++;
      outcome.logged(w, storedSource(w), false, extras.get(w.id) ?? []);
    }
    for (const f of feedback) {
      outcome.events.add({ sessionId: f.session_id!, workspaceId, projectId: f.project_id! }, [
        feedbackSessionEvent(f),
      ]);
    }
    return new Set(written.map((w) => w.id));
  }
}
