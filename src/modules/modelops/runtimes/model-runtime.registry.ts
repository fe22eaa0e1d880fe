import { Injectable } from '@nestjs/common';

/** The model a runtime lookup is asked about (a subset of the model response). */
export interface RuntimeLookupModel {
  id: string;
  name: string;
  hosting: 'cloud' | 'local';
  task: 'llm' | 'embeddings';
  source_id: string | null;
  provider_model_id: string | null;
  metadata: Record<string, unknown>;
}

/** One local runtime that could run a test of the model, as platform-control sees it. */
export interface ModelRuntimeTarget {
  /** Stable id of the runtime (the provider instance id); `POST .../test` selects it by this id. */
  id: string;
  /** Provider family, e.g. `vllm_local`. */
  provider: string;
  display_name: string;
  /** OpenAI-compatible base URL of the runtime, e.g. `http://vllm:8000/v1`. */
  base_url: string;
  /** State of the runtime's loaded-model slot, e.g. `loaded`, `empty`, `loading`, `error`. */
  slot_state: string;
  /** The managed model assigned to the slot, if any. */
  loaded_model_id: string | null;
  /** The id the runtime serves the model under (what `/v1/models` advertises for it). */
  runtime_model_id: string | null;
  /** What the runtime's `/v1/models` advertises. */
  advertised: { id: string; owned_by?: string | null }[];
  /** True only when the runtime actually serves this managed model now. */
  serving: boolean;
  /** Bearer token the runtime expects, if any. Never returned by the API. */
  api_key?: string;
}

export type RuntimeLookup = (model: RuntimeLookupModel) => Promise<ModelRuntimeTarget[]>;

/**
 * The local runtimes a model can be tested on. Platform-control owns provider instances and their
 * loaded-model slots, so it registers a lookup here at init; ModelOps asks it for
 * `GET /v1/modelops/models/{id}/test-runtimes` and to run a local `POST .../test`.
 */
@Injectable()
export class ModelRuntimeRegistry {
  private readonly lookups: RuntimeLookup[] = [];

  register(lookup: RuntimeLookup): void {
    this.lookups.push(lookup);
  }

  async runtimesFor(model: RuntimeLookupModel): Promise<ModelRuntimeTarget[]> {
    return (await Promise.all(this.lookups.map((lookup) => lookup(model)))).flat();
  }
}
