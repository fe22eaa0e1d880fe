import { HttpStatus, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AllConfig } from 'src/config/configuration';
import { EgressGate } from '../egress/egress-gate';
import { OutboundHttp, OutboundNetworkError } from '../egress/outbound-http';
import { ModelOpsErrorCode, ModelOpsException } from '../modelops.exception';

/** A repository as the hub's search lists it (`GET /api/models?search=`). */
export interface HubModelSummary {
  id: string;
  pipeline_tag?: string | null;
  tags?: string[];
  library_name?: string | null;
  downloads?: number;
  likes?: number;
  lastModified?: string;
  createdAt?: string;
  private?: boolean;
  gated?: boolean | string;
}

/** A repository at one revision (`GET /api/models/{repo}[/revision/{rev}]`): `sha` is the commit. */
export interface HubModelInfo extends HubModelSummary {
  sha?: string;
  siblings?: { rfilename: string; size?: number; blobId?: string; lfs?: { sha256?: string; size?: number } }[];
  cardData?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

/** A file of a repository at one commit, with what the hub says its bytes must hash to. */
export interface HubFile {
  path: string;
  size: number;
  /** SHA-256 of the content, reported for LFS files. */
  sha256: string | null;
  /** Git blob id (SHA-1 of `blob <size>\0<content>`), for files kept in git (no LFS). */
  blobId: string | null;
}

/** An opened hub file and what the hub reported about it. */
export interface HubFileResponse {
  response: Response;
  repoCommit: string | null;
  linkedEtag: string | null;
}

/** One entry of `GET /api/models/{repo}/tree/{rev}`. */
interface HubTreeEntry {
  type: 'file' | 'directory';
  path: string;
  size?: number;
  oid?: string;
  lfs?: { oid?: string; sha256?: string; size?: number };
}

const REPO_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}(\/[A-Za-z0-9][A-Za-z0-9._-]{0,95})?$/;
export const COMMIT_SHA = /^[0-9a-f]{40}$/;
const SHA256 = /^[0-9a-f]{64}$/;
/** Pages of a tree listing followed at most (the hub pages large repositories). */
const MAX_TREE_PAGES = 100;

/** True when `id` is a hub repository id (`name` or `owner/name`). */
export function isRepoId(id: string): boolean {
  return REPO_ID.test(id) && !id.includes('..');
}

const encodePath = (path: string) => path.split('/').map(encodeURIComponent).join('/');

/**
 * The model hub's HTTP API (Hugging Face's routes, at MODEL_HUB_URL). Every call first asks the
 * egress gate (`hub`): offline, nothing leaves.
 */
@Injectable()
export class HubClient {
  readonly baseUrl: string;

  constructor(
    config: ConfigService<AllConfig, true>,
    private readonly http: OutboundHttp,
    private readonly egress: EgressGate,
  ) {
    this.baseUrl = config.getOrThrow('modelops', { infer: true }).hubUrl;
  }

  async search(params: {
    search?: string;
    pipelineTag?: string;
    sort?: string;
    limit: number;
  }): Promise<HubModelSummary[]> {
    const query = new URLSearchParams({ limit: String(params.limit) });
    if (params.search) query.set('search', params.search);
    if (params.pipelineTag) query.set('pipeline_tag', params.pipelineTag);
    if (params.sort) {
      query.set('sort', params.sort);
      query.set('direction', '-1');
    }
    const body = await this.getJson<HubModelSummary[]>(`/api/models?${query.toString()}`, 'search');
    if (!Array.isArray(body)) throw this.unavailable('the search answer is not a list');
    return body;
  }

  /** The repository at `revision` (a branch, tag or commit; the default branch when absent). */
  async modelInfo(repo: string, revision?: string): Promise<HubModelInfo> {
    const path = revision
      ? `/api/models/${encodePath(repo)}/revision/${encodeURIComponent(revision)}?blobs=true`
      : `/api/models/${encodePath(repo)}?blobs=true`;
    const info = await this.getJson<HubModelInfo>(path, `repository ${repo}`);
    if (!info || typeof info !== 'object' || Array.isArray(info))
      throw this.unavailable('the model answer is not an object');
    return info;
  }

