import { HttpStatus, Injectable } from '@nestjs/common';
import { ValidationAppException } from 'src/common/errors/app.exception';
import { ModelOpsErrorCode, ModelOpsException } from '../modelops.exception';
import {
  GetHubModelQueryDto,
  HubModelDetailsDto,
  HubModelDto,
  HubModelListDto,
  SearchHubModelsQueryDto,
} from './dto/discovery.dto';
import { COMMIT_SHA, HubClient, HubModelSummary, isRepoId } from './hub-client';

/** The hub's pipeline tag for each of our tasks. */
const PIPELINE_TAG_OF_TASK = { llm: 'text-generation', embeddings: 'feature-extraction' } as const;

/** Search and inspection of hub repositories (superadmin; refused offline by the egress gate). */
@Injectable()
export class DiscoveryService {
  constructor(private readonly hub: HubClient) {}

  async search(query: SearchHubModelsQueryDto): Promise<HubModelListDto> {
    const models = await this.hub.search({
      search: query.query,
      pipelineTag: query.pipeline_tag ?? (query.task ? PIPELINE_TAG_OF_TASK[query.task] : undefined),
      sort: query.sort,
      limit: query.limit,
    });
    return { data: models.filter((m) => typeof m.id === 'string').map((m) => this.toSummary(m)) };
  }

  /** The repository at the revision: the commit it points at now, and its files with sizes and sha256. */
  async get(sourceId: string, query: GetHubModelQueryDto): Promise<HubModelDetailsDto> {
    if (!isRepoId(sourceId)) {
      throw new ValidationAppException([
        { field: 'source_id', message: 'source_id must be a hub repository id (owner/name)' },
      ]);
    }
    const info = await this.hub.modelInfo(sourceId, query.revision);
    const commit = typeof info.sha === 'string' ? info.sha.toLowerCase() : '';
    if (!COMMIT_SHA.test(commit)) {
      throw new ModelOpsException(
        HttpStatus.BAD_GATEWAY,
        ModelOpsErrorCode.HubUnavailable,
        `The model hub reported no commit for ${sourceId}`,
      );
    }
    const files = await this.hub.listFiles(sourceId, commit);
    return {
      ...this.toSummary({ ...info, id: info.id ?? sourceId }),
      commit,
      files: files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256, lfs: f.sha256 !== null })),
      total_size: files.reduce((sum, f) => sum + f.size, 0),
    };
  }

  private toSummary(m: HubModelSummary): HubModelDto {
    return {
      source_id: m.id,
      pipeline_tag: m.pipeline_tag ?? null,
      library_name: m.library_name ?? null,
      tags: Array.isArray(m.tags) ? m.tags.filter((t) => typeof t === 'string') : [],
      downloads: typeof m.downloads === 'number' ? m.downloads : null,
      likes: typeof m.likes === 'number' ? m.likes : null,
      last_modified: m.lastModified ?? null,
      gated: Boolean(m.gated),
      private: Boolean(m.private),
    };
  }
}
