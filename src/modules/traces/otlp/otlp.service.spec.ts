import { Logger, StreamableFile } from '@nestjs/common';
import type { Principal } from 'src/modules/auth/principal';
import type { RunsIngestService } from 'src/modules/traces/runs/runs-ingest.service';
import type { RunBatchInput, RunExtraEvents, RunIngestResult } from 'src/modules/traces/runs/runs.types';
import { decodeProtobufResponse, encodeProtobufRequest } from './otlp-codec';
import { spanIdToUuid } from './otlp-ids';
import { OtlpInvalidRequestException, OtlpUnavailableException } from './otlp.exception';
import { OtlpService } from './otlp.service';

const principal: Principal = {
  kind: 'api_key',
  userId: 'u',
  email: 'u@example.test',
  isSuperadmin: false,
  workspaceId: 'w',
  role: 'member',
  projectId: null,
  apiKeyId: 'k',
};
const TRACE = '0af7651916cd43dd8448eb211c80319c';
const A = '1111111111111111';
const B = '2222222222222222';

const json = (spans: object[]) => ({
  resourceSpans: [
    {
      scopeSpans: [
        {
          spans: spans.map((s) => ({
            traceId: TRACE,
            name: 'span',
            startTimeUnixNano: '1735732800000000000',
            endTimeUnixNano: '1735732801000000000',
            ...s,
          })),
        },
      ],
    },
  ],
});

/** A run layer that answers what the test says and records what it was given. */
function fakeRuns(answer: (batch: RunBatchInput) => Promise<RunIngestResult>) {
  const calls: { batch: RunBatchInput; events?: RunExtraEvents }[] = [];
  const runs = {
    ingest: (_p: Principal, batch: RunBatchInput, _source: string, events?: RunExtraEvents) => {
      calls.push({ batch, events });
      return answer(batch);
    },
  } as unknown as RunsIngestService;
  return { runs, calls };
}
const stored = (batch: RunBatchInput): Promise<RunIngestResult> =>
  Promise.resolve({ success: true, created_count: batch.post.length, updated_count: 0, errors: [] });

describe('OtlpService', () => {
  it('hands the mapped runs and their typed events to the run layer as posts from "otlp"', async () => {
    const { runs, calls } = fakeRuns(stored);
    const answer = await new OtlpService(runs).export(
      principal,
      json([{ spanId: A, attributes: [{ key: 'gen_ai.operation.name', value: { stringValue: 'chat' } }] }]),
      'application/json; charset=utf-8',
    );
    expect(answer).toEqual({});
    expect(calls).toHaveLength(1);
    expect(calls[0].batch.patch).toEqual([]);
    expect(calls[0].batch.post.map((r) => r.id)).toEqual([spanIdToUuid(TRACE, A)]);
    expect(calls[0].events?.get(spanIdToUuid(TRACE, A))?.map((e) => e.type)).toEqual(['llm.call', 'llm.result']);
  });

  it('answers protobuf to protobuf, counting spans refused by the decoder, the mapper and the run layer', async () => {
    const { runs } = fakeRuns((batch) =>
      Promise.resolve({
        success: false,
        created_count: batch.post.length - 1,
        updated_count: 0,
        errors: [{ run_id: spanIdToUuid(TRACE, B), code: 'forbidden', reason: 'post refused: pinned elsewhere' }],
      }),
    );
    const span = (spanId: string, extra: object = {}) => ({
      traceId: Buffer.from(TRACE, 'hex'),
      spanId: Buffer.from(spanId, 'hex'),
      startTimeUnixNano: '1735732800000000000',
      ...extra,
    });
    const body = Buffer.from(
      encodeProtobufRequest({
        resourceSpans: [
          { scopeSpans: [{ spans: [span(A), span(B), span('3333333333333333', { traceId: Buffer.alloc(3) })] }] },
        ],
      }),
    );
    const answer = await new OtlpService(runs).export(principal, body, 'application/x-protobuf');
    expect(answer).toBeInstanceOf(StreamableFile);
    const bytes = await new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      const stream = (answer as StreamableFile).getStream();
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    });
    const decoded = decodeProtobufResponse(bytes) as {
      partialSuccess: { rejectedSpans: number; errorMessage: string };
    };
    expect(decoded.partialSuccess.rejectedSpans).toBe(2);
    expect(decoded.partialSuccess.errorMessage).toContain(`span ${TRACE}/${B}: post refused: pinned elsewhere`);
    expect(decoded.partialSuccess.errorMessage).toContain('traceId must be 16 bytes');
  });

  it('reports a refused typed event as a warning: the span is stored, rejectedSpans stays 0', async () => {
    const { runs } = fakeRuns((batch) =>
      Promise.resolve({
        success: false,
        created_count: batch.post.length,
        updated_count: 0,
        errors: [{ run_id: spanIdToUuid(TRACE, A), code: 'invalid', reason: 'event llm.call refused: too large' }],
      }),
    );
    const answer = await new OtlpService(runs).export(principal, json([{ spanId: A }]), 'application/json');
    expect(answer).toEqual({
      partialSuccess: {
        rejectedSpans: '0',
        errorMessage: expect.stringMatching(/^All spans stored, with warnings\. .*event llm\.call refused: too large/),
      },
    });
  });

  it('counts an error it cannot place on a span as a refused span', async () => {
    const { runs } = fakeRuns(() =>
      Promise.resolve({
        success: false,
        created_count: 0,
        updated_count: 0,
        errors: [{ run_id: null, code: 'invalid', reason: 'something else' }],
      }),
    );
    const answer = await new OtlpService(runs).export(principal, json([{ spanId: A }]), 'application/json');
    expect(answer).toMatchObject({ partialSuccess: { rejectedSpans: '1' } });
  });

  it('does not call the run layer for a request without valid spans, nor for an empty body', async () => {
    const { runs, calls } = fakeRuns(stored);
    const service = new OtlpService(runs);
    expect(await service.export(principal, json([{ spanId: 'xyz' }]), 'application/json')).toMatchObject({
      partialSuccess: { rejectedSpans: '1' },
    });
    expect(await service.export(principal, undefined, 'application/x-protobuf')).toBeInstanceOf(StreamableFile);
    expect(calls).toEqual([]);
  });

  it('refuses an undecodable body with 400', async () => {
    const { runs } = fakeRuns(stored);
    await expect(
      new OtlpService(runs).export(principal, Buffer.from('not protobuf at all'), 'application/x-protobuf'),
    ).rejects.toBeInstanceOf(OtlpInvalidRequestException);
    await expect(new OtlpService(runs).export(principal, [], 'application/json')).rejects.toBeInstanceOf(
      OtlpInvalidRequestException,
    );
  });

  it('answers 503 with Retry-After when storing fails on our side, so the exporter retries', async () => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const { runs } = fakeRuns(() => Promise.reject(new Error('connect ECONNREFUSED')));
    const error = await new OtlpService(runs)
      .export(principal, json([{ spanId: A }]), 'application/json')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OtlpUnavailableException);
    expect((error as OtlpUnavailableException).getStatus()).toBe(503);
    expect((error as OtlpUnavailableException).extras.retryAfterSeconds).toBeGreaterThan(0);
  });
});
