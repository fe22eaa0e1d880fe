import { commentFrame, eventFrame, parseLastEventId, retryFrame } from './sse';

describe('SSE framing', () => {
  it('writes an event as id, event and one data line of JSON', () => {
    expect(eventFrame('trace_event', { text: 'a\nb' }, 42)).toBe(
      'id: 42\nevent: trace_event\ndata: {"text":"a\\nb"}\n\n',
    );
    expect(eventFrame('dropped', { reason: 'slow_consumer', resume_after: 7 })).toBe(
      'event: dropped\ndata: {"reason":"slow_consumer","resume_after":7}\n\n',
    );
  });

  it('keeps comments and retry on their own lines', () => {
    expect(commentFrame('heart\nbeat')).toBe(': heart beat\n\n');
    expect(retryFrame(3000.7)).toBe('retry: 3000\n\n');
  });

  it('accepts only a non-negative integer as Last-Event-ID', () => {
    expect(parseLastEventId(undefined)).toBeUndefined();
    expect(parseLastEventId('  ')).toBeUndefined();
    expect(parseLastEventId('0')).toBe(0);
    expect(parseLastEventId(' 18 ')).toBe(18);
    for (const bad of ['-1', '1.5', 'abc', '1e3', '0x10', '99999999999999999', ['1', '2']]) {
      expect(parseLastEventId(bad)).toBeNull();
    }
  });
});
