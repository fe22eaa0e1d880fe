import { Injectable, Logger } from '@nestjs/common';
import type { Principal } from 'src/modules/auth/principal';
import type { RunAttachmentRef } from './entities/run.entity';
import { RunEventsAppender, SessionEventBatches } from './run-events.appender';
import { checkComplete, mergeRuns, normalizeRun, sanitizeRun } from './run-input.normalizer';
import { RunPatchesWriter } from './run-patches.writer';
import { isDataError, Op, Outcome, SQLSTATE, sentSource, storedSource } from './run-ingest.outcome';
import { projectRefKey, RunProjectResolver } from './run-project.resolver';
import { PostRow, PostWriteResult, RunsRepository } from './runs.repository';
import type { RunBatchInput, RunExtraEvents, RunIngestResult, RunSource } from './runs.types';

/** What the LangSmith multipart route adds: attachments already in object storage, by run id. */
export interface RunIngestOptions {
  attachments?: Map<string, Record<string, RunAttachmentRef>>;
}

/**
 * Run ingestion shared by the LangSmith-compatible API and OTLP (see `runs.types.ts` for the
 * contract). A batch costs a handful of set-based statements: the posts (sessions and runs in one
 * statement), the patches (one statement), then, side by side, the check for updates waiting for
 * the new runs and one append per session, group-committed with every other append in flight.
 *
 * Updates that arrive before their run: the patch side keeps the patch, then looks for the run;
 * the post side writes the run, then looks for kept patches. Each looks only after its own write
 * has committed, so whichever looks last sees the other: no patch is stranded by a race.
 */
@Injectable()
export class RunsIngestService {
  private readonly logger = new Logger(RunsIngestService.name);

  constructor(
    private readonly repository: RunsRepository,
    private readonly projects: RunProjectResolver,
    private readonly appender: RunEventsAppender,
    private readonly patches: RunPatchesWriter,
  ) {}

  async ingest(
    principal: Principal,
    batch: RunBatchInput,
    source: RunSource,
    extraEvents?: RunExtraEvents,
    options: RunIngestOptions = {},
  ): Promise<RunIngestResult> {
    try {
      return await this.ingestOnce(principal, batch, source, extraEvents, options);
    } catch (error) {
      // 23503: a project was deleted while cached here. Everything is idempotent: run it again.
      if (SQLSTATE(error) !== '23503') throw error;
      this.projects.forget(principal.workspaceId);
      return this.ingestOnce(principal, batch, source, extraEvents, options);
    }
  }

  private async ingestOnce(
    principal: Principal,
    batch: RunBatchInput,
    source: RunSource,
    extraEvents: RunExtraEvents | undefined,
    options: RunIngestOptions,
  ): Promise<RunIngestResult> {
    const outcome = new Outcome(principal.workspaceId);
    const { posts, patches } = this.collect(batch, extraEvents, options.attachments, outcome);
    await this.resolveTraces(principal.workspaceId, posts, outcome);
    const rows = await this.resolveProjects(principal, posts, outcome);
    const [posted] = await Promise.all([
      this.writePosts(principal, source, rows, posts, outcome),
      this.patches.write(principal, source, [...patches.values()], outcome),
    ]);
    // The runs are committed: look for what waits for them while their events are appended.
    const logged = outcome.events;
    outcome.events = new SessionEventBatches();
    const [waiting, appendErrors] = await Promise.all([
      this.repository.waitingFor(principal.workspaceId, posted),
      this.appender.append(logged.bySession),
    ]);
    outcome.errors.push(...appendErrors);
    if (waiting.length > 0) {
      await this.patches.applyPending(principal.workspaceId, waiting, outcome);
      outcome.errors.push(...(await this.appender.append(outcome.events.bySession)));
    }
    return {
      success: outcome.errors.length === 0,
      created_count: outcome.created,
      updated_count: outcome.updated,
      errors: outcome.errors,
    };
  }

