import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Injectable } from '@nestjs/common';
import { isPrivateAddress } from 'src/common/http/outbound-target';
import { RESPONSE_EXCERPT_BYTES } from '../webhooks.constants';

export interface WebhookRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  allowPrivate: boolean;
}

/** What one attempt came to. `refused`: not sent, the target resolved to a forbidden address. */
export interface WebhookResponse {
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  responseExcerpt: string | null;
  refused: boolean;
}

/** The target resolved to a private address while those are not allowed. */
class TargetRefusedError extends Error {
  readonly code = 'ETARGETREFUSED';
}

const REFUSAL_HINT = 'set WEBHOOKS_ALLOW_PRIVATE_TARGETS=true for on-premises receivers';

/**
 * One POST of a webhook body, over node:http(s) rather than fetch so that the address checked is
 * the address connected to: the connection's DNS lookup itself refuses private addresses (unless
 * allowed), which a DNS answer that changed since the webhook was saved (DNS rebinding) cannot
 * get around. Redirects are never followed (a 3xx is a failed attempt), the whole attempt is
 * bounded by `timeoutMs`, and at most RESPONSE_EXCERPT_BYTES of the answer are read.
 */
@Injectable()
export class WebhookSender {
  send(req: WebhookRequest): Promise<WebhookResponse> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const url = new URL(req.url);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!req.allowPrivate && isIP(host) && isPrivateAddress(host)) {
      return Promise.resolve(refusal(`${host} is a private or loopback address`, elapsed()));
    }
    const headers: OutgoingHttpHeaders = {
      ...req.headers,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(req.body),
    };
    return new Promise<WebhookResponse>((resolve) => {
      let settled = false;
      let status: number | null = null;
      const chunks: Buffer[] = [];
      let kept = 0;
      const finish = (error: string | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        outgoing.destroy();
        const excerpt = chunks.length ? Buffer.concat(chunks).toString('utf8').replaceAll('\u0000', '') : null;
        resolve({ statusCode: status, durationMs: elapsed(), error, responseExcerpt: excerpt, refused: false });
      };
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const outgoing = send(url, {
        method: 'POST',
        headers,
        agent: false,
        lookup: guardedLookup(req.allowPrivate),
      });
      const timer = setTimeout(
        () => finish(status === null ? `no answer within ${req.timeoutMs} ms` : null),
        req.timeoutMs,
      );
      outgoing.on('response', (res: IncomingMessage) => {
        status = res.statusCode ?? null;
        res.on('data', (chunk: Buffer) => {
          const room = RESPONSE_EXCERPT_BYTES - kept;
          if (room > 0) {
            chunks.push(chunk.subarray(0, room));
            kept += Math.min(room, chunk.length);
          }
          // Enough read: the rest of the answer is never downloaded.
          if (kept >= RESPONSE_EXCERPT_BYTES) finish(null);
        });
        res.on('end', () => finish(null));
        res.on('error', () => finish(null));
        res.on('close', () => finish(null));
      });
      outgoing.on('error', (err: NodeJS.ErrnoException) => {
        if (settled) return;
        if (err instanceof TargetRefusedError) {
          settled = true;
          clearTimeout(timer);
          resolve(refusal(err.message, elapsed()));
          return;
        }
        finish(networkReason(err));
      });
      outgoing.end(req.body);
    });
  }
}

/** DNS resolution that refuses private addresses before any connection is made to them. */
function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 4);
      const forbidden = allowPrivate ? undefined : addresses.find((a) => isPrivateAddress(a.address));
      if (forbidden || addresses.length === 0) {
        const reason = forbidden
          ? `host ${hostname} resolves to a private or loopback address (${forbidden.address})`
          : `host ${hostname} does not resolve`;
        return callback(forbidden ? new TargetRefusedError(reason) : new Error(reason), '', 4);
      }
      if (options.all) return callback(null, addresses);
      return callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

function refusal(reason: string, durationMs: number): WebhookResponse {
  return {
    statusCode: null,
    durationMs,
    error: `target refused: ${reason} (${REFUSAL_HINT})`,
    responseExcerpt: null,
    refused: true,
  };
}

/** A short reason without secrets: the error code and message of the failed connection. */
function networkReason(err: NodeJS.ErrnoException): string {
  return err.code ? `${err.code}: ${err.message}` : err.message;
}
