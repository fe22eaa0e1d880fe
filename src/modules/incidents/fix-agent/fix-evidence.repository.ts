import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { StoredFinding } from '../entities/analysis.entity';
import { FIX_EVENT_PAYLOAD_CHARS, FIX_EVIDENCE_EVENTS } from './fix-agent.constants';
import type { FixContext } from './model-planner';

interface SampleRow {
  session_id: string;
  agent_version: string | null;
  findings: StoredFinding[] | null;
}

interface EventRow {
  session_id: string;
  seq: string;
  type: string;
  payload: Record<string, unknown>;
}

/**
 * What the sample sessions of an incident showed, for the fix agent's prompt: each session's
 * finding of the incident (summary, critical step) and the events it names as evidence, the
 * critical step first, payloads cut short. Reads the analyses and the event log; writes nothing.
 */
@Injectable()
export class FixEvidenceRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Up to `limit` of the incident's sample sessions of this agent (newest first), with their evidence. */
  async forIncident(
    workspaceId: string,
    incident: { id: string; detector: string; signature: string; sampleSessionIds: string[] },
    agentName: string,
    limit: number,
  ): Promise<FixContext['evidence']> {
    const sessionIds = incident.sampleSessionIds;
    if (sessionIds.length === 0) return [];
    const samples: SampleRow[] = await this.dataSource.query(
      `SELECT s.id AS session_id, s.agent_version, a.findings
         FROM sessions s JOIN analyses a ON a.session_id = s.id AND a.workspace_id = s.workspace_id
        WHERE s.workspace_id = $1 AND s.id = ANY($2::uuid[]) AND s.agent_name = $3`,
      [workspaceId, sessionIds, agentName],
    );
    const order = new Map(sessionIds.map((id, i) => [id, i]));
    samples.sort((a, b) => (order.get(a.session_id) ?? 0) - (order.get(b.session_id) ?? 0));

    const picked = samples
      .flatMap((row) => {
        const finding = (row.findings ?? []).find(
          (f) =>
            f.incident_id === incident.id || (f.detector === incident.detector && f.signature === incident.signature),
        );
        if (!finding) return [];
        const seqs = [finding.critical_step, ...finding.evidence.filter((s) => s !== finding.critical_step)].slice(
          0,
          FIX_EVIDENCE_EVENTS,
        );
        return [{ row, finding, seqs }];
      })
      .slice(0, limit);
    const events = await this.events(
      workspaceId,
      picked.map((p) => ({ sessionId: p.row.session_id, seqs: p.seqs })),
    );
    return picked.map(({ row, finding, seqs }) => ({
      session_id: row.session_id,
      agent_version: row.agent_version,
      summary: finding.summary,
      critical_step: finding.critical_step,
      events: seqs
        .map((seq) => events.get(`${row.session_id}:${seq}`))
        .filter((e): e is EventRow => e !== undefined)
        .map((e) => ({ seq: Number(e.seq), type: e.type, payload: clip(JSON.stringify(e.payload)) })),
    }));
  }

  /** The agent events (sub_seq 0) at these seqs, keyed `<session>:<seq>`. */
  private async events(
    workspaceId: string,
    wanted: { sessionId: string; seqs: number[] }[],
  ): Promise<Map<string, EventRow>> {
    const pairs = wanted.flatMap((w) => w.seqs.map((seq) => ({ session: w.sessionId, seq })));
    if (pairs.length === 0) return new Map();
    const rows: EventRow[] = await this.dataSource.query(
      `SELECT e.session_id, e.seq, e.type, e.payload
         FROM events e
         JOIN unnest($2::uuid[], $3::bigint[]) AS w(session_id, seq) ON w.session_id = e.session_id AND w.seq = e.seq
        WHERE e.workspace_id = $1 AND e.sub_seq = 0`,
      [workspaceId, pairs.map((p) => p.session), pairs.map((p) => p.seq)],
    );
    return new Map(rows.map((r) => [`${r.session_id}:${r.seq}`, r]));
  }
}

function clip(text: string): string {
  return text.length > FIX_EVENT_PAYLOAD_CHARS ? `${text.slice(0, FIX_EVENT_PAYLOAD_CHARS)}…` : text;
}
