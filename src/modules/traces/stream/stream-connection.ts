import type { LoggerService } from '@nestjs/common';
import type { Response } from 'express';
import { DROPPED_EVENT, type DropReason } from './stream.constants';
import { commentFrame, eventFrame, retryFrame } from './sse';

/** One event ready to send: its stream position and its SSE frame. */
export interface StreamRow {
  position: number;
  frame: string;
}

/** Where a connection pulls its events from: the database, by workspace stream position. */
export interface StreamSource {
  /** The last committed position of the workspace stream. */
  head(): Promise<number>;
  /** The matching events at positions in (after, upTo], in order, at most `limit`. */
  read(after: number, upTo: number, limit: number): Promise<StreamRow[]>;
}

export interface StreamConnectionOptions {
  heartbeatMs: number;
  /** How long the socket may refuse bytes (write() false, no 'drain') before the client is dropped. */
  stallMs: number;
  pageSize: number;
  closeGraceMs: number;
  reconnectDelayMs: number;
}

/**
 * One SSE client. It keeps no queue of events: a wake-up (a commit notification, the safety-net
 * poll) only makes it read, from the database, the rows after its own position. So order and
 * exactly-once come from the positions: positions commit in order, a read covers
 * (position, head] for a head already committed, and the position moves only over rows written
 * to the socket (or, after a short page, over positions that did not match the filter).
 *
 * Wake-ups are coalesced: at most one query is in flight, and a wake-up during one makes it
 * look again afterwards. When the socket refuses bytes (`write()` returned false), the rest of
 * the page and the next read wait for 'drain', so a connection holds at most one page. A client
 * that stays stalled beyond `stallMs` is ended with a final `dropped` event naming the position
 * to resume after. Ingestion only notifies, so no client ever slows it.
 *
 * The frames are written on the Express response directly rather than through Nest's `@Sse()`:
 * there an Observable pushes and Nest buffers behind the socket (bounded by
 * `maxPendingDataLength`, then the stream fails), whereas here the socket's 'drain' drives the
 * reads (pull), and a stalled client gets a final resumable frame before the stream ends.
 */
export class StreamConnection {
  /** Every position up to this one was written to the socket or did not match the filter. */
  private position: number;
  /** The last committed head read from the database: positions up to it can be read. */
  private head: number;
  /** Rows read and not yet written because the socket refused bytes: at most one page. */
  private page: { rows: StreamRow[]; next: number; coversUpTo?: number } | null = null;
  private opened = false;
  private closed = false;
  private reading = false;
  private pending = false;
  private blocked = false;
  private heartbeat?: NodeJS.Timeout;
  private stall?: NodeJS.Timeout;
  private readonly closeListeners: (() => void)[] = [];
  private readonly onDrain = () => this.drained();
  private readonly onClose = () => this.release();

  constructor(
    private readonly res: Response,
    private readonly source: StreamSource,
    start: number,
    private readonly options: StreamConnectionOptions,
    private readonly logger: LoggerService,
  ) {
    this.position = start;
    this.head = start;
    res.on('drain', this.onDrain);
    res.once('close', this.onClose);
    // The client may have gone while the request was checked: 'close' has been emitted already.
    if (res.destroyed || res.req.socket.destroyed) this.release();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Runs when the connection ends, however it ends (at once if it already has). */
  whenClosed(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  /** Sends the SSE headers and starts the heartbeat. Reading starts with the first wake(). */
  open(): void {
    if (this.closed || this.opened) return;
    this.opened = true;
    const socket = this.res.req.socket;
    socket.setNoDelay(true);
    socket.setKeepAlive(true);
    socket.setTimeout(0);
    this.res.status(200);
    this.res.setHeader('Content-Type', 'text/event-stream');
    this.res.setHeader('Cache-Control', 'no-cache, no-transform');
    this.res.setHeader('X-Accel-Buffering', 'no');
    if (this.res.req.httpVersionMajor < 2) this.res.setHeader('Connection', 'keep-alive');
    this.res.flushHeaders();
    this.write(retryFrame(this.options.reconnectDelayMs));
    this.heartbeat = setInterval(() => this.beat(), this.options.heartbeatMs);
  }

  /**
   * Something may have been committed. With the notified head, a connection already at or past
   * it does nothing; without one (first read, poll), it asks the database.
   */
  wake(head?: number): void {
    if (this.closed) return;
    if (head !== undefined && head <= this.position) return;
    this.pending = true;
    this.kick();
  }

  /** Ends the stream with a final `dropped` event that names the position to resume after. */
  drop(reason: DropReason): void {
    if (this.closed) return;
    if (!this.opened) this.open();
    const final = eventFrame(DROPPED_EVENT, { reason, resume_after: this.position });
    this.release();
    if (this.res.writableEnded || this.res.destroyed) return;
    this.res.end(final);
    if (this.res.writableFinished) return;
    // A client that does not read would keep the final frame (and the socket) forever.
    const kill = setTimeout(() => this.res.destroy(), this.options.closeGraceMs);
    this.res.once('close', () => clearTimeout(kill));
  }

  private async pump(): Promise<void> {
    this.reading = true;
    try {
      while (!this.closed && !this.blocked) {
        if (this.page) {
          this.writePage();
        } else if (this.position < this.head) {
          const rows = await this.source.read(this.position, this.head, this.options.pageSize);
          // A short page covers (position, head]: positions in it that were not read did not match.
          this.page = { rows, next: 0, coversUpTo: rows.length < this.options.pageSize ? this.head : undefined };
        } else if (this.pending) {
          this.pending = false;
          this.head = Math.max(this.head, await this.source.head());
        } else {
          break;
        }
      }
    } catch (error) {
      // The position did not move past what was written: the next wake-up or poll reads again.
      if (!this.closed)
        this.logger.warn(`stream read failed, retried on the next wake-up: ${(error as Error).message}`);
    } finally {
      this.reading = false;
    }
  }

  /** Writes the page read last until the socket refuses bytes; the rest waits for 'drain'. */
  private writePage(): void {
    const page = this.page;
    if (!page) return;
    while (page.next < page.rows.length && !this.blocked && !this.closed) {
      const row = page.rows[page.next++];
      this.position = row.position;
      this.write(row.frame);
    }
    if (page.next < page.rows.length) return;
    this.page = null;
    if (page.coversUpTo !== undefined) this.position = Math.max(this.position, page.coversUpTo);
  }

  private kick(): void {
    if (this.opened && !this.closed && !this.reading && !this.blocked) void this.pump();
  }

  private write(chunk: string): void {
    if (this.res.writableEnded || this.res.destroyed) return;
    if (!this.res.write(chunk) && !this.blocked) {
      this.blocked = true;
      this.stall = setTimeout(() => this.drop('slow_consumer'), this.options.stallMs);
    }
  }

  private drained(): void {
    if (!this.blocked) return;
    this.blocked = false;
    clearTimeout(this.stall);
    this.kick();
  }

  /** A comment while the client keeps up; while it is stalled the pending bytes say enough. */
  private beat(): void {
    if (!this.blocked) this.write(commentFrame('heartbeat'));
  }

  /** Stops timers and listeners; idempotent. The response itself is left to the caller. */
  private release(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.stall);
    this.res.off('drain', this.onDrain);
    this.res.off('close', this.onClose);
    for (const listener of this.closeListeners.splice(0)) listener();
  }
}
