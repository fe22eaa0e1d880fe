import { Injectable } from '@nestjs/common';
import { ProviderCallException, ProviderHttpClient } from './provider-http.client';
import type { ProviderTarget } from './provider-target';

/**
 * Readiness of the runtimes Flightdeck hands to agents rather than calls itself: the MCP gateway
 * (`mcp_gateway_local`) and the code sandbox (`sandbox_local`). Both expose `GET /health`.
 */
@Injectable()
export class ReadinessAdapter {
  constructor(private readonly http: ProviderHttpClient) {}

  async check(target: ProviderTarget): Promise<string> {
    const res = await this.http.json<string>(target, { method: 'GET', path: '/health', parse: 'text' });
    const status = statusOf(res.body);
    if (!['ok', 'ready', 'healthy', 'pass', 'up'].includes(status.toLowerCase())) {
      throw new ProviderCallException('bad_response', target, `Provider ${target.slug} reports health ${status}`);
    }
    return `health ${status}`;
  }
}

/** `{"status":"ok"}` or a bare `OK`: a 2xx without a status reads as ok. */
function statusOf(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object' && typeof (parsed as { status?: unknown }).status === 'string') {
      return (parsed as { status: string }).status;
    }
  } catch {
    // plain text
  }
  const text = body.trim();
  return text && text.length <= 20 ? text : 'ok';
}
