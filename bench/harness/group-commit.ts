/**
 * The group commit of the minimal servers (bench/minimal-server.ts, bench/runs-minimal-server.ts):
 * what makes them the fastest yardstick node:http and pg allow. Requests that arrive while the
 * transactions in flight (one per writer connection) commit are queued, and the next free writer
 * takes everything waiting (up to `maxItemsPerFlush` items) into ONE statement and one COMMIT.
 * Every caller is answered only after the commit that holds its items.
 */
import type { Client } from 'pg';

export interface GroupCommitOptions<Request, Result> {
  /** The writers' connections; as many transactions run at once. */
  clients: Client[];
  maxItemsPerFlush: number;
  /** How many items (events, runs) a request holds, for maxItemsPerFlush. */
  size: (request: Request) => number;
  /** Writes the taken requests inside the transaction; one result per request, in order. */
  write: (client: Client, requests: Request[]) => Promise<Result[]>;
}

interface Pending<Request, Result> {
  request: Request;
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
}

export class GroupCommitWriter<Request, Result> {
  private queue: Pending<Request, Result>[] = [];
  private idle: Client[];

  constructor(private readonly options: GroupCommitOptions<Request, Result>) {
    this.idle = [...options.clients];
  }

  append(request: Request): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    while (this.queue.length > 0 && this.idle.length > 0) {
      const client = this.idle.pop()!;
      void this.flush(client, this.take());
    }
  }

  /** The oldest requests up to maxItemsPerFlush items (at least one, however large). */
  private take(): Pending<Request, Result>[] {
    let items = 0;
    let taken = 0;
    while (
      taken < this.queue.length &&
      (taken === 0 || items + this.options.size(this.queue[taken].request) <= this.options.maxItemsPerFlush)
    ) {
      items += this.options.size(this.queue[taken].request);
      taken++;
    }
    return this.queue.splice(0, taken);
  }

  private async flush(client: Client, batch: Pending<Request, Result>[]): Promise<void> {
    try {
      await client.query('BEGIN');
      const results = await this.options.write(
        client,
        batch.map((p) => p.request),
      );
      await client.query('COMMIT');
      batch.forEach((pending, i) => pending.resolve(results[i]));
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      for (const pending of batch) pending.reject(error);
    } finally {
      this.idle.push(client);
      this.kick();
    }
  }
}
