import { Transform, TransformCallback, Writable } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
import { HttpStatus } from '@nestjs/common';
import busboy from 'busboy';
import type { Request } from 'express';
import { PayloadTooLargeAppException } from 'src/common/errors/app.exception';
import type { RunAttachmentRef } from 'src/modules/traces/runs/entities/run.entity';
import type { RunIngestError } from 'src/modules/traces/runs/runs.types';
import { LangsmithErrorCode, LangsmithException, MalformedMultipartException } from '../langsmith.exception';
import { MULTIPART_MAX_PARTS } from '../langsmith.constants';

/** The operations of a `POST /runs/multipart` body, reassembled from their parts. */
export interface RunsMultipart {
  post: Record<string, unknown>[];
  patch: Record<string, unknown>[];
  feedback: unknown[];
  /** Attachments written to object storage, by run id and name. */
  attachments: Map<string, Record<string, RunAttachmentRef>>;
  /** Parts that could not be used (the rest of the body is). */
  errors: RunIngestError[];
}

export interface RunsMultipartOptions {
  /** Bytes on the wire (compressed, if it is). */
  limitBytes: number;
  /** Bytes once inflated. */
  inflatedLimitBytes: number;
  storeAttachment(runId: string, name: string, contentType: string, data: Buffer): Promise<RunAttachmentRef>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Fields the SDK sends as parts of their own: `post.<id>.inputs`, ... */
const RUN_FIELDS = new Set(['inputs', 'outputs', 'events', 'extra', 'error', 'serialized']);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Counts bytes through; fails with 413 past the limit. */
class ByteMeter extends Transform {
  bytes = 0;

  constructor(
    private readonly limit: number,
    private readonly what: string,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) {
      callback(new PayloadTooLargeAppException(`The ${this.what} exceeds the limit of ${this.limit} bytes`));
      return;
    }
    callback(null, chunk);
  }
}

/**
 * A part's value as busboy hands it over. It reads parts without a declared charset (every part
 * the SDK sends) as latin1, i.e. byte for byte; a part that declares one is decoded with it.
 */
function partBytes(value: string): Buffer {
  for (let i = 0; i < value.length; i++) {
    if (value.charCodeAt(i) > 0xff) return Buffer.from(value, 'utf8'); // decoded from a declared charset
  }
  return Buffer.from(value, 'latin1');
}

function partText(value: string): string {
  const bytes = partBytes(value);
  try {
    return utf8.decode(bytes);
  } catch {
    return value; // already text (a declared latin1-range charset): take it as it is
  }
}

