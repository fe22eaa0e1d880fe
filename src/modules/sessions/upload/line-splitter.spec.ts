import { LineSplitter, SplitLine } from './line-splitter';
import { JsonlEventParser } from './jsonl-event.parser';

const split = (chunks: string[], maxLineBytes = 100) => {
  const lines: { number: number; text: string | null }[] = [];
  const splitter = new LineSplitter(maxLineBytes, (l: SplitLine) =>
    lines.push({ number: l.number, text: l.bytes?.toString() ?? null }),
  );
  for (const chunk of chunks) splitter.push(Buffer.from(chunk));
  splitter.end();
  return lines;
};

describe('LineSplitter', () => {
  it('numbers lines across chunk boundaries, counting blank lines and a last line without newline', () => {
    expect(split(['a', 'b\n\nc', 'd\ne'])).toEqual([
      { number: 1, text: 'ab' },
      { number: 2, text: '' },
      { number: 3, text: 'cd' },
      { number: 4, text: 'e' },
    ]);
  });

  it('opens no line after a trailing newline', () => {
    expect(split(['x\n', 'y\n'])).toEqual([
      { number: 1, text: 'x' },
      { number: 2, text: 'y' },
    ]);
  });

  it('reports a line over the limit as null without keeping its bytes, and goes on after it', () => {
    expect(split(['12345', '6789\nok\n'], 8)).toEqual([
      { number: 1, text: null },
      { number: 2, text: 'ok' },
    ]);
  });
});

describe('JsonlEventParser', () => {
  const parser = new JsonlEventParser(1000);
  const parse = (text: string, number = 7) => parser.parse({ number, bytes: Buffer.from(text) }, true);

  it('gives a line without seq its line number and a line without key `line:<n>`', () => {
    expect(parse('{"type":"step","payload":{"name":"a"}}\r')).toEqual({
      kind: 'event',
      event: { seq: 7, idempotency_key: 'line:7', type: 'step', timestamp: undefined, payload: { name: 'a' } },
    });
  });

  it('strips a BOM on the first line only', () => {
    expect(
      parser.parse({ number: 1, bytes: Buffer.from('\ufeff{"type":"step","payload":{"name":"a"}}') }, true).kind,
    ).toBe('event');
    expect(
      parser.parse({ number: 2, bytes: Buffer.from('\ufeff{"type":"step","payload":{"name":"a"}}') }, true).kind,
    ).toBe('invalid');
  });

  it('refuses what the trace API refuses', () => {
    expect(parse('{"type":"step","payload":{}}')).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('name'),
    });
    expect(parse('{"seq":0,"type":"step","payload":{"name":"a"}}')).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('seq'),
    });
    expect(parse('{"type":"step","payload":{"name":"a"},"x":1}')).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('x'),
    });
    expect(parser.parse({ number: 1, bytes: Buffer.from([0x7b, 0xff, 0x7d]) }, true)).toEqual({
      kind: 'invalid',
      message: 'the line is not valid UTF-8',
    });
    expect(parse('   ')).toEqual({ kind: 'blank' });
  });
});
