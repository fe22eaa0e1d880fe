import { Injectable, Logger } from '@nestjs/common';

/** An example reached a final state. */
export interface ExampleSettled {
  exampleId: string;
  workspaceId: string;
  projectId: string;
  sessionId: string;
  modelId: string;
  status: 'ready' | 'failed';
  /** When ready. */
  sha256: string | null;
  sizeBytes: number | null;
  recordsWritten: number | null;
  /** When failed. */
  error: { code: string; message: string } | null;
}

/**
 * In-process notifications of built examples (the "example ready" webhook listens here), so
 * that the examples module does not import what reacts to it.
 */
@Injectable()
export class ExamplesEvents {
  private readonly logger = new Logger(ExamplesEvents.name);
  private readonly listeners = new Set<(event: ExampleSettled) => void>();

  /** Calls every listener; one that throws is logged and does not stop the others or the build. */
  emitSettled(event: ExampleSettled): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.logger.error(
          `a listener of example ${event.exampleId} failed: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
  }

  /** Every ready or failed example; returns the unsubscribe function. */
  onSettled(listener: (event: ExampleSettled) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
