import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { contextFor, session, SessionBuilder } from 'test/fixtures/detector-sessions';
import { DETECTORS, runDetectors } from './run-detectors';
import type { DetectorContext, DetectorEvent } from './types';

interface Case {
  name: string;
  build: () => SessionBuilder;
  context?: Parameters<typeof contextFor>[1];
  /** Every label of the result. */
  labels: string[];
  /** The finding under test: its detector, label, critical step and signature. */
  expect?: { detector: string; label: string; criticalStep: number; signature?: string };
}

const TWO_HOURS = 7_200_000;

const cases: Case[] = [
  {
    name: 'tool error: a search that times out and is never retried',
    build: () =>
      session()
        .user('find flights to Oslo')
        .call('c1', 'search', { q: 'Oslo' })
        .fail('c1', 'TimeoutError: upstream took 30012 ms for "Oslo"')
        .assistant('Sorry, the search failed.')
        .end('failed'),
    labels: ['tool_error'],
    expect: {
      detector: 'tool_error',
      label: 'tool_error',
      criticalStep: 4,
      signature: 'tool:search|error:TimeoutError',
    },
  },
  {
    name: 'repeated tool call: the same status check three times',
    build: () =>
      session()
        .call('c1', 'get_status', { id: 7 })
        .ok('c1', { state: 'pending' })
        .call('c2', 'get_status', { id: 7 })
        .ok('c2', { state: 'pending' })
        .call('c3', 'get_status', { id: 7 })
        .ok('c3', { state: 'pending' })
        .end(),
    labels: ['repeated_tool_call'],
    expect: {
      detector: 'repeated_tool_call',
      label: 'repeated_tool_call',
      criticalStep: 6,
      signature: 'tool:get_status',
    },
  },
  {
    name: 'no progress: eight steps without new output',
    build: () => {
      const s = session();
      for (let i = 0; i < 8; i++) s.step('think');
      return s.end();
    },
    labels: ['no_progress'],
    expect: { detector: 'no_progress', label: 'no_progress', criticalStep: 9, signature: 'steps' },
  },
  {
    name: 'timeout: the session ended while a call waited for its result',
    build: () => session().call('c1', 'fetch_page', { url: 'https://example.com/a' }).end('failed'),
    labels: ['timeout'],
    expect: { detector: 'timeout', label: 'timeout', criticalStep: 2, signature: 'tool:fetch_page|no_result' },
  },
  {
    name: 'timeout: idle by the agent clock, then ended failed',
    build: () => session().call('c1', 'lookup').ok('c1', { rows: 1 }).end('failed', undefined, { gapMs: 600_000 }),
    labels: ['timeout'],
    expect: { detector: 'timeout', label: 'timeout', criticalStep: 3, signature: 'session|idle_before_end' },
  },
  {
    name: 'clean: an end noted by the server on its own clock is no idle gap',
    build: () =>
      session()
        .call('c1', 'lookup')
        .ok('c1', { rows: 1 })
        .end('completed', undefined, { origin: 'system', gapMs: 600_000 }),
    labels: [],
  },
  {
    name: 'abandoned: no end and idle for two hours',
    build: () => session().user('hi').call('c1', 'lookup', { who: 'me' }),
    context: { session: { ended: false, status: 'running', idleMs: TWO_HOURS } },
    labels: ['abandoned'],
    expect: { detector: 'abandoned', label: 'abandoned', criticalStep: 3, signature: 'last:tool.call|tool:lookup' },
  },
  {
    name: 'unanswered question: the agent asked and the session ended',
    build: () => session().question('q1', 'Which account should I use?').end(),
    labels: ['unanswered_question'],
    expect: { detector: 'unanswered_question', label: 'unanswered_question', criticalStep: 2, signature: 'question' },
  },
  {
    name: 'unanswered question: the last user message got no reply',
    build: () => session().assistant('Hello!').user('Can you cancel my order?').end(),
    labels: ['unanswered_question'],
    expect: {
      detector: 'unanswered_question',
      label: 'unanswered_question',
      criticalStep: 3,
      signature: 'user_message',
    },
  },
  {
    name: 'tool outside the agent policy',
    build: () =>
      session()
        .call('c1', 'search')
        .ok('c1', { a: 1 })
        .call('c2', 'calendar.create')
        .ok('c2', { b: 2 })
        .call('c3', 'shell.exec', { cmd: 'rm -rf /' })
        .ok('c3', { c: 3 })
        .end(),
    context: { toolPolicy: ['search', 'calendar.*'] },
    labels: ['tool_not_allowed'],
    expect: {
      detector: 'tool_not_allowed',
      label: 'tool_not_allowed',
      criticalStep: 6,
      signature: 'policy|tool:shell.exec',
    },
  },
  {
    name: 'tool outside the suite catalog',
    build: () => session().call('c1', 'search').ok('c1', { a: 1 }).call('c2', 'drop_db').ok('c2', { b: 2 }).end(),
    context: { toolNames: ['search'] },
    labels: ['unknown_tool'],
    expect: { detector: 'tool_not_allowed', label: 'unknown_tool', criticalStep: 4, signature: 'catalog|tool:drop_db' },
  },
  {
    name: 'tool arguments that break the input schema',
    build: () =>
      session()
        .call('c1', 'book_table', { date: '2026-01-01', people: 2 })
        .ok('c1', { booked: 'a' })
        .call('c2', 'book_table', { date: '2026-01-02', people: 0 })
        .ok('c2', { booked: 'b' })
        .end(),
    context: {
      toolSchemas: {
        book_table: {
          type: 'object',
          required: ['date', 'people'],
          properties: { date: { type: 'string', format: 'date' }, people: { type: 'integer', minimum: 1 } },
        },
      },
    },
    labels: ['invalid_tool_arguments'],
    expect: {
      detector: 'invalid_tool_arguments',
      label: 'invalid_tool_arguments',
      criticalStep: 4,
      signature: 'tool:book_table|minimum:/people',
    },
  },
  {
    name: 'retries exhausted: three failed attempts of a payment',
    build: () =>
      session()
        .call('c1', 'pay', { amount: 10 })
        .fail('c1', 'HTTP 503 Service Unavailable', { attempt: 1 })
        .call('c2', 'pay', { amount: 10 })
        .fail('c2', 'HTTP 503 Service Unavailable', { attempt: 2 })
        .call('c3', 'pay', { amount: 10 })
        .fail('c3', 'HTTP 503 Service Unavailable', { attempt: 3 })
        .end('failed'),
    labels: ['repeated_tool_call', 'retries_exhausted', 'tool_error'],
    expect: {
      detector: 'retries_exhausted',
      label: 'retries_exhausted',
      criticalStep: 7,
      signature: 'tool:pay|error:http_503',
    },
  },
  {
    name: 'runaway tokens',
    build: () =>
      session()
        .llm('l1', 'gpt-x', { total_tokens: 90_000 })
        .llm('l2', 'gpt-x', { total_tokens: 90_000 })
        .llm('l3', 'gpt-x', { total_tokens: 90_000 })
        .end(),
    labels: ['runaway_tokens'],
    expect: { detector: 'runaway_usage', label: 'runaway_tokens', criticalStep: 7, signature: 'tokens|model:gpt-x' },
  },
  {
    name: 'runaway cost',
    build: () =>
      session()
        .llm('l1', 'gpt-x', { total_tokens: 10, cost_usd: 3 })
        .llm('l2', 'gpt-x', { total_tokens: 10, cost_usd: 3 })
        .end(),
    labels: ['runaway_cost'],
    expect: { detector: 'runaway_usage', label: 'runaway_cost', criticalStep: 5, signature: 'cost|model:gpt-x' },
  },
  {
    name: 'final answer that contradicts a failed tool result',
    build: () =>
      session()
        .user('email the report to ana@example.com')
        .call('c1', 'send_email', { to: 'ana@example.com' })
        .fail('c1', 'SMTPError: 550 mailbox unavailable', { error_class: 'SMTPError' })
        .assistant('Done! The email has been sent successfully.')
        .end(),
    labels: ['contradicted_final_answer', 'tool_error'],
    expect: {
      detector: 'contradicted_final_answer',
      label: 'contradicted_final_answer',
      criticalStep: 5,
      signature: 'tool:send_email|error:SMTPError',
    },
  },
  {
    name: 'clean: a tool call that works and an honest answer',
    build: () =>
      session()
        .user('book a table for two')
        .llm('l1', 'gpt-x', { total_tokens: 500 })
        .call('c1', 'book_table', { date: '2026-01-01', people: 2 })
        .ok('c1', { booking: 'B-17' })
        .assistant('I have booked your table.')
        .end(),
    context: { toolPolicy: ['book_table'], toolNames: ['book_table'] },
    labels: [],
  },
  {
    name: 'clean: a running session that waits for an answer',
    build: () => session().user('deploy it').question('q1', 'Deploy to production?'),
    context: { session: { ended: false, status: 'running', idleMs: 60_000 } },
    labels: [],
  },
  {
    name: 'clean: an answered question and steps that make progress',
    build: () => {
      const s = session().question('q1', 'Which region?').answer('q1', 'eu-west');
      for (let i = 0; i < 12; i++) s.step('work', { done: i });
      return s.assistant('Finished the migration in eu-west.').end();
    },
    labels: [],
  },
];

