import { HttpStatus, Injectable } from '@nestjs/common';
import type { Principal } from 'src/modules/auth/principal';
import { ProviderCallException } from './adapters/provider-http.client';
import type { VectorDocument } from './adapters/vector-store.adapter';
import { VectorStoreRegistry } from './adapters/vector-store.registry';
import type {
  CreateEmbeddingsDto,
  DeleteDocumentsDto,
  DeleteDocumentsResponseDto,
  EmbeddingsResponseDto,
  EnsureIndexDto,
  QueryVectorsDto,
  QueryVectorsResponseDto,
  RuntimeProviderDto,
  UpsertDocumentsDto,
  UpsertDocumentsResponseDto,
  VectorIndexResponseDto,
} from './dto/data-plane.dto';
import { ValidationAppException } from 'src/common/errors/app.exception';
import { PlatformControlErrorCode, PlatformControlException } from './platform-control.exception';
import { PlatformRuntimeService } from './platform-runtime.service';
import { PlatformRuntimeResolver, type ResolvedVectorRuntime, type RuntimeProvider } from './runtime-resolver';

/**
 * The superadmin proofs of the data plane: embeddings and vector operations through the active
 * bindings only, in provider-neutral payloads.
 */
@Injectable()
export class DataPlaneService {
  constructor(
    private readonly runtime: PlatformRuntimeService,
    private readonly resolver: PlatformRuntimeResolver,
    private readonly vectors: VectorStoreRegistry,
  ) {}

  async embeddings(principal: Principal, dto: CreateEmbeddingsDto): Promise<EmbeddingsResponseDto> {
    const { runtime, result } = await this.runtime.embed(dto.input, {
      model: dto.model,
      principal,
    });
    return {
      model: runtime.model.id,
      provider: neutral(runtime.provider),
      dimensions: result.vectors[0]?.length ?? 0,
      data: result.vectors.map((embedding, index) => ({ index, embedding })),
      usage: result.usage,
    };
  }

  /** Creates the index if missing; without `dimension`, the active embeddings binding's is probed. */
  async ensureIndex(principal: Principal, dto: EnsureIndexDto): Promise<VectorIndexResponseDto> {
    const store = await this.resolver.resolveVectorStore({ index: dto.index });
    const dimension =
      dto.dimension ?? (await this.runtime.embed(['dimension probe'], { principal })).result.vectors[0].length;
    const result = await this.vectors.for(store.target).ensureIndex(store.target, store.index, dimension);
    return {
      index: store.index,
      provider: neutral(store.provider),
      dimension: result.dimension,
      created: result.created,
    };
  }

  /** Documents without a vector are embedded from their text through the active embeddings binding. */
  async upsert(principal: Principal, dto: UpsertDocumentsDto): Promise<UpsertDocumentsResponseDto> {
    const store = await this.resolver.resolveVectorStore({ index: dto.index });
    const toEmbed = dto.documents.filter((d) => !d.vector);
    const missingText = toEmbed.findIndex((d) => !d.text);
    if (missingText >= 0) {
      throw new ValidationAppException([
        {
          field: `documents.${dto.documents.indexOf(toEmbed[missingText])}`,
          message: 'a document needs a vector or a text',
        },
      ]);
    }
    const embedded =
      toEmbed.length > 0
        ? (
            await this.runtime.embed(
              toEmbed.map((d) => d.text!),
              { principal },
            )
          ).result.vectors
        : [];
    const documents: VectorDocument[] = dto.documents.map((d) => ({
      id: d.id,
      vector: d.vector ?? embedded[toEmbed.indexOf(d)],
      text: d.text ?? null,
      metadata: d.metadata ?? {},
    }));
    const dimension = documents[0].vector.length;
    if (documents.some((d) => d.vector.length !== dimension)) {
      throw new ValidationAppException([
        { field: 'documents', message: 'every vector of one upsert has the same dimension' },
      ]);
    }
    const upserted = await this.onIndex(store, () =>
      this.vectors.for(store.target).upsert(store.target, store.index, documents),
    );
    return { index: store.index, provider: neutral(store.provider), upserted, embedded: toEmbed.length };
  }

  async query(principal: Principal, dto: QueryVectorsDto): Promise<QueryVectorsResponseDto> {
    if ((dto.query === undefined) === (dto.vector === undefined)) {
      throw new ValidationAppException([{ field: 'query', message: 'give exactly one of query and vector' }]);
    }
    const store = await this.resolver.resolveVectorStore({ index: dto.index });
    const vector = dto.vector ?? (await this.runtime.embed([dto.query!], { principal })).result.vectors[0];
    const results = await this.onIndex(store, () =>
      this.vectors.for(store.target).query(store.target, store.index, vector, dto.top_k ?? 5),
    );
    return { index: store.index, provider: neutral(store.provider), results };
  }

  async delete(_principal: Principal, dto: DeleteDocumentsDto): Promise<DeleteDocumentsResponseDto> {
    const store = await this.resolver.resolveVectorStore({ index: dto.index });
    const deleted = await this.onIndex(store, () =>
      this.vectors.for(store.target).delete(store.target, store.index, dto.ids),
    );
    return { index: store.index, provider: neutral(store.provider), deleted };
  }

  /** A store that does not know the index answers 404 upstream: that is ours to say, not a gateway error. */
  private async onIndex<T>(store: ResolvedVectorRuntime, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof ProviderCallException && err.failure === 'not_found') {
        throw new PlatformControlException(
          HttpStatus.NOT_FOUND,
          PlatformControlErrorCode.IndexNotFound,
          `Index ${store.index} does not exist in provider ${store.provider.slug}; ensure it first`,
          { index: store.index },
        );
      }
      throw err;
    }
  }
}

function neutral(provider: RuntimeProvider): RuntimeProviderDto {
  return { id: provider.id, slug: provider.slug, family: provider.family, provider_origin: provider.provider_origin };
}
