import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { MAX_SAMPLE_SESSIONS } from './incidents.constants';
import { IncidentEntity, IncidentStatus } from './entities/incident.entity';
import { IncidentSessionEntity } from './entities/incident-session.entity';

export interface IncidentFilter {
  status?: IncidentStatus;
  projectId?: string;
  detector?: string;
  agent?: string;
  /** Keyset position of the previous page's last row (last seen first). */
  before?: { lastSeenAt: Date; id: string };
}

export interface NewIncident {
  workspaceId: string;
  fingerprint: string;
  detector: string;
  label: string;
  signature: string;
  title: string;
  seenAt: Date;
}

/** What an upsert found: the incident's id and state, locked until the transaction ends. */
export interface LockedIncident {
  id: string;
  status: IncidentStatus;
  resolvedAt: Date | null;
  created: boolean;
}

export interface SessionLink {
  incidentId: string;
  sessionId: string;
  workspaceId: string;
  projectId: string;
  agentName: string;
  agentVersion: string | null;
  confidence: number;
  criticalStep: number;
  seenAt: Date;
}

const agentVersionOf = (name: string, version: string | null) => (version ? `${name}@${version}` : name);

@Injectable()
export class IncidentsRepository {
  constructor(@InjectRepository(IncidentEntity) private readonly incidents: Repository<IncidentEntity>) {}

  getById(workspaceId: string, id: string, manager?: EntityManager): Promise<IncidentEntity | null> {
    return (manager?.getRepository(IncidentEntity) ?? this.incidents).findOneBy({ workspaceId, id });
  }

  /** The incident, locked for update until the transaction ends. */
  lockById(manager: EntityManager, workspaceId: string, id: string): Promise<IncidentEntity | null> {
    return manager
      .getRepository(IncidentEntity)
      .createQueryBuilder('i')
      .setLock('pessimistic_write')
      .where('i.workspace_id = :workspaceId AND i.id = :id', { workspaceId, id })
      .getOne();
  }

