import { setFlagsFromString } from 'node:v8';

/**
 * Caps how far V8 grows the heap past the live data of the last full collection. V8 reads this
 * flag at every collection, so setting it at startup, before the load arrives, takes effect. A busy
 * ingest process otherwise lets garbage pile up to four times its live data before collecting.
 */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
