import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** A queued prefix taken by a sweep, and how many sweeps have taken it so far (this one included). */
export interface LeasedDeletion {
  prefix: string;
  attempts: number;
}

/** The `object_deletions` queue (filled by database triggers; see migration ObjectDeletions). */
@Injectable()
export class ObjectDeletionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Up to `limit` due prefixes, taken for `leaseSeconds` (SKIP LOCKED: replicas share the work). */
  lease(limit: number, leaseSeconds: number): Promise<LeasedDeletion[]> {
    return this.dataSource.query(
      `WITH due AS (
         SELECT prefix FROM object_deletions WHERE next_attempt_at <= now()
          ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED
       ), leased AS (
         UPDATE object_deletions o SET attempts = o.attempts + 1, next_attempt_at = now() + make_interval(secs => $2)
           FROM due WHERE o.prefix = due.prefix
         RETURNING o.prefix, o.attempts
       )
       SELECT prefix, attempts FROM leased`,
      [limit, leaseSeconds],
    );
  }

  async remove(prefix: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM object_deletions WHERE prefix = $1`, [prefix]);
  }

  async recordFailure(prefix: string, message: string, retryInSeconds: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE object_deletions SET last_error = $2, next_attempt_at = now() + make_interval(secs => $3) WHERE prefix = $1`,
      [prefix, message.slice(0, 500), retryInSeconds],
    );
  }
}
