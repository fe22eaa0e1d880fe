import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { CommittedAppend } from './ingest/ingest.types';

/**
 * In-process notifications of committed appends. Upper modules listen (the live stream fans
 * them out across replicas; analysis reacts to ended sessions) without sessions importing them.
 */
@Injectable()
export class SessionsEvents {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  emitCommitted(append: CommittedAppend): void {
    this.emitter.emit('committed', append);
  }

  onCommitted(listener: (append: CommittedAppend) => void): () => void {
    this.emitter.on('committed', listener);
    return () => this.emitter.off('committed', listener);
  }
}