  /** Every file of the repository at `commit`, from the tree listing (paged by `Link: rel="next"`). */
  async listFiles(repo: string, commit: string): Promise<HubFile[]> {
    const files: HubFile[] = [];
    let next: string | undefined = `${this.baseUrl}/api/models/${encodePath(repo)}/tree/${commit}?recursive=true`;
    for (let page = 0; next && page < MAX_TREE_PAGES; page++) {
      await this.egress.assert('hub');
      const res = await this.call(() => this.http.json<HubTreeEntry[]>(next!), `files of ${repo}`);
      this.assertOk(res.status, `files of ${repo}@${commit}`);
      if (!Array.isArray(res.body)) throw this.unavailable('the tree answer is not a list');
      for (const entry of res.body) {
        if (entry.type !== 'file' || typeof entry.path !== 'string') continue;
        const lfsSha = entry.lfs?.oid ?? entry.lfs?.sha256;
        files.push({
          path: entry.path,
          size: Number(entry.lfs?.size ?? entry.size ?? 0),
          sha256: typeof lfsSha === 'string' && SHA256.test(lfsSha) ? lfsSha : null,
          blobId: !entry.lfs && typeof entry.oid === 'string' ? entry.oid : null,
        });
      }
      next = nextLink(res.headers.get('link'), this.baseUrl);
    }
    return files;
  }

  /**
   * Opens `path` at `commit` from byte `offset` (HTTP Range), following the hub's redirect to its
   * file store. Returns the answer with its body unread (200: the whole file, 206: from `offset`)
   * and what the hub said about it on the way: `X-Repo-Commit` (the commit it served) and
   * `X-Linked-Etag` (for LFS files, the content's sha256; `ETag` otherwise).
   */
  async openFile(
    repo: string,
    commit: string,
    path: string,
    options: { offset: number; signal: AbortSignal },
  ): Promise<HubFileResponse> {
    await this.egress.assert('hub');
    const url = `${this.baseUrl}/${encodePath(repo)}/resolve/${commit}/${encodePath(path)}`;
    const headers: Record<string, string> = { 'accept-encoding': 'identity' };
    if (options.offset > 0) headers.range = `bytes=${options.offset}-`;
    const seen: { repoCommit: string | null; linkedEtag: string | null } = { repoCommit: null, linkedEtag: null };
    const onHop = (h: Headers) => {
      seen.repoCommit ??= h.get('x-repo-commit');
      seen.linkedEtag ??= h.get('x-linked-etag') ?? h.get('etag');
    };
    const response = await this.call(() => this.http.request(url, { headers, signal: options.signal, onHop }), path);
    if (response.status !== 200 && response.status !== 206) {
      await response.body?.cancel();
      this.assertOk(response.status, `${repo}/${path}@${commit}`);
      throw this.unavailable(`unexpected status ${response.status} for ${path}`);
    }
    return {
      response,
      repoCommit: seen.repoCommit,
      linkedEtag: seen.linkedEtag ? unquoteEtag(seen.linkedEtag) : null,
    };
  }

  private async getJson<T>(path: string, what: string): Promise<T | undefined> {
    await this.egress.assert('hub');
    const res = await this.call(() => this.http.json<T>(`${this.baseUrl}${path}`), what);
    this.assertOk(res.status, what);
    return res.body;
  }

  private async call<T>(fn: () => Promise<T>, what: string): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof OutboundNetworkError) throw this.unavailable(`${what}: ${err.message}`);
      throw err;
    }
  }

  private assertOk(status: number, what: string): void {
    if (status >= 200 && status < 300) return;
    if (status === 404 || status === 401) {
      // The hub answers 401 for private and missing repositories alike.
      throw new ModelOpsException(HttpStatus.NOT_FOUND, ModelOpsErrorCode.HubNotFound, `The model hub has no ${what}`);
    }
    throw this.unavailable(`the hub answered ${status} for ${what}`);
  }

  private unavailable(reason: string): ModelOpsException {
    return new ModelOpsException(
      HttpStatus.BAD_GATEWAY,
      ModelOpsErrorCode.HubUnavailable,
      `Model hub error: ${reason}`,
    );
  }
}

/** `W/"abc"` → `abc`. */
function unquoteEtag(etag: string): string {
  return etag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

/** The `rel="next"` target of a Link header, kept on the hub's origin. */
function nextLink(header: string | null, baseUrl: string): string | undefined {
  const match = header ? /<([^>]+)>\s*;\s*rel="?next"?/i.exec(header) : null;
  if (!match) return undefined;
  const url = new URL(match[1], baseUrl);
  return url.origin === new URL(baseUrl).origin ? url.toString() : undefined;
}
