import { StreamableFile } from '@nestjs/common';
import type { Response } from 'express';
import type { ExampleDownload } from '../examples.service';

/**
 * Hands a download to Nest with its headers. The body is piped with backpressure; when the
 * client goes away the stream is destroyed, so the storage handle is not held until collected.
 */
export function toStreamableFile(res: Response, download: ExampleDownload): StreamableFile {
  res.set(download.headers);
  res.once('close', () => download.stream.destroy());
  return new StreamableFile(download.stream, { type: download.headers['Content-Type'] });
}
