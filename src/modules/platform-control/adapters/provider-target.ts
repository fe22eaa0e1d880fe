import {
  type AdapterKind,
  type Capability,
  DEFAULT_PROVIDER_TIMEOUT_MS,
  type ProviderOrigin,
} from '../platform-control.constants';
import type { ProviderFamilyEntity } from '../entities/provider-family.entity';
import type { ProviderEntity } from '../entities/provider.entity';

/**
 * What an adapter needs to reach one provider instance. It holds secret *references* only: the
 * HTTP client resolves them at the moment of the call, so no secret travels through callers.
 */
export interface ProviderTarget {
  id: string;
  slug: string;
  family: string;
  origin: ProviderOrigin;
  adapter: AdapterKind;
  capability: Capability;
  endpointUrl: string | null;
  secretRefs: Readonly<Record<string, string>>;
  timeoutMs: number;
}

export function toProviderTarget(provider: ProviderEntity, family: ProviderFamilyEntity): ProviderTarget {
  const timeout = provider.config?.timeout_ms;
  return {
    id: provider.id,
    slug: provider.slug,
    family: family.key,
    origin: family.providerOrigin,
    adapter: family.adapter,
    capability: provider.capability,
    endpointUrl: provider.endpointUrl,
    secretRefs: provider.secretRefs ?? {},
    timeoutMs: typeof timeout === 'number' && timeout > 0 ? timeout : DEFAULT_PROVIDER_TIMEOUT_MS,
  };
}

/** The public face of a target, as problem details and audit rows name it. */
export function describeTarget(target: ProviderTarget): { id: string; slug: string; family: string; origin: string } {
  return { id: target.id, slug: target.slug, family: target.family, origin: target.origin };
}
