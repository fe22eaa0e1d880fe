import { Injectable } from '@nestjs/common';
import { toProviderTarget } from './adapters/provider-target';
import type { PreflightEntryDto } from './dto/activation.dto';
import type { BindingResource } from './entities/deployment-binding.entity';
import type { ProviderEntity } from './entities/provider.entity';
import type { ManagedModel } from './modelops.port';
import { ModelOpsPort } from './modelops.port';
import type { Capability } from './platform-control.constants';
import { ProviderChecksService } from './provider-checks.service';

export interface PreflightBinding {
  capability: Capability;
  provider: ProviderEntity;
  resources: BindingResource[];
}

/** Deployment preflight: every bound provider checked for real, in parallel. */
@Injectable()
export class PreflightService {
  constructor(
    private readonly checks: ProviderChecksService,
    private readonly modelops: ModelOpsPort,
  ) {}

  async run(bindings: PreflightBinding[]): Promise<PreflightEntryDto[]> {
    const modelIds = bindings.flatMap((b) =>
      b.resources.filter((r) => r.ref_type === 'managed_model').map((r) => r.id),
    );
    const models = await this.modelops.getModels([...new Set(modelIds)]);
    return Promise.all(
      bindings.map((binding) => {
        const bound = binding.resources
          .map((r) => (r.ref_type === 'managed_model' ? models.get(r.id) : undefined))
          .filter((m): m is ManagedModel => !!m);
        const target = toProviderTarget(binding.provider, binding.provider.family!);
        return this.checks.preflight(binding.capability, target, bound, binding.provider.loadedModelId);
      }),
    );
  }
}

/** The entries that block: an unreachable, incompatible or offline-blocked provider. */
export function preflightFailures(entries: PreflightEntryDto[]): PreflightEntryDto[] {
  return entries.filter((e) => e.status !== 'ok');
}
