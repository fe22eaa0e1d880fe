import { checkComplete, mergeRuns, normalizeRun, normalizeTime, sanitizeRun, timeMicros } from './run-input.normalizer';

const id = '0190a5c4-1e1a-7000-8000-000000000001';

describe('normalizeTime', () => {
  it('keeps microseconds and brings every accepted form to UTC', () => {
    expect(normalizeTime('2025-01-01T12:00:00.123456Z', 't')).toBe('2025-01-01T12:00:00.123456Z');
    expect(normalizeTime('2025-01-01T12:00:00.1Z', 't')).toBe('2025-01-01T12:00:00.100000Z');
    expect(normalizeTime('2025-01-01T12:00:00', 't')).toBe('2025-01-01T12:00:00.000000Z');
    expect(normalizeTime('2025-01-01T14:00:00.5+02:00', 't')).toBe('2025-01-01T12:00:00.500000Z');
    expect(normalizeTime('2025-01-01 12:00:00.123456789Z', 't')).toBe('2025-01-01T12:00:00.123456Z');
    expect(normalizeTime(Date.UTC(2025, 0, 1, 12) + 0.25, 't')).toBe('2025-01-01T12:00:00.000250Z');
  });

  it('refuses what is not a date-time, with the field and the value in the reason', () => {
    expect(() => normalizeTime('yesterday', 'start_time')).toThrow(
      'start_time is not an ISO-8601 date-time: "yesterday"',
    );
    expect(() => normalizeTime('2025-02-30T00:00:00.000000Z', 'end_time')).toThrow('end_time is not a valid date-time');
    expect(() => normalizeTime(-5, 'end_time')).toThrow('epoch milliseconds between 1970 and 9999');
    expect(() => normalizeTime({}, 'end_time')).toThrow('ISO-8601 string or epoch milliseconds');
  });

  it('reads normalized times back to the microsecond', () => {
    expect(timeMicros('2025-01-01T00:00:01.000250Z') - timeMicros('2025-01-01T00:00:00.000000Z')).toBe(1_000_250);
  });
});

describe('normalizeRun', () => {
  const post = { id, name: 'agent', run_type: 'chain', start_time: '2025-01-01T00:00:00Z' };

  it('brings a post to one shape and leaves absent fields out', () => {
    const n = normalizeRun({ ...post, ID: 'ignored', child_runs: [], session_name: 'p', tags: ['a'] }, 'post');
    expect(n).toEqual({
      ok: true,
      run: {
        id,
        name: 'agent',
        runType: 'chain',
        startTime: '2025-01-01T00:00:00.000000Z',
        sessionName: 'p',
        tags: ['a'],
      },
    });
  });

  it('names the run and the field of each refusal', () => {
    expect(normalizeRun({ ...post, id: 'x' }, 'post')).toEqual({ ok: false, runId: 'x', reason: 'id must be a UUID' });
    expect(normalizeRun({ ...post, run_type: 'robot' }, 'post')).toMatchObject({ ok: false, runId: id });
    expect(normalizeRun({ ...post, inputs: [1] }, 'post')).toMatchObject({ reason: 'inputs must be a JSON object' });
    expect(normalizeRun({ ...post, parent_run_id: id }, 'post')).toMatchObject({
      reason: expect.stringMatching(/itself/),
    });
    expect(normalizeRun({ id }, 'patch')).toMatchObject({
      reason: expect.stringMatching(/must change at least one field/),
    });
    expect(normalizeRun('nope', 'post')).toMatchObject({ ok: false, runId: null });
  });

  it('checks a dotted order ends with the run itself', () => {
    const ok = `20250101T000000000001Z${id}`;
    expect(normalizeRun({ ...post, dotted_order: ok }, 'post')).toMatchObject({ ok: true, run: { dottedOrder: ok } });
    const other = `20250101T000000000001Z${'0190a5c4-1e1a-7000-8000-000000000002'}`;
    expect(normalizeRun({ ...post, dotted_order: other }, 'post')).toMatchObject({ ok: false });
    expect(normalizeRun({ ...post, dotted_order: 'garbage' }, 'post')).toMatchObject({ ok: false });
  });

  it('requires name, run type and start of a post once its patches are merged', () => {
    const partial = normalizeRun({ id, name: 'agent' }, 'post');
    const patch = normalizeRun({ id, run_type: 'llm', start_time: 1, end_time: 2 }, 'patch');
    if (!partial.ok || !patch.ok) throw new Error('unexpected');
    expect(checkComplete(partial.run)).toBe('a run needs run_type, start_time');
    expect(checkComplete(mergeRuns(partial.run, patch.run))).toBeNull();
    const backwards = normalizeRun({ ...post, end_time: '2024-12-31T23:59:59Z' }, 'post');
    if (!backwards.ok) throw new Error('unexpected');
    expect(checkComplete(backwards.run)).toMatch(/is before start_time/);
  });
});

describe('sanitizeRun', () => {
  it('replaces NUL characters and lone surrogates everywhere, keys included', () => {
    const run = { id, inputs: { 'k\u0000': ['a\u0000b', '\ud800x', '😀'] }, error: 'e\u0000' };
    expect(sanitizeRun(run)).toBe(true);
    expect(run).toEqual({ id, inputs: { 'k\ufffd': ['a\ufffdb', '\ufffdx', '😀'] }, error: 'e\ufffd' });
    expect(sanitizeRun({ id, inputs: { fine: '😀' } })).toBe(false);
  });
});
