import { Injectable } from '@nestjs/common';
import { AppException } from 'src/common/errors/app.exception';
import { ObjectStorage } from 'src/storage/object-storage';
import { CredentialsService } from '../credentials/credentials.service';
import { DownloadsRepository } from '../downloads/downloads.repository';
import { EgressGate } from '../egress/egress-gate';
import { OpenAiCompatibleClient } from '../providers/openai-compatible.client';
import type { ModelEntity } from './entities/model.entity';

/** What a validation found: recorded as the model's validation row. */
export interface CheckOutcome {
  success: boolean;
  details: Record<string, unknown>;
  error: { code: string; message: string } | null;
}

/** Files that hold weights; a local model needs at least one. */
const WEIGHT_FILE = /\.(safetensors|bin|gguf|ggml|pt|pth|ckpt|onnx|h5|msgpack)$/i;
/** The largest config.json read during a validation. */
const MAX_CONFIG_BYTES = 1024 * 1024;

/** The real checks behind `POST /v1/modelops/models/{id}/validate`, one per hosting. */
@Injectable()
export class ModelValidators {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly downloads: DownloadsRepository,
    private readonly storage: ObjectStorage,
    private readonly egress: EgressGate,
    private readonly openai: OpenAiCompatibleClient,
  ) {}

  /** The cloud model's `/models`, with its credential: reachable, key accepted, model listed. */
  async checkCloud(model: ModelEntity): Promise<CheckOutcome> {
    const endpoint = `${model.baseUrl}/models`;
    const details: Record<string, unknown> = {
      check: 'cloud_models_endpoint',
      endpoint,
      provider_model_id: model.providerModelId,
    };
    if (!model.baseUrl || !model.providerModelId) {
      return {
        success: false,
        details,
        error: { code: 'invalid_config', message: 'The model has no base_url or provider_model_id' },
      };
    }
    await this.egress.assert('cloud_provider');
    let apiKey: string | undefined;
    if (model.credentialId) {
      try {
        apiKey = await this.credentials.resolveSecret(model.credentialId);
      } catch (err) {
        return { success: false, details, error: { code: 'credential_unavailable', message: errorMessage(err) } };
      }
    }
    details.credential_id = model.credentialId;
    const result = await this.openai.listModels({ baseUrl: model.baseUrl, apiKey });
    if (!result.ok) {
      return {
        success: false,
        details: { ...details, http_status: result.status ?? null },
        error: { code: result.code, message: result.message },
      };
    }
    const found = result.ids.includes(model.providerModelId);
    const observed = {
      ...details,
      http_status: result.status,
      models_listed: result.ids.length,
      model_found: found,
      latency_ms: result.latencyMs,
    };
    return found
      ? { success: true, details: observed, error: null }
      : {
          success: false,
          details: observed,
          error: {
            code: 'model_not_listed',
            message: `The provider does not list ${model.providerModelId} for this credential`,
          },
        };
  }

  /** The download's files: complete, stored with their sizes, weights present, config.json readable. */
  async checkLocal(model: ModelEntity): Promise<CheckOutcome> {
    const details: Record<string, unknown> = {
      check: 'local_files',
      download_id: model.downloadId,
      commit: model.sourceCommit,
    };
    const fail = (code: string, message: string): CheckOutcome => ({
      success: false,
      details,
      error: { code, message },
    });
    const download = model.downloadId ? await this.downloads.getById(model.downloadId) : null;
    if (!download || download.status !== 'completed')
      return fail('download_incomplete', 'The model has no completed download');
    const files = await this.downloads.listFiles(download.id);
    let bytes = 0;
    for (const file of files) {
      if (file.status !== 'completed' || !file.storageKey)
        return fail('file_missing', `${file.path} was not downloaded`);
      try {
        const object = await this.storage.get(file.storageKey);
        object.stream.destroy();
        if (object.size !== Number(file.size)) {
          return fail('size_mismatch', `${file.path} holds ${object.size} bytes, the hub listed ${file.size}`);
        }
      } catch (err) {
        if (err instanceof AppException && err.getStatus() === 404)
          return fail('file_missing', `${file.path} is missing from storage`);
        throw err;
      }
      bytes += Number(file.size);
    }
    const weights = files.filter((f) => WEIGHT_FILE.test(f.path)).map((f) => f.path);
    Object.assign(details, { files: files.length, bytes, weights });
    if (weights.length === 0)
      return fail('no_weights', 'No weights file (.safetensors, .bin, .gguf, ...) was downloaded');
    const config = files.find((f) => f.path === 'config.json');
    if (config) {
      if (Number(config.size) > MAX_CONFIG_BYTES)
        return fail('invalid_config', 'config.json is too large to be a model config');
      try {
        const { stream } = await this.storage.get(config.storageKey!);
        const chunks: Buffer[] = [];
        for await (const chunk of stream) chunks.push(chunk as Buffer);
        const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        details.config = { model_type: parsed.model_type ?? null, architectures: parsed.architectures ?? null };
      } catch {
        return fail('invalid_config', 'config.json is not valid JSON');
      }
    }
    return { success: true, details, error: null };
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
