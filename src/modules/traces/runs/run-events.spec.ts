import { fit } from './run-events.appender';
import { runSessionEvents, usageOf } from './run-events';

const run = {
  id: '0190a5c4-1e1a-7000-8000-000000000001',
  traceId: '0190a5c4-1e1a-7000-8000-000000000001',
  parentRunId: null,
  name: 'agent',
  runType: 'llm',
  status: 'failed' as const,
  startTime: '2025-01-01T00:00:00.000000Z',
  endTime: '2025-01-01T00:00:01.500000Z',
  inputs: { q: 'hi' },
  outputs: { usage_metadata: { input_tokens: 3, output_tokens: 4, total_tokens: 7 } },
  error: 'boom',
};

describe('run session events', () => {
  it('logs start, typed events, end and, for a root, the session end, with stable keys', () => {
    const events = runSessionEvents(run, {
      start: true,
      extra: [{ type: 'llm.call', key: 'otel:1:llm.call', payload: { call_id: 'c', model: 'm' } }],
    }).map((e) => e.event);
    expect(events.map((e) => [e.type, e.idempotency_key])).toEqual([
      ['run.start', `run:${run.id}:start`],
      ['llm.call', 'otel:1:llm.call'],
      ['run.end', `run:${run.id}:end`],
      ['session.end', `run:${run.id}:session.end`],
    ]);
    expect(events[2].payload).toMatchObject({
      status: 'failed',
      duration_ms: 1500,
      error: 'boom',
      usage: { total_tokens: 7 },
    });
    expect(events[3].payload).toEqual({ status: 'failed', output: run.outputs, error: 'boom' });
  });

  it('reads token use in the shapes LLM libraries write it', () => {
    expect(usageOf({ llm_output: { token_usage: { prompt_tokens: 1, completion_tokens: 2 } } })).toEqual({
      input_tokens: 1,
      output_tokens: 2,
    });
    expect(usageOf({ usage: { input_tokens: -1 } })).toBeUndefined();
  });

  it('shrinks a run event past the size limit, keeping its identity, and refuses other events', () => {
    const [start] = runSessionEvents({ ...run, inputs: { text: 'x'.repeat(5000) } }, { start: true }).map(
      (e) => e.event,
    );
    const fitted = fit(start, 1000);
    expect(fitted?.payload).toMatchObject({
      run_id: run.id,
      name: 'agent',
      inputs: { _truncated: true, _bytes: 5011 },
    });
    expect(fitted?.payloadJson).toBe(JSON.stringify(fitted?.payload));
    expect(fit({ idempotency_key: 'k', type: 'acme/x', payload: { big: 'x'.repeat(5000) } }, 1000)).toBeNull();
  });
});
