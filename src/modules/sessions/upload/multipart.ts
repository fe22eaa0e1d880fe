import { Readable } from 'node:stream';
import { HttpStatus } from '@nestjs/common';
import busboy from 'busboy';
import type { Request } from 'express';
import {
  AppException,
  UnsupportedMediaTypeAppException,
  ValidationAppException,
} from 'src/common/errors/app.exception';

export const MULTIPART_FORM_DATA = 'multipart/form-data';

export interface MultipartFilePart {
  /** The form field the file came in. */
  field: string;
  /** The part's bytes, as they arrive: consume it (or throw) in `onFile`. */
  stream: Readable;
  /** The file name the client gave, if any. */
  filename: string | undefined;
  /** The part's `Content-Type`, lower-cased without parameters (`text/plain` when absent). */
  mimeType: string;
}

export interface MultipartOptions {
  /** Names of the fields that carry a file; any other file part is refused (422). */
  fileFields: readonly string[];
  /** Names of the text fields accepted; any other is refused (422). */
  textFields: readonly string[];
  /** Longest text field value, in bytes. */
  maxFieldBytes?: number;
  /**
   * Consumes one file part. `fields` holds the text fields that came before it. A failure here
   * fails the whole request; the part's stream is destroyed and the rest of the body discarded.
   */
  onFile(part: MultipartFilePart, fields: Readonly<Record<string, string>>): Promise<void>;
}

export class MalformedMultipartException extends AppException {
  constructor(detail = 'The multipart/form-data body could not be read') {
    super(HttpStatus.BAD_REQUEST, 'malformed_multipart', detail);
  }
}

/** Lower-cased media type without parameters: `Text/Plain; charset=utf-8` → `text/plain`. */
export function baseMediaType(value: string | undefined): string {
  return (value ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * Reads a multipart/form-data request as it arrives, with bounded memory: text fields are
 * collected (each at most `maxFieldBytes`), each file part is handed to `onFile` as a stream.
 * Resolves with the text fields once the body is read and every `onFile` has finished.
 *
 * On any failure (a bad part, an `onFile` error, a client abort) the file streams still open are
 * destroyed, the rest of the request body is read and discarded (so the client gets the answer),
 * and the promise rejects with the first error once every `onFile` has settled, i.e. after their
 * own clean-up.
 */
export function readMultipart(req: Request, options: MultipartOptions): Promise<Record<string, string>> {
  if (!req.is(MULTIPART_FORM_DATA)) {
    throw new UnsupportedMediaTypeAppException(
      `Content-Type ${req.headers['content-type'] ?? '(none)'} is not supported here; use ${MULTIPART_FORM_DATA}`,
    );
  }
  const maxFieldBytes = options.maxFieldBytes ?? 4096;
  const fileFields = new Set(options.fileFields);
  const textFields = new Set(options.textFields);
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      limits: {
        fieldNameSize: 200,
        fieldSize: maxFieldBytes,
        fields: textFields.size,
        files: fileFields.size,
      },
    });
  } catch {
    throw new MalformedMultipartException('The multipart/form-data boundary is missing or invalid');
  }

  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    const tasks: Promise<void>[] = [];
    const openStreams = new Set<Readable>();
    let failure: Error | undefined;

    const settle = () =>
      void Promise.allSettled(tasks).then(() => (failure === undefined ? resolve(fields) : reject(failure)));

    const fail = (error: unknown) => {
      if (failure !== undefined) return;
      failure = error instanceof Error ? error : new Error(String(error));
      req.unpipe(parser);
      parser.removeAllListeners('close');
      for (const stream of openStreams) stream.destroy(failure);
      openStreams.clear();
      // Discard what the client still sends, so that it reads our answer instead of a reset.
      req.resume();
      settle();
    };

    parser.on('field', (name, value, info) => {
      if (failure !== undefined) return;
      if (fileFields.has(name)) {
        fail(
          new ValidationAppException([
            { field: name, message: `${name} must be sent as a file part (with a filename)` },
          ]),
        );
      } else if (!textFields.has(name)) {
        fail(new ValidationAppException([{ field: name, message: `${name} is not an accepted field` }]));
      } else if (info.valueTruncated || info.nameTruncated) {
        fail(new ValidationAppException([{ field: name, message: `${name} must be at most ${maxFieldBytes} bytes` }]));
      } else if (name in fields) {
        fail(new ValidationAppException([{ field: name, message: `${name} must be sent once` }]));
      } else {
        fields[name] = value;
      }
    });

    parser.on('file', (name, stream, info) => {
      if (failure !== undefined) {
        stream.resume();
        return;
      }
      if (!fileFields.has(name)) {
        stream.resume();
        fail(new ValidationAppException([{ field: name, message: `${name} is not an accepted file field` }]));
        return;
      }
      // A failure destroys the part; its consumer learns of it by reading (below), so this only
      // keeps the 'error' of a part nobody reads any more from being unhandled.
      stream.on('error', () => undefined);
      openStreams.add(stream);
      const part: MultipartFilePart = {
        field: name,
        // Pulled: an error of the part surfaces on the consumer's next read, even one that only
        // starts reading after the part failed (a pipe attached late would wait for ever).
        stream: Readable.from(stream, { objectMode: false }),
        filename: info.filename,
        mimeType: baseMediaType(info.mimeType),
      };
      tasks.push(
        options.onFile(part, { ...fields }).then(
          () => void openStreams.delete(stream),
          (error: unknown) => fail(error),
        ),
      );
    });

    const tooMany = (what: string) => () =>
      fail(new ValidationAppException([{ field: '(form)', message: `the form carries too many ${what}` }]));
    parser.on('filesLimit', tooMany('files'));
    parser.on('fieldsLimit', tooMany('fields'));
    parser.on('error', () => fail(new MalformedMultipartException()));
    parser.on('close', settle);
    req.on('error', () => fail(new MalformedMultipartException('The request body was interrupted')));
    req.on('close', () => {
      if (!req.complete)
        fail(new MalformedMultipartException('The client closed the request before sending the whole body'));
    });
    req.pipe(parser);
  });
}
