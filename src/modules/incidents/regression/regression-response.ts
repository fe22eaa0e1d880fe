import type { RegressionRunResponseDto } from './dto/regression-run.dto';
import type { RegressionRunEntity } from './entities/regression-run.entity';

export function toRegressionResponse(row: RegressionRunEntity): RegressionRunResponseDto {
  const { phase, done, total } = row.progress;
  return {
    id: row.id,
    incident_id: row.incidentId,
    agent: row.agentName,
    baseline_versions: row.baselineVersions,
    candidate_version: row.candidateVersion,
    since: row.since?.toISOString() ?? null,
    until: row.until?.toISOString() ?? null,
    status: row.status,
    progress: {
      phase,
      done,
      total,
      percent: phase === 'done' ? 100 : total === 0 ? 0 : Math.floor((done / total) * 100),
    },
    result: row.result,
    regressed: row.regressed,
    improved: row.improved,
    error: row.error,
    attempts: row.attempts,
    created_by: row.createdByUserId,
    created_at: row.createdAt.toISOString(),
    started_at: row.startedAt?.toISOString() ?? null,
    finished_at: row.finishedAt?.toISOString() ?? null,
  };
}
