import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { AnalysisEntity, StoredFinding } from '../entities/analysis.entity';

export type AnalysisRow = Pick<
  AnalysisEntity,
  | 'workspaceId'
  | 'projectId'
  | 'sessionId'
  | 'source'
  | 'detectorVersion'
  | 'digest'
  | 'labels'
  | 'findings'
  | 'criticalStep'
  | 'thresholds'
  | 'eventCount'
  | 'lastSeq'
  | 'truncated'
>;

@Injectable()
export class AnalysisRepository {
  constructor(@InjectRepository(AnalysisEntity) private readonly analyses: Repository<AnalysisEntity>) {}

  getBySession(workspaceId: string, sessionId: string, manager?: EntityManager): Promise<AnalysisEntity | null> {
    return (manager?.getRepository(AnalysisEntity) ?? this.analyses).findOneBy({ workspaceId, sessionId });
  }

  /** Which of these sessions of the workspace have been analysed (late events re-analyse them). */
  async listAnalysedSessionIds(workspaceId: string, sessionIds: string[]): Promise<string[]> {
    if (sessionIds.length === 0) return [];
    const rows = await this.analyses.find({
      select: { sessionId: true },
      where: { workspaceId, sessionId: In(sessionIds) },
    });
    return rows.map((r) => r.sessionId);
  }

  /**
   * Stores the session's analysis, replacing the previous one. Its row stays locked until the
   * transaction ends (ON CONFLICT locks it even when nothing changes): concurrent analyses of one
   * session take turns. A run that found what is stored already (same input digest, same
   * result) leaves the row as it is, so `updated_at` tells when the analysis last changed, not
   * when a debounced re-run last confirmed it.
   */
  async upsert(manager: EntityManager, row: AnalysisRow): Promise<void> {
    await manager.query(
      `INSERT INTO analyses (workspace_id, project_id, session_id, source, detector_version, digest, labels, findings,
                             critical_step, thresholds, event_count, last_seq, truncated)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9, $10::jsonb, $11, $12, $13)
       ON CONFLICT (session_id) DO UPDATE
         SET project_id = EXCLUDED.project_id, source = EXCLUDED.source, detector_version = EXCLUDED.detector_version,
             digest = EXCLUDED.digest, labels = EXCLUDED.labels, findings = EXCLUDED.findings,
             critical_step = EXCLUDED.critical_step, thresholds = EXCLUDED.thresholds,
             event_count = EXCLUDED.event_count, last_seq = EXCLUDED.last_seq, truncated = EXCLUDED.truncated,
             updated_at = now()
       WHERE analyses.workspace_id = EXCLUDED.workspace_id
         AND (analyses.project_id, analyses.source, analyses.detector_version, analyses.digest, analyses.labels,
              analyses.critical_step, analyses.thresholds, analyses.event_count, analyses.last_seq, analyses.truncated,
              ${findingsWithoutLinks('analyses.findings')})
             IS DISTINCT FROM
             (EXCLUDED.project_id, EXCLUDED.source, EXCLUDED.detector_version, EXCLUDED.digest, EXCLUDED.labels,
              EXCLUDED.critical_step, EXCLUDED.thresholds, EXCLUDED.event_count, EXCLUDED.last_seq, EXCLUDED.truncated,
              ${findingsWithoutLinks('EXCLUDED.findings')})`,
      [
        row.workspaceId,
        row.projectId,
        row.sessionId,
        row.source,
        row.detectorVersion,
        row.digest,
        JSON.stringify(row.labels),
        JSON.stringify(row.findings),
        row.criticalStep,
        JSON.stringify(row.thresholds),
        row.eventCount,
        row.lastSeq,
        row.truncated,
      ],
    );
  }

  async setFindings(manager: EntityManager, sessionId: string, findings: StoredFinding[]): Promise<void> {
    await manager.query(`UPDATE analyses SET findings = $2::jsonb WHERE session_id = $1`, [
      sessionId,
      JSON.stringify(findings),
    ]);
  }
}

/** The findings in order without their incident links, which linking sets after the upsert. */
function findingsWithoutLinks(column: string): string {
  return `(SELECT jsonb_agg(f - 'incident_id' ORDER BY i) FROM jsonb_array_elements(${column}) WITH ORDINALITY AS a(f, i))`;
}
