import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { SessionEntity } from 'src/modules/sessions/entities/session.entity';
import type { StoredFinding } from './entities/analysis.entity';
import type { IncidentEventType } from './incidents.events';
import { IncidentsRepository, SessionLink } from './incidents.repository';

/** The incident fingerprint: workspace, detector and signature (one incident per value). */
export function fingerprintOf(workspaceId: string, detector: string, signature: string): string {
  return createHash('sha256').update(`${workspaceId}\n${detector}\n${signature}`).digest('hex');
}

/** What linking changed, for the events sent after commit. */
export interface LinkChange {
  type: IncidentEventType;
  incidentId: string;
}

type Operation =
  | { kind: 'link'; fingerprint: string; findings: StoredFinding[] }
  | { kind: 'unlink'; fingerprint: string; incidentId: string };

/**
 * Keeps a session's incident links in step with its latest findings, inside the caller's
 * transaction: each significant finding joins (or opens) the incident of its fingerprint; links
 * the new analysis no longer supports are removed. A session counts once per incident however
 * often it is analysed. A resolved incident that gets a new session active after its
 * resolution reopens.
 */
@Injectable()
export class IncidentLinker {
  constructor(private readonly incidents: IncidentsRepository) {}

  /**
   * Returns the findings with their incident ids (null below `minConfidence`) and the changes
   * to announce once the transaction has committed.
   */
  async sync(
    manager: EntityManager,
    session: SessionEntity,
    findings: StoredFinding[],
    minConfidence: number,
  ): Promise<{ findings: StoredFinding[]; changes: LinkChange[] }> {
    const workspaceId = session.workspaceId;
    const wanted = new Map<string, StoredFinding[]>();
    for (const finding of findings) {
      if (finding.confidence < minConfidence) continue;
      const fingerprint = fingerprintOf(workspaceId, finding.detector, finding.signature);
      wanted.set(fingerprint, [...(wanted.get(fingerprint) ?? []), finding]);
    }
    const current = await this.incidents.listLinksOfSession(manager, workspaceId, session.id);
    const operations: Operation[] = [
      ...[...wanted].map(([fingerprint, group]): Operation => ({ kind: 'link', fingerprint, findings: group })),
      ...current
        .filter((link) => !wanted.has(link.fingerprint))
        .map((link): Operation => ({ kind: 'unlink', fingerprint: link.fingerprint, incidentId: link.incident_id })),
    ];
    // Incident rows are always locked in fingerprint order, so concurrent analyses never deadlock.
    operations.sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0));

    const seenAt = session.lastEventAt ?? session.startedAt;
    const incidentOf = new Map<string, string>();
    const changes: LinkChange[] = [];
    for (const op of operations) {
      if (op.kind === 'unlink') {
        await this.incidents.unlink(manager, op.incidentId, session.id);
        continue;
      }
      const [first] = op.findings;
      const incident = await this.incidents.upsertLocked(manager, {
        workspaceId,
        fingerprint: op.fingerprint,
        detector: first.detector,
        label: first.label,
        signature: first.signature,
        title: `${first.label}: ${first.signature}`.slice(0, 500),
        seenAt,
      });
      const link: SessionLink = {
        incidentId: incident.id,
        sessionId: session.id,
        workspaceId,
        projectId: session.projectId,
        agentName: session.agentName,
        agentVersion: session.agentVersion,
        confidence: Math.max(...op.findings.map((f) => f.confidence)),
        criticalStep: Math.min(...op.findings.map((f) => f.critical_step)),
        seenAt,
      };
      const linked = await this.incidents.link(manager, link);
      if (linked) {
        // A recurrence: a session active after the resolution. Older sessions analysed late do not reopen it.
        const reopen =
          !incident.created &&
          incident.status === 'resolved' &&
          (incident.resolvedAt === null || seenAt.getTime() > incident.resolvedAt.getTime());
        await this.incidents.recordOccurrence(manager, link, reopen);
        if (incident.created) changes.push({ type: 'opened', incidentId: incident.id });
        if (reopen) changes.push({ type: 'reopened', incidentId: incident.id });
      } else {
        await this.incidents.touchSeen(manager, incident.id, seenAt);
      }
      for (const finding of op.findings) incidentOf.set(`${finding.detector}\u0000${finding.signature}`, incident.id);
    }
    return {
      findings: findings.map((f) => ({
        ...f,
        incident_id: incidentOf.get(`${f.detector}\u0000${f.signature}`) ?? null,
      })),
      changes,
    };
  }
}
