import fc from 'fast-check';
import { contextFor, session, SessionBuilder } from 'test/fixtures/detector-sessions';
import { compareEvents } from './session-view';
import { runDetectors } from './run-detectors';
import type { DetectorContext, DetectorEvent } from './types';

const TOOLS = ['search', 'pay', 'lookup', 'send_email', 'shell.exec'];
const ERRORS = ['TimeoutError: took 30s', 'HTTP 503 Service Unavailable', 'ECONNRESET', "no row for 'x'"];

/** One agent move; sessions are random sequences of them. */
const move = fc.oneof(
  fc.record({
    kind: fc.constant('ok' as const),
    tool: fc.constantFrom(...TOOLS),
    arg: fc.integer({ min: 0, max: 2 }),
    out: fc.integer({ min: 0, max: 3 }),
  }),
  fc.record({
    kind: fc.constant('fail' as const),
    tool: fc.constantFrom(...TOOLS),
    arg: fc.integer({ min: 0, max: 2 }),
    error: fc.constantFrom(...ERRORS),
    attempt: fc.integer({ min: 1, max: 4 }),
  }),
  fc.record({ kind: fc.constant('pending' as const), tool: fc.constantFrom(...TOOLS) }),
  fc.record({
    kind: fc.constant('llm' as const),
    tokens: fc.integer({ min: 0, max: 5000 }),
    cost: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
  fc.record({ kind: fc.constant('step' as const), out: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }) }),
  fc.record({ kind: fc.constant('user' as const) }),
  fc.record({
    kind: fc.constant('assistant' as const),
    text: fc.constantFrom('Done, all set.', 'Sorry, it failed.', 'Working on it'),
  }),
  fc.record({ kind: fc.constant('question' as const), answered: fc.boolean() }),
  fc.record({ kind: fc.constant('error' as const), attempt: fc.integer({ min: 1, max: 4 }) }),
);

type Move = typeof move extends fc.Arbitrary<infer T> ? T : never;

function build(moves: Move[], end: 'completed' | 'failed' | null): DetectorEvent[] {
  const s: SessionBuilder = session();
  moves.forEach((m, i) => {
    const id = `c${i}`;
    switch (m.kind) {
      case 'ok':
        s.call(id, m.tool, { n: m.arg }).ok(id, { v: m.out });
        break;
      case 'fail':
        s.call(id, m.tool, { n: m.arg }).fail(id, m.error, { attempt: m.attempt });
        break;
      case 'pending':
        s.call(id, m.tool);
        break;
      case 'llm':
        s.llm(id, 'gpt-x', { total_tokens: m.tokens, cost_usd: m.cost });
        break;
      case 'step':
        s.step('think', m.out);
        break;
      case 'user':
        s.user('please help');
        break;
      case 'assistant':
        s.assistant(m.text);
        break;
      case 'question':
        s.question(id, 'Proceed?');
        if (m.answered) s.answer(id, 'yes');
        break;
      case 'error':
        s.error('quota exceeded', { attempt: m.attempt });
        break;
    }
  });
  if (end) s.end(end);
  return s.events;
}

const contextArb = fc.record({
  thresholds: fc.record({
    loopMinRepeats: fc.integer({ min: 2, max: 4 }),
    noProgressSteps: fc.integer({ min: 2, max: 6 }),
    maxRetries: fc.integer({ min: 1, max: 4 }),
    maxTokens: fc.integer({ min: 1000, max: 20_000 }),
    maxCostUsd: fc.double({ min: 0.5, max: 3, noNaN: true }),
  }),
  toolPolicy: fc.option(fc.subarray(TOOLS), { nil: null }),
  toolNames: fc.option(fc.subarray(TOOLS), { nil: null }),
  idleMs: fc.constantFrom(0, 7_200_000),
});

/** A delivery of the same events: shuffled, cut into batches, batches arriving in any order. */
const arrival = (events: DetectorEvent[]) =>
  fc
    .tuple(
      fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
      fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 20 }),
      fc.infiniteStream(fc.integer()),
    )
    .map(([shuffled, sizes, keys]) => {
      const batches: DetectorEvent[][] = [];
      for (let i = 0, b = 0; i < shuffled.length; b++) {
        const size = sizes[b % sizes.length];
        batches.push(shuffled.slice(i, i + size));
        i += size;
      }
      const order = [...keys.take(batches.length)];
      return batches
        .map((batch, i) => ({ batch, key: order[i] }))
        .sort((a, b) => a.key - b.key)
        .flatMap((b) => b.batch);
    });

const sessionArb = fc
  .tuple(fc.array(move, { maxLength: 25 }), fc.constantFrom('completed' as const, 'failed' as const, null), contextArb)
  .map(([moves, end, c]) => {
    const events = build(moves, end);
    const context: DetectorContext = contextFor(events, {
      thresholds: c.thresholds,
      toolPolicy: c.toolPolicy,
      toolNames: c.toolNames,
      session: { idleMs: c.idleMs },
    });
    return { events, context };
  });

describe('detectors: properties', () => {
  it('give the same findings, labels, critical step and digest whatever the arrival order and batches', () => {
    fc.assert(
      fc.property(
        sessionArb.chain((s) => arrival(s.events).map((arrived) => ({ ...s, arrived }))),
        ({ events, context, arrived }) => {
          // What the store does: it keeps the events and serves them by (seq, sub_seq).
          const stored = [...arrived].sort(compareEvents);
          expect(runDetectors(stored, context)).toEqual(runDetectors(events, context));
          expect(runDetectors(arrived, context)).toEqual(runDetectors(events, context));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keep every confidence in [0, 1] and every critical step among the evidence and the events', () => {
    fc.assert(
      fc.property(sessionArb, ({ events, context }) => {
        const result = runDetectors(events, context);
        const seqs = new Set(events.map((e) => e.seq));
        for (const f of result.findings) {
          expect(f.confidence).toBeGreaterThanOrEqual(0);
          expect(f.confidence).toBeLessThanOrEqual(1);
          expect(seqs.has(f.criticalStep)).toBe(true);
          expect(f.evidence).toContain(f.criticalStep);
          expect([...f.evidence].sort((a, b) => a - b)).toEqual(f.evidence);
        }
        expect(result.labels).toEqual([...new Set(result.findings.map((f) => f.label))].sort());
      }),
      { numRuns: 300 },
    );
  });
});
