import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { EventInputDto } from 'src/modules/sessions/dto/event.dto';
import { EventValidator } from 'src/modules/sessions/events/event-validator';
import type { EventInput } from 'src/modules/sessions/ingest/ingest.types';
import type { SplitLine } from './line-splitter';

export type ParsedLine =
  { kind: 'blank' } | { kind: 'event'; event: EventInput } | { kind: 'invalid'; message: string };

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const CARRIAGE_RETURN = 0x0d;

/**
 * Turns one JSONL line into an event as the trace API takes it: `{seq?, idempotency_key?, type,
 * timestamp?, payload}`. A line without `seq` gets its line number, one without
 * `idempotency_key` gets `line:<n>`. `validate` checks it the way the API does (the
 * EventInputDto rules, the payload schema of its type, no NUL, the size limit); without it the
 * line is only parsed (a second pass over a file already validated).
 */
export class JsonlEventParser {
  private readonly validator = new EventValidator();
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

  constructor(private readonly maxEventBytes: number) {}

  parse(line: SplitLine, validate: boolean): ParsedLine {
    if (line.bytes === null) return invalid(`the line is longer than ${this.maxEventBytes} bytes`);
    let bytes = line.bytes;
    if (line.number === 1 && bytes.subarray(0, 3).equals(BOM)) bytes = bytes.subarray(3);
    if (bytes.length > 0 && bytes[bytes.length - 1] === CARRIAGE_RETURN) bytes = bytes.subarray(0, -1);
    if (validate && bytes.length > this.maxEventBytes)
      return invalid(`the event exceeds the limit of ${this.maxEventBytes} bytes`);

    let text: string;
    try {
      text = this.decoder.decode(bytes);
    } catch {
      return invalid('the line is not valid UTF-8');
    }
    if (text.trim() === '') return { kind: 'blank' };

    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      return invalid(`the line is not valid JSON (${(error as Error).message.slice(0, 200)})`);
    }
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return invalid('an event must be a JSON object');

    const withDefaults = {
      ...(raw as Record<string, unknown>),
      seq: (raw as { seq?: unknown }).seq ?? line.number,
      idempotency_key: (raw as { idempotency_key?: unknown }).idempotency_key ?? `line:${line.number}`,
    };
    if (!validate) return { kind: 'event', event: toEventInput(withDefaults) };

    const dto = plainToInstance(EventInputDto, withDefaults);
    const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length > 0) return invalid(errors.flatMap((e) => Object.values(e.constraints ?? {})).join('; '));
    const event = toEventInput(dto);
    const verdict = this.validator.check(event.type, event.payload);
    if (!verdict.ok) return invalid(verdict.reason);
    // The same refusal as the API's: PostgreSQL jsonb cannot hold U+0000.
    if (JSON.stringify(event.payload).includes('\\u0000')) {
      return invalid('payload contains a NUL character (\\u0000), which cannot be stored');
    }
    return { kind: 'event', event };
  }
}

function toEventInput(value: {
  seq?: unknown;
  idempotency_key?: unknown;
  type?: unknown;
  timestamp?: unknown;
  payload?: unknown;
}): EventInput {
  return {
    seq: value.seq as number,
    idempotency_key: value.idempotency_key as string,
    type: value.type as string,
    timestamp: value.timestamp as string | undefined,
    payload: value.payload as Record<string, unknown>,
  };
}

const invalid = (message: string): ParsedLine => ({ kind: 'invalid', message });
