import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { IncidentResponseDto } from './dto/incident.dto';

export const INCIDENT_EVENT_TYPES = ['opened', 'reopened', 'resolved'] as const;
export type IncidentEventType = (typeof INCIDENT_EVENT_TYPES)[number];

export interface IncidentEvent {
  type: IncidentEventType;
  workspaceId: string;
  /** The incident after the change, as the API shows it. */
  incident: IncidentResponseDto;
  /** `recurrence`: a new session brought it back (or opened it); `manual`: someone changed its status. */
  reason: 'recurrence' | 'manual';
  /** The session whose finding opened or reopened it. */
  sessionId: string | null;
  /** Who changed it by hand. */
  actorUserId: string | null;
  /** ISO-8601. */
  at: string;
}

/**
 * In-process notifications of incident changes, emitted after their transaction commits.
 * Outbound webhooks listen here (`incident.opened`, `incident.reopened`, `incident.resolved`);
 * a listener that throws is logged and never affects the change or the other listeners.
 */
@Injectable()
export class IncidentsEvents {
  private readonly logger = new Logger(IncidentsEvents.name);
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  emit(event: IncidentEvent): void {
    for (const listener of this.emitter.listeners(event.type) as ((e: IncidentEvent) => unknown)[]) {
      try {
        const result = listener(event);
        if (result instanceof Promise) {
          result.catch((error: unknown) => this.logger.warn({ err: error }, `incident ${event.type} listener failed`));
        }
      } catch (error) {
        this.logger.warn({ err: error }, `incident ${event.type} listener failed`);
      }
    }
  }

  /** Listens to one type of change; returns the function that stops listening. */
  on(type: IncidentEventType, listener: (event: IncidentEvent) => unknown): () => void {
    this.emitter.on(type, listener);
    return () => this.emitter.off(type, listener);
  }
}
