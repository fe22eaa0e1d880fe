import type { EventInput } from '../ingest/ingest.types';

/**
 * An event that passed its checks, as it waits for the group commit: the envelope and the payload
 * serialized once. The parsed payload is dropped; the few who need it again (a retry compared
 * with its twin, a session.end read for its status) parse it back. Under load this keeps the
 * events waiting in memory to their serialized size.
 */
export class CheckedEvent implements EventInput {
  readonly seq?: number;
  readonly idempotency_key: string;
  readonly type: string;
  readonly timestamp?: string | null;

  constructor(
    event: EventInput,
    readonly payloadJson: string,
  ) {
    this.seq = event.seq;
    this.idempotency_key = event.idempotency_key;
    this.type = event.type;
    this.timestamp = event.timestamp;
  }

  get payload(): Record<string, unknown> {
    return JSON.parse(this.payloadJson) as Record<string, unknown>;
  }
}