const findingsOf = (events: DetectorEvent[], context: DetectorContext) => runDetectors(events, context);

describe('detectors: one fixture session per detector, and clean ones', () => {
  it.each(cases.map((c) => [c.name, c]))('%s', (_name, c) => {
    const events = c.build().events;
    const result = findingsOf(events, contextFor(events, c.context));
    expect(result.labels).toEqual(c.labels);
    for (const f of result.findings) {
      expect(f.confidence).toBeGreaterThanOrEqual(0);
      expect(f.confidence).toBeLessThanOrEqual(1);
      expect(f.evidence).toContain(f.criticalStep);
    }
    if (c.expect) {
      const { detector, label, criticalStep, signature } = c.expect;
      const finding = result.findings.find((f) => f.detector === detector && f.label === label);
      expect(finding).toMatchObject({ criticalStep, ...(signature ? { signature } : {}) });
      expect(result.criticalStep).toBe(
        Math.min(...result.findings.filter((f) => f.confidence >= 0.5).map((f) => f.criticalStep)),
      );
    } else {
      expect(result.findings).toEqual([]);
      expect(result.criticalStep).toBeNull();
    }
  });

  it('covers every detector and every label with a fixture', () => {
    const covered = new Set(cases.flatMap((c) => (c.expect ? [`${c.expect.detector}/${c.expect.label}`] : [])));
    const all = DETECTORS.flatMap((d) => d.labels.map((label) => `${d.id}/${label}`));
    expect(all.filter((k) => !covered.has(k))).toEqual([]);
  });

  it('reports a tool error that was recovered from with low confidence and no critical step', () => {
    const events = session()
      .call('c1', 'search')
      .fail('c1', 'ECONNRESET')
      .call('c2', 'search')
      .ok('c2', { r: 1 })
      .end().events;
    const result = runDetectors(events, contextFor(events));
    expect(result.findings).toMatchObject([
      { label: 'tool_error', confidence: 0.4, signature: 'tool:search|error:ECONNRESET' },
    ]);
    expect(result.criticalStep).toBeNull();
  });

  it('reads LangSmith/OTLP tool runs like tool events', () => {
    const run = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const events: DetectorEvent[] = [
      {
        seq: 1,
        subSeq: 0,
        type: 'run.start',
        origin: 'agent',
        timestamp: null,
        payload: { run_id: run, name: 'search', run_type: 'tool', inputs: { q: 'x' } },
      },
      {
        seq: 2,
        subSeq: 0,
        type: 'run.end',
        origin: 'agent',
        timestamp: null,
        payload: { run_id: run, status: 'failed', error: 'ValueError: bad query 42' },
      },
      { seq: 3, subSeq: 0, type: 'session.end', origin: 'agent', timestamp: null, payload: { status: 'failed' } },
    ];
    expect(runDetectors(events, contextFor(events)).findings).toMatchObject([
      { detector: 'tool_error', criticalStep: 2, signature: 'tool:search|error:ValueError' },
    ]);
  });

  it('takes thresholds from the context', () => {
    const events = session().call('c1', 'ping').ok('c1', 1).call('c2', 'ping').ok('c2', 1).end().events;
    expect(runDetectors(events, contextFor(events)).labels).toEqual([]);
    expect(runDetectors(events, contextFor(events, { thresholds: { loopMinRepeats: 2 } })).labels).toEqual([
      'repeated_tool_call',
    ]);
  });

  it('gives the same signature to the same failure with other ids, numbers and quoted values', () => {
    const a = session()
      .call('c1', 'db')
      .fail('c1', "query failed for user 'ana' after 3 tries (id 0f8fad5b-d9cb-469f-a165-70867728950e)")
      .end('failed').events;
    const b = session()
      .call('zz', 'db')
      .fail('zz', "query failed for user 'bob' after 12 tries (id 1b4e28ba-2fa1-11d2-883f-0016d3cca427)")
      .end('failed').events;
    const sig = (events: DetectorEvent[]) => runDetectors(events, contextFor(events)).findings[0].signature;
    expect(sig(a)).toBe(sig(b));
    expect(sig(a)).toBe('tool:db|error:query failed for user <q> after <n> tries id <id>');
  });

  it('changes the digest with the events and the context, and only then', () => {
    const events = session().call('c1', 'db').fail('c1', 'boom').end('failed').events;
    const base = runDetectors(events, contextFor(events));
    expect(runDetectors(events, contextFor(events)).digest).toBe(base.digest);
    expect(runDetectors(events.slice(0, -1), contextFor(events)).digest).not.toBe(base.digest);
    expect(runDetectors(events, contextFor(events, { thresholds: { maxRetries: 9 } })).digest).not.toBe(base.digest);
    expect(base.digest).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('docs/detectors.md', () => {
  const doc = readFileSync(join(__dirname, '..', '..', '..', '..', 'docs', 'detectors.md'), 'utf8');

  it('documents every detector and every label it gives', () => {
    for (const detector of DETECTORS) {
      expect(doc).toContain(`### \`${detector.id}\``);
      for (const label of detector.labels) expect(doc).toContain(`\`${label}\``);
    }
  });
});
