/**
 * The benchmark's side of a load driver (bench/harness/load-driver.ts runs in the child): forks
 * the driver, hands it its config, and around each phase's measured window takes the CPU of the
 * server and of PostgreSQL from /proc, and the server's peak RSS, so that the figures of a phase
 * cover exactly the window the driver measured.
 */
import { fork } from 'node:child_process';
import { Client } from 'pg';
import { cpuBetween, CpuSnapshot, cpuSnapshot, MemorySampler } from '../proc-stats';
import { PG_URL } from './database';
import type { DriverMessage } from './load-driver';
import { Server, track, untrack } from './processes';
import { fmt, log, mb } from './report';

/** What every driver's phase result has (the rest is the benchmark's own). */
export interface DriverPhaseResult {
  name: string;
  p50Ms: number;
  p99Ms: number;
  failures: number;
  firstFailure: string | null;
}

/** Measured by the benchmark over the phase's window; CPU in % of one core, the machine's of all cores. */
export interface WindowFigures {
  serverCpuPercent: number;
  postgresCpuPercent: number;
  machineCpuPercent: number;
  peakRssDuringMb: number;
}

export interface DriveOptions<Config> {
  server: Server;
  /** The server's database: its backends' CPU counts as PostgreSQL's. */
  database: string;
  /** The transpiled driver (app-build.ts `transpile`). */
  driverJs: string;
  config: Config;
  durationMs: number;
}

export async function runDriver<Config, Result extends DriverPhaseResult>(
  { server, database, driverJs, config, durationMs }: DriveOptions<Config>,
  /** The phase's throughput for the progress line, e.g. "1234 events/s". */
  throughput: (result: Result) => string,
): Promise<{ phases: (Result & WindowFigures)[]; peakRssMb: number }> {
  const sampler = new MemorySampler(server.pid);
  // BENCH_LATENCY_LOG files are named after the server's database, so each server keeps its own.
  const timeline = process.env.BENCH_LATENCY_LOG;
  const driver = fork(driverJs, [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...(timeline ? { BENCH_LATENCY_LOG: `${timeline}.${database}` } : {}) },
  });
  track(driver);
  // PostgreSQL CPU is counted for the backends serving this database and for the cluster's
  // writers (WAL writer, checkpointer, background writer, autovacuum): other databases of the
  // cluster (other people's tests) are not ours.
  const pg = new Client({ connectionString: `${PG_URL}/${database}` });
  await pg.connect();
  const snapshot = async () => {
    const { rows } = await pg.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity
        WHERE pid <> pg_backend_pid()
          AND (datname = current_database() OR backend_type IN ('walwriter', 'checkpointer', 'background writer', 'autovacuum worker'))`,
    );
    return cpuSnapshot(
      server.pid,
      rows.map((r) => r.pid),
    );
  };
  const windows = new Map<string, { start: Promise<CpuSnapshot>; end?: Promise<CpuSnapshot>; rss: MemorySampler }>();
  const results: Result[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      driver.on('message', (message: DriverMessage<Result>) => {
        switch (message.type) {
          case 'window-start':
            log(`${server.name} ${message.phase}: warm-up done, measuring ${durationMs / 1000}s`);
            windows.set(message.phase, { start: snapshot(), rss: new MemorySampler(server.pid) });
            break;
          case 'window-end': {
            const window = windows.get(message.phase);
            if (window) {
              window.end = snapshot();
              window.rss.stop();
            }
            break;
          }
          case 'result': {
            const r = message.result;
            results.push(r);
            log(
              `${server.name} ${r.name}: ${throughput(r)}, p50 ${fmt(r.p50Ms, 1)} ms, p99 ${fmt(r.p99Ms, 1)} ms` +
                `${r.failures ? `, ${r.failures} FAILURES (first: ${r.firstFailure})` : ''}`,
            );
            break;
          }
          case 'done':
            resolve();
            break;
          case 'error':
            reject(new Error(`driver: ${message.message}`));
            break;
        }
      });
      driver.once('exit', (code) => (code ? reject(new Error(`driver exited with ${code}`)) : resolve()));
      driver.send(config as object);
    });
    const phases: (Result & WindowFigures)[] = [];
    for (const result of results) {
      const window = windows.get(result.name);
      const cpu = window?.end
        ? cpuBetween(await window.start, await window.end)
        : { processPercent: NaN, postgresPercent: NaN, machinePercent: NaN };
      phases.push({
        ...result,
        serverCpuPercent: cpu.processPercent,
        postgresCpuPercent: cpu.postgresPercent,
        machineCpuPercent: cpu.machinePercent,
        peakRssDuringMb: mb(window?.rss.peakRss ?? 0),
      });
    }
    sampler.stop();
    return { phases, peakRssMb: mb(sampler.hwm) };
  } finally {
    sampler.stop();
    await pg.end();
    untrack(driver);
  }
}
