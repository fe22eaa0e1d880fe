import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  ListObjectsV2Command,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { describeObjectStorageContract, expectAppError } from 'src/storage/object-storage.contract';
import { S3ObjectStorage, S3Settings } from 'src/storage/s3.driver';
import { presignedUrlSignatureMatches } from 'src/storage/testing/sigv4-presigned-url';
import { randomStream } from 'src/storage/testing/streams';

// s3rver's built-in account.
const ACCESS_KEY_ID = 'S3RVER';
const SECRET_ACCESS_KEY = 'S3RVER';
const BUCKET = 'flightdeck-test';
const MiB = 1024 * 1024;

describe('S3ObjectStorage (against s3rver)', () => {
  let directory: string;
  let server: S3rver;
  let admin: S3Client;
  let settings: S3Settings;
  let storage: S3ObjectStorage;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'flightdeck-s3rver-'));
    server = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory,
    });
    const { port } = await server.run();
    settings = {
      bucket: BUCKET,
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET_ACCESS_KEY,
      forcePathStyle: true,
    };
    admin = new S3Client({
      endpoint: settings.endpoint,
      region: settings.region,
      forcePathStyle: true,
      credentials: {
        accessKeyId: ACCESS_KEY_ID,
        secretAccessKey: SECRET_ACCESS_KEY,
      },
    });
    await admin.send(new CreateBucketCommand({ Bucket: BUCKET }));
    // The smallest part size S3 allows, so that the multi-megabyte tests go multipart.
    storage = new S3ObjectStorage({
      s3: settings,
      signedUrlTtlSeconds: 300,
      partSizeBytes: 5 * MiB,
    });
    storage.onModuleInit();
  });

  afterAll(async () => {
    storage.onModuleDestroy();
    admin.destroy();
    await server.close();
    await rm(directory, { recursive: true, force: true });
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  describeObjectStorageContract({
    storage: () => storage,
    fetchSigned: async (url) => {
      // s3rver checks expiry and access key but not the SigV4 signature; S3 checks all three.
      if (!presignedUrlSignatureMatches(url, SECRET_ACCESS_KEY)) return { status: 403 };
      const res = await fetch(url);
      return {
        status: res.status,
        body: Buffer.from(await res.arrayBuffer()),
        contentType: res.headers.get('content-type'),
        contentDisposition: res.headers.get('content-disposition'),
      };
    },
    listStored: async (prefix) => {
      const listed = await admin.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
      return (listed.Contents ?? []).map((o) => o.Key ?? '');
    },
    signatureParam: 'X-Amz-Signature',
  });

  it('aborts the multipart upload when the body passes maxBytes after parts were sent', async () => {
    const send = jest.spyOn(S3Client.prototype, 'send');
    const key = 'limits/multipart-over.bin';

    await expectAppError(
      storage.put(key, randomStream(16 * MiB).stream, {
        contentType: 'application/octet-stream',
        maxBytes: 11 * MiB,
      }),
      413,
      'payload_too_large',
    );

    const commands = send.mock.calls.map(([command]) => command);
    const parts = commands.filter((c) => c instanceof UploadPartCommand);
    const aborts = commands.filter((c) => c instanceof AbortMultipartUploadCommand);
    expect(parts.length).toBeGreaterThanOrEqual(1);
    expect(aborts).toHaveLength(1);
    expect(aborts[0].input).toMatchObject({
      Bucket: BUCKET,
      Key: key,
      UploadId: expect.any(String) as string,
    });
    await expect(storage.exists(key)).resolves.toBe(false);
  }, 60_000);

  it('sends nothing to S3 for a body that passes maxBytes within the first part', async () => {
    const send = jest.spyOn(S3Client.prototype, 'send');

    await expectAppError(
      storage.put('limits/small-over.bin', randomStream(3 * MiB).stream, {
        contentType: 'text/plain',
        maxBytes: MiB,
      }),
      413,
      'payload_too_large',
    );

    expect(send).not.toHaveBeenCalled();
  });

  it('presigns a GetObject URL on the configured endpoint with the requested lifetime', async () => {
    const url = new URL(
      await storage.signedUrl('presign/doc.txt', {
        expiresInSeconds: 90,
        filename: 'doc.txt',
      }),
    );

    expect(`${url.origin}${url.pathname}`).toBe(`${settings.endpoint}/${BUCKET}/presign/doc.txt`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('90');
    expect(url.searchParams.get('response-content-disposition')).toBe(
      `attachment; filename="doc.txt"; filename*=UTF-8''doc.txt`,
    );
    expect(presignedUrlSignatureMatches(url.toString(), SECRET_ACCESS_KEY)).toBe(true);
    expect(presignedUrlSignatureMatches(url.toString(), 'another secret')).toBe(false);
  });

  it('refuses a URL whose signed file name was swapped', async () => {
    const url = new URL(await storage.signedUrl('presign/doc.txt', { filename: 'doc.txt' }));
    url.searchParams.set('response-content-disposition', 'inline');

    expect(presignedUrlSignatureMatches(url.toString(), SECRET_ACCESS_KEY)).toBe(false);
  });
});
