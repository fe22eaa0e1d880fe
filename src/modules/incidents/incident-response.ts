import type { IncidentResponseDto } from './dto/incident.dto';
import type { IncidentEntity } from './entities/incident.entity';

/** `name@version` entries grouped back by agent (a bare `name` is a session without a version). */
function affectedAgents(agents: string[], agentVersions: string[]) {
  return [...agents].sort().map((name) => ({
    name,
    versions: agentVersions
      .filter((v) => v.startsWith(`${name}@`))
      .map((v) => v.slice(name.length + 1))
      .sort(),
  }));
}

export function toIncidentResponse(row: IncidentEntity): IncidentResponseDto {
  return {
    id: row.id,
    workspace_id: row.workspaceId,
    fingerprint: row.fingerprint,
    detector: row.detector,
    label: row.label,
    signature: row.signature,
    title: row.title,
    status: row.status,
    owner_id: row.ownerUserId,
    count: row.occurrenceCount,
    first_seen_at: row.firstSeenAt.toISOString(),
    last_seen_at: row.lastSeenAt.toISOString(),
    affected_agents: affectedAgents(row.agents, row.agentVersions),
    project_ids: row.projectIds,
    sample_session_ids: row.sampleSessionIds,
    resolved_at: row.resolvedAt?.toISOString() ?? null,
    reopened_count: row.reopenedCount,
    reopened_at: row.reopenedAt?.toISOString() ?? null,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}
