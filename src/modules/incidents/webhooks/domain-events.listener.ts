import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ExamplesEvents, ExampleSettled } from 'src/modules/examples/examples.events';
import { INCIDENT_EVENT_TYPES, IncidentEvent, IncidentsEvents } from 'src/modules/incidents/incidents.events';
import { WebhookPublisher } from './webhook-publisher';
import type { WebhookEventType } from './webhooks.constants';

/**
 * Turns the in-process notifications of incidents and examples into webhook deliveries
 * (`incident.opened|reopened|resolved`, `example.ready`). Publishing runs beside the change that
 * caused it, never in its way: a failure is logged, and shutdown waits for publications under way.
 */
@Injectable()
export class DomainEventsListener implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(DomainEventsListener.name);
  private readonly stops: (() => void)[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly incidents: IncidentsEvents,
    private readonly examples: ExamplesEvents,
    private readonly publisher: WebhookPublisher,
  ) {}

  onModuleInit(): void {
    for (const type of INCIDENT_EVENT_TYPES) {
      this.stops.push(
        this.incidents.on(type, (event) => this.track(`incident.${type}`, event.workspaceId, incidentData(event))),
      );
    }
    this.stops.push(
      this.examples.onSettled((event) => {
        if (event.status === 'ready') this.track('example.ready', event.workspaceId, exampleData(event));
      }),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    for (const stop of this.stops) stop();
    await Promise.all([...this.inFlight]);
  }

  private track(type: WebhookEventType, workspaceId: string, data: Record<string, unknown>): void {
    const work = this.publisher
      .publish(workspaceId, type, data)
      .catch((err: unknown) =>
        this.logger.error(
          `${type} webhooks for workspace ${workspaceId}: ${err instanceof Error ? err.message : String(err)}`,
        ),
      )
      .finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
  }
}

const incidentData = (event: IncidentEvent): Record<string, unknown> => ({
  incident: event.incident,
  reason: event.reason,
  session_id: event.sessionId,
  at: event.at,
});

const exampleData = (event: ExampleSettled): Record<string, unknown> => ({
  example: {
    id: event.exampleId,
    project_id: event.projectId,
    session_id: event.sessionId,
    model_id: event.modelId,
    status: event.status,
    sha256: event.sha256,
    size_bytes: event.sizeBytes,
    records_written: event.recordsWritten,
  },
});
