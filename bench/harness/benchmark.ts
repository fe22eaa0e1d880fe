/**
 * The outline both benchmarks follow: fresh databases, Flightdeck under load, then the minimal
 * server under the same load (unless BENCH_ONLY=flightdeck), then the report; a failed check or
 * a throw makes the exit code 1, and no child process outlives the benchmark.
 */
import { transpile } from './app-build';
import { PG_URL, recreateDatabase, withClient } from './database';
import { killAll } from './processes';
import { elapsedSeconds, log } from './report';

export interface Benchmark<App, Minimal> {
  /** As the failure message names it (the npm script). */
  name: string;
  cache: string;
  /** Flightdeck's database and the minimal server's, re-created empty. */
  databases: [string, string];
  /** bench/<driver>.ts, transpiled once for both servers. */
  driver: string;
  benchFlightdeck(driverJs: string): Promise<App>;
  benchMinimal(driverJs: string): Promise<Minimal>;
  /** Prints the report; false when a check failed (acknowledged != stored, failures). */
  report(app: App, minimal: Minimal | undefined): boolean;
}

export function runBenchmark<App, Minimal>(bench: Benchmark<App, Minimal>): void {
  const main = async () => {
    log(`PostgreSQL ${PG_URL}: re-creating ${bench.databases.join(' and ')}`);
    for (const database of bench.databases) await recreateDatabase(database);
    const driverJs = transpile(bench.driver, bench.cache);
    await checkpoint();
    const app = await bench.benchFlightdeck(driverJs);
    let minimal: Minimal | undefined;
    if (process.env.BENCH_ONLY !== 'flightdeck') {
      await checkpoint();
      minimal = await bench.benchMinimal(driverJs);
    }
    if (!bench.report(app, minimal)) process.exitCode = 1;
  };
  main()
    .catch((error: unknown) => {
      process.stderr.write(
        `${bench.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    })
    .finally(killAll);
}

/**
 * Each server starts from a clean checkpoint: otherwise the one measured second runs while
 * PostgreSQL writes back what the first one left (about a gigabyte of WAL), which alone swung the
 * ratio between runs by tens of percent.
 */
async function checkpoint(): Promise<void> {
  await withClient('postgres', (client) => client.query('CHECKPOINT'));
}

/** Writes the report's lines, closed by the benchmark's total time. */
export function printReport(lines: string[]): void {
  process.stdout.write(`${[...lines, '', `total time ${elapsedSeconds().toFixed(1)}s`].join('\n')}\n`);
}
