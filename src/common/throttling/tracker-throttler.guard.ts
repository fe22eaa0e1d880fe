import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Request } from 'express';

/**
 * Limits per credential when one is sent (a hash of it: a key never reaches Redis in clear),
 * else per client address. It runs before authentication so floods of bad keys are limited too.
 */
@Injectable()
export class TrackerThrottlerGuard extends ThrottlerGuard {
  protected override getTracker(req: Record<string, unknown>): Promise<string> {
    const request = req as unknown as Request;
    const credential = request.headers['x-api-key'] ?? request.headers.authorization;
    if (typeof credential === 'string' && credential.length > 0) {
      return Promise.resolve(`cred:${createHash('sha256').update(credential).digest('base64url').slice(0, 22)}`);
    }
    return Promise.resolve(`ip:${request.ip ?? 'unknown'}`);
  }
}