  /**
   * Validates every operation; merges re-sent posts, and patches into the post of the same run.
   * Typed events and attachments join their run's operation.
   */
  private collect(
    batch: RunBatchInput,
    extraEvents: RunExtraEvents | undefined,
    attachments: Map<string, Record<string, RunAttachmentRef>> | undefined,
    outcome: Outcome,
  ) {
    const posts = new Map<string, Op>();
    const patches = new Map<string, Op>();
    const refused = new Set<string>();
    for (const raw of batch.post ?? []) {
      const n = normalizeRun(raw, 'post');
      if (!n.ok) {
        outcome.refuse(n.runId, 'invalid', `post refused: ${n.reason}`);
        if (n.runId) refused.add(n.runId);
        continue;
      }
      const op = posts.get(n.run.id);
      posts.set(n.run.id, { run: op ? mergeRuns(op.run, n.run) : n.run, extra: [] });
    }
    for (const raw of batch.patch ?? []) {
      const n = normalizeRun(raw, 'patch');
      if (!n.ok) {
        outcome.refuse(n.runId, 'invalid', `patch refused: ${n.reason}`);
        continue;
      }
      if (refused.has(n.run.id)) {
        outcome.refuse(n.run.id, 'invalid', 'patch refused: the post of this run in the same batch was refused');
        continue;
      }
      const target = posts.get(n.run.id) ?? patches.get(n.run.id);
      if (target) target.run = mergeRuns(target.run, n.run);
      else patches.set(n.run.id, { run: n.run, extra: [] });
    }
    for (const [id, op] of posts) {
      const reason = checkComplete(op.run);
      if (reason) {
        outcome.refuse(id, 'invalid', `post refused: ${reason}`);
        posts.delete(id);
        refused.add(id);
      }
    }
    for (const [runId, events] of extraEvents ?? []) {
      const op = posts.get(runId) ?? patches.get(runId);
      if (op) op.extra.push(...events);
      else if (!refused.has(runId)) outcome.refuse(runId, 'invalid', 'events refused: the run is not in this batch');
    }
    for (const [runId, files] of attachments ?? []) {
      if (refused.has(runId)) continue;
      const op = posts.get(runId) ?? patches.get(runId);
      if (op) op.attachments = { ...op.attachments, ...files };
      else patches.set(runId, { run: { id: runId }, extra: [], attachments: files });
    }
    return { posts, patches };
  }

  /** A post without trace_id is in its parent's trace (from the batch or the store), or starts its own. */
  private async resolveTraces(workspaceId: string, posts: Map<string, Op>, outcome: Outcome): Promise<void> {
    const unresolved = () => [...posts.values()].filter((op) => !op.run.traceId);
    const propagate = () => {
      for (let progress = true; progress;) {
        progress = false;
        for (const op of unresolved()) {
          const parent = op.run.parentRunId;
          const traceId = !parent ? op.run.id : posts.get(parent)?.run.traceId;
          if (traceId) {
            op.run.traceId = traceId;
            progress = true;
          }
        }
      }
    };
    propagate();
    const waiting = unresolved().filter((op) => !posts.has(op.run.parentRunId!));
    if (waiting.length > 0) {
      const stored = await this.repository.traceIdsOf(workspaceId, [
        ...new Set(waiting.map((op) => op.run.parentRunId!)),
      ]);
      for (const op of waiting) op.run.traceId = stored.get(op.run.parentRunId!);
      propagate();
    }
    for (const op of unresolved()) {
      outcome.refuse(
        op.run.id,
        'invalid',
        `post refused: trace_id is missing and the parent run ${op.run.parentRunId} is not stored: send trace_id`,
      );
      posts.delete(op.run.id);
    }
  }

  /** The project each post's session would be created in (only new traces use it). */
  private async resolveProjects(principal: Principal, posts: Map<string, Op>, outcome: Outcome): Promise<PostRow[]> {
    const refs = [...posts.values()].map((op) => ({ projectId: op.run.projectId, name: op.run.sessionName }));
    const targets = await this.projects.resolve(principal, refs);
    const rows: PostRow[] = [];
    for (const op of posts.values()) {
      const target = targets.get(projectRefKey({ projectId: op.run.projectId, name: op.run.sessionName }))!;
      if (!target.ok) {
        outcome.refuse(op.run.id, target.code, `post refused: ${target.reason}`);
        continue;
      }
      if (!op.run.traceId) continue; // refused by resolveTraces
      rows.push({ run: op.run as PostRow['run'], projectId: target.projectId, attachments: op.attachments });
    }
    return rows;
  }

