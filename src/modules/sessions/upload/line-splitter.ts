/** One line of a byte stream: its 1-based number and bytes (without `\n`), or `null` when too long. */
export interface SplitLine {
  number: number;
  bytes: Buffer | null;
}

const NEWLINE = 0x0a;

/**
 * Splits a byte stream into `\n`-terminated lines as chunks arrive, holding at most one line
 * (up to `maxLineBytes`) in memory: a longer line is reported as `bytes: null` and its bytes are
 * skipped, not kept. A final line without a newline counts; a trailing newline opens no new line.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private partBytes = 0;
  private tooLong = false;
  private started = false;
  private count = 0;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onLine: (line: SplitLine) => void,
  ) {}

  /** Lines seen so far. */
  get lines(): number {
    return this.count;
  }

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      if (newline === -1) {
        this.take(chunk.subarray(start), true);
        return;
      }
      this.take(chunk.subarray(start, newline), false);
      this.emit();
      start = newline + 1;
    }
  }

  end(): void {
    if (this.started) this.emit();
  }

  private take(bytes: Buffer, partial: boolean): void {
    if (bytes.length === 0) return;
    this.started = true;
    if (this.tooLong) return;
    if (this.partBytes + bytes.length > this.maxLineBytes) {
      this.tooLong = true;
      this.parts = [];
      this.partBytes = 0;
      return;
    }
    // A partial tail is copied so that it does not keep its whole chunk alive.
    this.parts.push(partial ? Buffer.from(bytes) : bytes);
    this.partBytes += bytes.length;
  }

  private emit(): void {
    this.count++;
    const bytes = this.tooLong
      ? null
      : this.parts.length === 1
        ? this.parts[0]
        : Buffer.concat(this.parts, this.partBytes);
    this.parts = [];
    this.partBytes = 0;
    this.tooLong = false;
    this.started = false;
    this.onLine({ number: this.count, bytes });
  }
}