function encodingOf(req: Request): 'identity' | 'gzip' | 'deflate' {
  const value = String(req.headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  if (value === '' || value === 'identity') return 'identity';
  if (value === 'gzip' || value === 'x-gzip') return 'gzip';
  if (value === 'deflate') return 'deflate';
  throw new LangsmithException(
    HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    LangsmithErrorCode.UnsupportedEncoding,
    `Content-Encoding ${value} is not supported here; send the body uncompressed or gzip-compressed`,
  );
}

/**
 * Reads a LangSmith multipart body (`post.<id>`, `patch.<id>`, `post.<id>.<field>`,
 * `attachment.<id>.<name>`, `feedback.<id>` parts; gzip or not; streamed or not) with bounded
 * memory: the wire and inflated sizes are capped, so are the number and size of parts. A part
 * that cannot be used (unknown name, bad JSON, a field without its run) is listed in `errors`
 * under its run and the run left out; the other parts are kept. A body that cannot be read as
 * multipart at all is a 400, one past a limit a 413. The rest of the request is drained either
 * way, so the client reads the answer.
 */
export async function readRunsMultipart(req: Request, options: RunsMultipartOptions): Promise<RunsMultipart> {
  const encoding = encodingOf(req);
  const length = Number(req.headers['content-length']);
  if (Number.isFinite(length) && length > options.limitBytes) {
    req.resume();
    throw new PayloadTooLargeAppException(`The body exceeds the limit of ${options.limitBytes} bytes`);
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      defCharset: 'latin1',
      limits: {
        fieldNameSize: 1000,
        fieldSize: options.inflatedLimitBytes + 1,
        fields: MULTIPART_MAX_PARTS,
        files: MULTIPART_MAX_PARTS,
        parts: MULTIPART_MAX_PARTS,
      },
    });
  } catch {
    req.resume();
    throw new MalformedMultipartException('The multipart/form-data boundary is missing or invalid');
  }

  const out: RunsMultipart = { post: [], patch: [], feedback: [], attachments: new Map(), errors: [] };
  /** Run operations by `post.<id>` / `patch.<id>`: the main part and the field parts. */
  const ops = new Map<
    string,
    { method: 'post' | 'patch'; id: string; main?: Record<string, unknown>; fields: Record<string, unknown> }
  >();
  const broken = new Set<string>();
  const stores: Promise<void>[] = [];
  const refuse = (runId: string | null, part: string, reason: string, opKey?: string) => {
    if (opKey) broken.add(opKey);
    out.errors.push({ run_id: runId, code: 'invalid', reason: `part ${part} refused: ${reason}` });
  };

  parser.on('field', (name: string, value: string, info: busboy.FieldInfo) => {
    if (info.nameTruncated) return refuse(null, name.slice(0, 100), 'the part name is too long');
    if (info.valueTruncated) {
      parser.emit('error', new PayloadTooLargeAppException(`Part ${name} exceeds ${options.inflatedLimitBytes} bytes`));
      return;
    }
    const [kind, id, ...rest] = name.split('.');
    if (!id || !UUID.test(id)) return refuse(null, name, 'the part name must be <kind>.<uuid>[.<field>]');
    const runId = id.toLowerCase();
    if (kind === 'attachment') {
      const attachment = rest.join('.');
      if (!attachment || attachment.length > 200)
        return refuse(runId, name, 'the attachment name must be 1 to 200 characters');
      const bytes = partBytes(value);
      stores.push(
        options.storeAttachment(runId, attachment, info.mimeType, bytes).then((ref) => {
          const files = out.attachments.get(runId) ?? {};
          files[attachment] = ref;
          out.attachments.set(runId, files);
        }),
      );
      return;
    }
    if (kind !== 'post' && kind !== 'patch' && kind !== 'feedback') {
      return refuse(runId, name, 'the part name must start with post, patch, attachment or feedback');
    }
    const opKey = `${kind}.${runId}`;
    const text = partText(value);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return refuse(runId, name, 'it is not valid JSON', opKey);
    }
    if (kind === 'feedback') {
      if (rest.length > 0) return refuse(runId, name, 'feedback is sent as one part, feedback.<id>');
      out.feedback.push(
        parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? { id: runId, ...parsed } : parsed,
      );
      return;
    }
    const op = ops.get(opKey) ?? { method: kind, id: runId, fields: {} };
    ops.set(opKey, op);
    if (rest.length === 0) {
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
        return refuse(runId, name, 'it must be a JSON object', opKey);
      }
      const body = parsed as Record<string, unknown>;
      if (body.id !== undefined && (typeof body.id !== 'string' || body.id.toLowerCase() !== runId)) {
        return refuse(runId, name, `its id ${JSON.stringify(body.id)} differs from the part name`, opKey);
      }
      op.main = body;
    } else if (rest.length === 1 && RUN_FIELDS.has(rest[0])) {
      op.fields[rest[0]] = parsed;
    } else {
      refuse(runId, name, `${rest.join('.')} is not a run field (${[...RUN_FIELDS].join(', ')})`, opKey);
    }
  });
  // Only parts with a file name or of type application/octet-stream arrive as files.
  parser.on('file', (name: string, stream: NodeJS.ReadableStream, info: busboy.FileInfo) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      const [kind, id, ...rest] = name.split('.');
      if (kind !== 'attachment' || !id || !UUID.test(id) || rest.length === 0) {
        refuse(null, name.slice(0, 100), 'only attachment.<run id>.<name> parts may carry a file');
        return;
      }
      const runId = id.toLowerCase();
      const attachment = rest.join('.');
      stores.push(
        options.storeAttachment(runId, attachment, info.mimeType, Buffer.concat(chunks)).then((ref) => {
          const files = out.attachments.get(runId) ?? {};
          files[attachment] = ref;
          out.attachments.set(runId, files);
        }),
      );
    });
  });

  await consume(req, encoding, parser, options);
  await Promise.all(stores);

  for (const [key, op] of ops) {
    if (broken.has(key)) continue;
    if (!op.main) {
      refuse(op.id, `${key}.${Object.keys(op.fields).join('|')}`, `it came without its ${key} part`);
      continue;
    }
    const run = { ...op.main, ...op.fields, id: op.id };
    (op.method === 'post' ? out.post : out.patch).push(run);
  }
  return out;
}

/** Streams the body into the parser; resolves once every part is read. Drains what is left on failure. */
function consume(
  req: Request,
  encoding: 'identity' | 'gzip' | 'deflate',
  parser: busboy.Busboy,
  options: RunsMultipartOptions,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const wire = new ByteMeter(options.limitBytes, 'body');
    const inflated = new ByteMeter(options.inflatedLimitBytes, 'inflated body');
    const inflate = encoding === 'gzip' ? createGunzip() : encoding === 'deflate' ? createInflate() : null;
    const stages: (Transform | Writable)[] = [wire, ...(inflate ? [inflate, inflated] : []), parser];
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      req.unpipe(wire);
      req.resume(); // discard the rest, so that the client reads our answer
      if (error instanceof PayloadTooLargeAppException || error instanceof LangsmithException) reject(error);
      else if (inflate && /^Z_/.test(String((error as NodeJS.ErrnoException | undefined)?.code))) {
        reject(new MalformedMultipartException(`The ${encoding} body could not be inflated`));
      } else {
        const message = error instanceof Error ? error.message : String(error);
        reject(new MalformedMultipartException(`The multipart/form-data body could not be read: ${message}`));
      }
    };
    for (const stage of stages) stage.on('error', fail);
    req.on('aborted', () => fail(new Error('the client aborted the request')));
    req.on('error', fail);
    const tooMany = () => fail(new PayloadTooLargeAppException(`A body carries at most ${MULTIPART_MAX_PARTS} parts`));
    parser.on('partsLimit', tooMany);
    parser.on('fieldsLimit', tooMany);
    parser.on('filesLimit', tooMany);
    parser.on('close', () => {
      if (settled) return;
      settled = true;
      resolve();
    });
    let source: NodeJS.ReadableStream = req.pipe(wire);
    if (inflate) source = source.pipe(inflate).pipe(inflated);
    source.pipe(parser);
  });
}