  /**
   * Writes the posts; returns the ids of the runs written. A run whose trace's session a
   * concurrent request was creating (invisible to the statement) is written again.
   */
  private async writePosts(
    principal: Principal,
    source: RunSource,
    rows: PostRow[],
    posts: Map<string, Op>,
    outcome: Outcome,
  ): Promise<string[]> {
    const stored = new Set<string>();
    const renames: { id: string; agentName: string }[] = [];
    let todo = rows;
    for (let attempt = 0; todo.length > 0 && attempt < 3; attempt++) {
      const result = await this.writePostsIsolating(principal, source, todo, outcome);
      const sessions = new Map(result.sessions.map((s) => [s.id, s]));
      const written = new Map(result.runs.map((w) => [w.id, w]));
      const retry: PostRow[] = [];
      for (const row of todo) {
        const { run } = row;
        const w = written.get(run.id);
        const session = sessions.get(run.traceId);
        if (w) {
          stored.add(w.id);
          const op = posts.get(run.id)!;
          if (w.inserted) outcome.created++;
          else outcome.updated++;
          outcome.logged(w, w.inserted ? sentSource(w, run) : storedSource(w), true, op.extra);
          const isRoot = !run.parentRunId;
          if (isRoot && session && !session.created && session.agent_name !== run.name) {
            if (session.source === 'langsmith' || session.source === 'otlp') {
              renames.push({ id: session.id, agentName: run.name! });
            }
          }
        } else if (!session) {
          if (!result.failed.has(run.id)) retry.push(row);
        } else if (session.workspace_id !== principal.workspaceId) {
          outcome.refuse(run.id, 'conflict', `post refused: trace_id ${run.traceId} cannot be used`);
        } else if (principal.projectId && session.project_id !== principal.projectId) {
          outcome.refuse(
            run.id,
            'forbidden',
            `post refused: trace ${run.traceId} is in project ${session.project_id}, and this API key is pinned to project ${principal.projectId}`,
          );
        } else {
          outcome.refuse(run.id, 'conflict', `post refused: run id ${run.id} is already used by another run`);
        }
      }
      todo = retry;
    }
    for (const row of todo) {
      outcome.refuse(row.run.id, 'conflict', 'post refused: the trace session could not be created; send it again');
    }
    await this.repository.renameSessions(principal.workspaceId, renames);
    return [...stored];
  }

  /**
   * One statement for the posts; when one row's data fails it (a value PostgreSQL refuses), the
   * rows are written in halves until the culprit stands alone. It gets one more try with NUL
   * characters and lone surrogates replaced, else it is refused with PostgreSQL's reason.
   */
  private async writePostsIsolating(
    principal: Principal,
    source: RunSource,
    rows: PostRow[],
    outcome: Outcome,
  ): Promise<PostWriteResult & { failed: Set<string> }> {
    const write = () => this.repository.writePosts(principal.workspaceId, principal.projectId, source, rows);
    try {
      return { ...(await write()), failed: new Set() };
    } catch (error) {
      if (!isDataError(error)) throw error;
      if (rows.length > 1) {
        const half = Math.ceil(rows.length / 2);
        const [a, b] = [
          await this.writePostsIsolating(principal, source, rows.slice(0, half), outcome),
          await this.writePostsIsolating(principal, source, rows.slice(half), outcome),
        ];
        return {
          runs: [...a.runs, ...b.runs],
          sessions: [...a.sessions, ...b.sessions],
          failed: new Set([...a.failed, ...b.failed]),
        };
      }
      const [row] = rows;
      let failure: unknown = error;
      if (sanitizeRun(row.run)) {
        try {
          return { ...(await write()), failed: new Set() };
        } catch (retryError) {
          if (!isDataError(retryError)) throw retryError;
          failure = retryError;
        }
      }
      const reason = failure instanceof Error ? failure.message : String(failure);
      outcome.refuse(row.run.id, 'invalid', `post refused: a value cannot be stored (${reason})`);
      return { runs: [], sessions: [], failed: new Set([row.run.id]) };
    }
  }
}
