import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  S3ClientConfig,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { PayloadTooLargeAppException } from 'src/common/errors/app.exception';
import type { AllConfig } from 'src/config/configuration';
import { meterBody, payloadTooLarge } from 'src/storage/body-meter';
import { attachmentDisposition } from 'src/storage/content-disposition';
import {
  assertValidContentType,
  assertValidObjectKey,
  ObjectReadResult,
  ObjectStorage,
  PutObjectOptions,
  resolveSignedUrlTtl,
  SignedUrlOptions,
  StoredObject,
} from 'src/storage/object-storage';
import { DEFAULT_CONTENT_TYPE, S3_UPLOAD_PART_SIZE_BYTES, S3_UPLOAD_QUEUE_SIZE } from 'src/storage/storage.constants';
import { ObjectNotFoundException } from 'src/storage/storage.exception';

/** `storage.s3` from config. */
export type S3Settings = NonNullable<AllConfig['storage']['s3']>;

export interface S3ObjectStorageOptions {
  s3: S3Settings;
  /** `storage.signedUrlTtlSeconds`. */
  signedUrlTtlSeconds: number;
  /** Multipart part size (at least 5 MiB); defaults to 8 MiB. */
  partSizeBytes?: number;
  /** Parts uploaded at once; defaults to 4. */
  queueSize?: number;
}

/**
 * Objects in an S3 (or S3-compatible) bucket. Puts stream through `@aws-sdk/lib-storage`'s
 * multipart `Upload` (memory held: about part size × queue size); size and SHA-256 are taken on
 * the way through, and an over-limit body aborts the multipart upload so no object appears.
 */
export class S3ObjectStorage extends ObjectStorage implements OnModuleInit, OnModuleDestroy {
  readonly driver = 's3';
  private readonly logger = new Logger(S3ObjectStorage.name);
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(private readonly options: S3ObjectStorageOptions) {
    super();
    const { s3 } = options;
    this.bucket = s3.bucket;
    const config: S3ClientConfig = {
      region: s3.region,
      forcePathStyle: s3.forcePathStyle,
    };
    if (s3.endpoint) {
      config.endpoint = s3.endpoint;
      // S3-compatible servers (MinIO, Ceph, R2, s3rver...) often lack the SDK's default
      // CRC32 request/response checksums; our own SHA-256 covers integrity end to end.
      config.requestChecksumCalculation = 'WHEN_REQUIRED';
      config.responseChecksumValidation = 'WHEN_REQUIRED';
    }
    // Without both keys the SDK's default chain applies (environment, profile, IAM role).
    if (s3.accessKeyId && s3.secretAccessKey) {
      config.credentials = {
        accessKeyId: s3.accessKeyId,
        secretAccessKey: s3.secretAccessKey,
      };
    }
    this.client = new S3Client(config);
  }

  onModuleInit(): void {
    const at = this.options.s3.endpoint ? ` at ${new URL(this.options.s3.endpoint).origin}` : '';
    this.logger.log(`Object storage: S3 bucket ${this.bucket}${at}`);
  }

  onModuleDestroy(): void {
    this.client.destroy();
  }

  async put(key: string, body: Readable | Buffer, opts: PutObjectOptions): Promise<StoredObject> {
    assertValidObjectKey(key);
    assertValidContentType(opts.contentType);
    const meter = meterBody(body, opts.maxBytes);
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key: key,
        Body: meter,
        ContentType: opts.contentType,
      },
      partSize: this.options.partSizeBytes ?? S3_UPLOAD_PART_SIZE_BYTES,
      queueSize: this.options.queueSize ?? S3_UPLOAD_QUEUE_SIZE,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (err) {
      meter.destroy();
      if (!meter.exceeded) throw err;
      if (!(err instanceof PayloadTooLargeAppException)) {
        // lib-storage reports a failed AbortMultipartUpload instead of the original error.
        this.logger.warn(
          `Aborting the over-limit multipart upload of ${key} failed (${errorName(err)}); its parts stay ` +
            'until the bucket lifecycle rule for incomplete multipart uploads removes them',
        );
      }
      throw payloadTooLarge(opts.maxBytes ?? 0);
    }
    return {
      key,
      size: meter.bytesPassed,
      sha256: meter.sha256(),
      contentType: opts.contentType,
    };
  }

  async get(key: string): Promise<ObjectReadResult> {
    assertValidObjectKey(key);
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!(res.Body instanceof Readable) || res.ContentLength === undefined) {
        throw new Error('S3 answered GetObject without a body stream or a Content-Length');
      }
      return {
        stream: res.Body,
        size: res.ContentLength,
        contentType: res.ContentType ?? DEFAULT_CONTENT_TYPE,
      };
    } catch (err) {
      if (isNoSuchKey(err)) throw new ObjectNotFoundException();
      throw err;
    }
  }

  async exists(key: string): Promise<boolean> {
    assertValidObjectKey(key);
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (err) {
      if (isNoSuchKey(err)) return false;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    assertValidObjectKey(key);
    // S3 answers 204 whether or not the object existed.
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async deleteUnder(prefix: string): Promise<void> {
    assertValidObjectKey(prefix);
    // A page of at most 1000 keys, deleted in one request, until the listing is empty.
    for (;;) {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${prefix}/`, MaxKeys: 1000 }),
      );
      const objects = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
      if (objects.length === 0) return;
      const result = await this.client.send(
        new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: objects, Quiet: true } }),
      );
      const failed = result.Errors ?? [];
      if (failed.length > 0) {
        throw new Error(
          `S3 kept ${failed.length} object(s) under ${prefix}/: ${failed[0].Code ?? 'error'} ${failed[0].Key ?? ''}`,
        );
      }
    }
  }

  async signedUrl(key: string, opts: SignedUrlOptions = {}): Promise<string> {
    assertValidObjectKey(key);
    const expiresIn = resolveSignedUrlTtl(opts.expiresInSeconds, this.options.signedUrlTtlSeconds);
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ResponseContentDisposition: opts.filename === undefined ? undefined : attachmentDisposition(opts.filename),
    });
    return getSignedUrl(this.client, command, { expiresIn });
  }
}

/** GetObject says NoSuchKey; HeadObject has no body, so only NotFound. */
function isNoSuchKey(err: unknown): boolean {
  return err instanceof S3ServiceException && (err.name === 'NoSuchKey' || err.name === 'NotFound');
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}