  getManyByIds(workspaceId: string, ids: string[], manager?: EntityManager): Promise<IncidentEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return (manager?.getRepository(IncidentEntity) ?? this.incidents)
      .createQueryBuilder('i')
      .where('i.workspace_id = :workspaceId AND i.id IN (:...ids)', { workspaceId, ids })
      .getMany();
  }

  list(workspaceId: string, filter: IncidentFilter, limit: number): Promise<IncidentEntity[]> {
    const qb = this.incidents
      .createQueryBuilder('i')
      .where('i.workspace_id = :workspaceId', { workspaceId })
      .orderBy('i.last_seen_at', 'DESC')
      .addOrderBy('i.id', 'DESC')
      .limit(limit + 1);
    if (filter.status) qb.andWhere('i.status = :status', { status: filter.status });
    if (filter.projectId) qb.andWhere(':projectId = ANY(i.project_ids)', { projectId: filter.projectId });
    if (filter.detector) qb.andWhere('i.detector = :detector', { detector: filter.detector });
    if (filter.agent) qb.andWhere(':agent = ANY(i.agents)', { agent: filter.agent });
    if (filter.before) {
      qb.andWhere('(i.last_seen_at, i.id) < (:lastSeenAt, :id)', filter.before);
    }
    return qb.getMany();
  }

  /**
   * Creates the incident of a fingerprint, or finds the existing one; either way its row is
   * locked until the transaction ends, so concurrent analyses of sessions with the same failure
   * queue up on it instead of racing (the unique index on fingerprint makes the insert safe).
   */
  async upsertLocked(manager: EntityManager, incident: NewIncident): Promise<LockedIncident> {
    const rows: { id: string; status: IncidentStatus; resolved_at: Date | null; created: boolean }[] =
      await manager.query(
        `INSERT INTO incidents (workspace_id, fingerprint, detector, label, signature, title, status,
                                first_seen_at, last_seen_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $7)
         ON CONFLICT (fingerprint) DO UPDATE SET fingerprint = EXCLUDED.fingerprint
         RETURNING id, status, resolved_at, (xmax = 0) AS created`,
        [
          incident.workspaceId,
          incident.fingerprint,
          incident.detector,
          incident.label,
          incident.signature,
          incident.title,
          incident.seenAt,
        ],
      );
    const [row] = rows;
    return { id: row.id, status: row.status, resolvedAt: row.resolved_at, created: row.created };
  }

  /** Links a session (or refreshes its link); true when the session was not linked before. */
  async link(manager: EntityManager, link: SessionLink): Promise<boolean> {
    const rows: { created: boolean }[] = await manager.query(
      `INSERT INTO incident_sessions (incident_id, session_id, workspace_id, project_id, agent_name, agent_version,
                                      confidence, critical_step, seen_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (incident_id, session_id) DO UPDATE
         SET confidence = EXCLUDED.confidence, critical_step = EXCLUDED.critical_step, seen_at = EXCLUDED.seen_at
       RETURNING (xmax = 0) AS created`,
      [
        link.incidentId,
        link.sessionId,
        link.workspaceId,
        link.projectId,
        link.agentName,
        link.agentVersion,
        link.confidence,
        link.criticalStep,
        link.seenAt,
      ],
    );
    return rows[0].created;
  }

  /**
   * Counts a newly linked session: counters, first/last seen, affected agents, versions and
   * projects, the bounded sample list (newest first), and reopening when asked.
   */
  async recordOccurrence(manager: EntityManager, link: SessionLink, reopen: boolean): Promise<void> {
    await manager.query(
      `UPDATE incidents
          SET occurrence_count = occurrence_count + 1,
              first_seen_at = LEAST(first_seen_at, $2), last_seen_at = GREATEST(last_seen_at, $2),
              agents = CASE WHEN $3 = ANY(agents) THEN agents ELSE array_append(agents, $3) END,
              agent_versions = CASE WHEN $4 = ANY(agent_versions) THEN agent_versions ELSE array_append(agent_versions, $4) END,
              project_ids = CASE WHEN $5::uuid = ANY(project_ids) THEN project_ids ELSE array_append(project_ids, $5::uuid) END,
              sample_session_ids = (array_prepend($6::uuid, array_remove(sample_session_ids, $6::uuid)))[1:${MAX_SAMPLE_SESSIONS}],
              status = CASE WHEN $7 THEN 'open' ELSE status END,
              resolved_at = CASE WHEN $7 THEN NULL ELSE resolved_at END,
              reopened_count = reopened_count + CASE WHEN $7 THEN 1 ELSE 0 END,
              reopened_at = CASE WHEN $7 THEN now() ELSE reopened_at END,
              updated_at = now()
        WHERE id = $1`,
      [
        link.incidentId,
        link.seenAt,
        link.agentName,
        agentVersionOf(link.agentName, link.agentVersion),
        link.projectId,
        link.sessionId,
        reopen,
      ],
    );
  }

  /** A linked session was seen again (re-analysis after late events): only last seen moves. */
  async touchSeen(manager: EntityManager, incidentId: string, seenAt: Date): Promise<void> {
    await manager.query(
      `UPDATE incidents SET last_seen_at = GREATEST(last_seen_at, $2), updated_at = now() WHERE id = $1`,
      [incidentId, seenAt],
    );
  }

  /** The incidents a session is linked to, with their fingerprints. */
  listLinksOfSession(
    manager: EntityManager,
    workspaceId: string,
    sessionId: string,
  ): Promise<{ incident_id: string; fingerprint: string }[]> {
    return manager.query(
      `SELECT l.incident_id, i.fingerprint
         FROM incident_sessions l JOIN incidents i ON i.id = l.incident_id
        WHERE l.workspace_id = $1 AND l.session_id = $2`,
      [workspaceId, sessionId],
    );
  }

  /**
   * Unlinks a session whose new analysis no longer has the finding; the incident's counters and
   * lists are recomputed from the links that remain (rare, so the full recount is affordable).
   */
  async unlink(manager: EntityManager, incidentId: string, sessionId: string): Promise<void> {
    await manager.query(`SELECT id FROM incidents WHERE id = $1 FOR UPDATE`, [incidentId]);
    await manager.query(`DELETE FROM incident_sessions WHERE incident_id = $1 AND session_id = $2`, [
      incidentId,
      sessionId,
    ]);
    await manager.query(
      `UPDATE incidents i
          SET occurrence_count = (SELECT count(*) FROM incident_sessions l WHERE l.incident_id = i.id),
              agents = ARRAY(SELECT DISTINCT l.agent_name FROM incident_sessions l WHERE l.incident_id = i.id ORDER BY 1),
              agent_versions = ARRAY(
                SELECT DISTINCT CASE WHEN l.agent_version IS NULL THEN l.agent_name ELSE l.agent_name || '@' || l.agent_version END
                  FROM incident_sessions l WHERE l.incident_id = i.id ORDER BY 1),
              project_ids = ARRAY(SELECT DISTINCT l.project_id FROM incident_sessions l WHERE l.incident_id = i.id ORDER BY 1),
              sample_session_ids = ARRAY(
                SELECT l.session_id FROM incident_sessions l WHERE l.incident_id = i.id
                 ORDER BY l.seen_at DESC, l.session_id DESC LIMIT ${MAX_SAMPLE_SESSIONS}),
              updated_at = now()
        WHERE i.id = $1`,
      [incidentId],
    );
  }

  /**
   * Status and owner; `resolution` sets resolved_at to the database's clock (the one session
   * times are on, so reopening compares like with like) or clears it.
   */
  async update(
    manager: EntityManager,
    id: string,
    changes: Partial<Pick<IncidentEntity, 'status' | 'ownerUserId'>>,
    resolution?: 'now' | 'clear',
  ): Promise<void> {
    const values: QueryDeepPartialEntity<IncidentEntity> = { ...changes };
    if (resolution === 'now') values.resolvedAt = () => 'now()';
    if (resolution === 'clear') values.resolvedAt = null;
    await manager.createQueryBuilder().update(IncidentEntity).set(values).where('id = :id', { id }).execute();
  }

  /** Sessions of an incident, newest first (for regression runs and the incident's detail). */
  listSessions(workspaceId: string, incidentId: string, limit: number): Promise<IncidentSessionEntity[]> {
    return this.incidents.manager.getRepository(IncidentSessionEntity).find({
      where: { workspaceId, incidentId },
      order: { seenAt: 'DESC', sessionId: 'DESC' },
      take: limit,
    });
  }
}
