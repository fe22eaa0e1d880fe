import { Readable } from 'node:stream';
import type { FieldError } from 'src/common/errors/app.exception';
import { ValidationAppException } from 'src/common/errors/app.exception';
import { JsonlEventParser } from './jsonl-event.parser';
import { LineSplitter, SplitLine } from './line-splitter';
import { INPUT_EVENTS_FIELD } from './session-upload.constants';

/**
 * Checks every line of an uploaded JSONL file as an event while its bytes go by on their way to
 * storage. Invalid lines are collected with their line number; at `maxErrors` the stream fails
 * with the 422 at once, so a hopeless file is not read to its end. Seqs must rise from line to
 * line, as the append would otherwise refuse the later ones.
 */
export class JsonlValidator {
  readonly errors: FieldError[] = [];
  private readonly splitter: LineSplitter;
  private events = 0;
  private lastSeq = 0;

  constructor(
    private readonly parser: JsonlEventParser,
    maxLineBytes: number,
    private readonly maxErrors: number,
  ) {
    this.splitter = new LineSplitter(maxLineBytes, (line) => this.check(line));
  }

  /** Valid events seen. */
  get eventCount(): number {
    return this.events;
  }

  /**
   * `source`'s bytes, unchanged, checked as they are read. The stream is pulled: nothing is read
   * from `source` (and no error can surface) before its consumer starts reading.
   */
  passThrough(source: AsyncIterable<Buffer>): Readable {
    return Readable.from(this.checked(source), { objectMode: false });
  }

  /** The 422 naming each invalid line (at most `maxErrors`). */
  failure(): ValidationAppException {
    const capped = this.errors.length >= this.maxErrors;
    return new ValidationAppException(
      this.errors.slice(0, this.maxErrors),
      `${INPUT_EVENTS_FIELD} has invalid lines${capped ? ` (the first ${this.maxErrors} are listed)` : ''}`,
    );
  }

  private async *checked(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      this.splitter.push(chunk);
      if (this.errors.length >= this.maxErrors) throw this.failure();
      yield chunk;
    }
    this.splitter.end();
    if (this.errors.length >= this.maxErrors) throw this.failure();
  }

  private check(line: SplitLine): void {
    if (this.errors.length >= this.maxErrors) return;
    const parsed = this.parser.parse(line, true);
    if (parsed.kind === 'blank') return;
    if (parsed.kind === 'invalid') return this.report(line.number, parsed.message);
    const seq = parsed.event.seq ?? line.number;
    if (seq <= this.lastSeq) {
      return this.report(line.number, `seq ${seq} must be above the seq of the event before it (${this.lastSeq})`);
    }
    this.lastSeq = seq;
    this.events++;
  }

  private report(line: number, message: string): void {
    this.errors.push({ field: `${INPUT_EVENTS_FIELD}:line ${line}`, message });
  }
}
