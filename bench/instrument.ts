/**
 * Preloaded into the compiled app by `npm run bench:ingest` when BENCH_PROFILE=<dir> is set
 * (`node -r instrument.js dist/src/main.js`); never part of a normal run. It changes no code of
 * the app: it wraps a few prototype methods of the ingest path to time them, records a V8 CPU
 * profile, and on SIGUSR2 writes both into <dir> (timings.json, app.cpuprofile).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const outDir = process.env.BENCH_PROFILE;
const root = dirname(process.argv[1]); // .../src of the compiled app

interface Stat {
  count: number;
  totalMs: number;
  maxMs: number;
  items: number;
}
const stats = new Map<string, Stat>();
const record = (label: string, ms: number, items = 0) => {
  const s = stats.get(label) ?? { count: 0, totalMs: 0, maxMs: 0, items: 0 };
  s.count++;
  s.totalMs += ms;
  s.maxMs = Math.max(s.maxMs, ms);
  s.items += items;
  stats.set(label, s);
};

type AnyFn = (...args: unknown[]) => unknown;

function wrap(file: string, className: string, method: string, items?: (args: unknown[]) => number): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(join(root, file)) as Record<string, { prototype: Record<string, AnyFn> }>;
  const proto = mod[className].prototype;
  const original = proto[method];
  const label = `${className}.${method}`;
  proto[method] = function (this: unknown, ...args: unknown[]) {
    const start = performance.now();
    const n = items ? items(args) : 0;
    const result = original.apply(this, args);
    if (result instanceof Promise) {
      return result.finally(() => record(label, performance.now() - start, n));
    }
    record(label, performance.now() - start, n);
    return result;
  };
}

if (outDir) {
  // The profile starts with the first append, so that it shows the load and not the boot.
  const session = new Session();
  session.connect();
  let profiling = false;
  let idleMemory: NodeJS.MemoryUsage | undefined;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  let elu0 = performance.eventLoopUtilization();
  const startProfiling = () => {
    if (profiling) return;
    profiling = true;
    idleMemory = process.memoryUsage();
    session.post('Profiler.enable', () => session.post('Profiler.start'));
    loop.enable();
    elu0 = performance.eventLoopUtilization();
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const events = require(join(root, 'modules/sessions/events.service.js')) as {
    EventsService: { prototype: Record<string, AnyFn> };
  };
  const appendFromClient = events.EventsService.prototype.appendFromClient;
  events.EventsService.prototype.appendFromClient = function (this: unknown, ...args: unknown[]) {
    startProfiling();
    return appendFromClient.apply(this, args);
  };

  const batchEvents = (args: unknown[]) =>
    (args[0] as { request: { events: unknown[] } }[]).reduce((n, p) => n + p.request.events.length, 0);
  wrap('modules/sessions/ingest/ingest-writer.js', 'IngestWriter', 'flushWithRetry', batchEvents);
  wrap('modules/sessions/ingest/ingest-writer.js', 'IngestWriter', 'write', (args) => batchEvents([args[1]]));
  wrap('modules/sessions/ingest/ingest-writer.js', 'IngestWriter', 'append');
  for (const method of ['lockSessions', 'findExisting', 'advanceStreams', 'insertEvents', 'updateSessions']) {
    wrap('modules/sessions/ingest/ingest.repository.js', 'IngestRepository', method);
  }
  for (const method of ['appendFromClient', 'check', 'assertWithinLimits'])
    wrap('modules/sessions/events.service.js', 'EventsService', method);
  wrap('modules/sessions/sessions.service.js', 'SessionsService', 'getEntity');
  wrap('modules/users/principal-resolver.service.js', 'UsersPrincipalResolver', 'resolveApiKey');

  process.on('SIGUSR2', () => {
    const elu = performance.eventLoopUtilization(elu0);
    const timings = Object.fromEntries(
      [...stats].map(([label, s]) => [
        label,
        {
          count: s.count,
          avgMs: +(s.totalMs / s.count).toFixed(3),
          maxMs: +s.maxMs.toFixed(1),
          totalMs: Math.round(s.totalMs),
          avgItems: s.items ? +(s.items / s.count).toFixed(1) : undefined,
        },
      ]),
    );
    const mb = (m: NodeJS.MemoryUsage | undefined) =>
      m && Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Math.round(v / 1048576)]));
    const summary = {
      eventLoopUtilization: +elu.utilization.toFixed(3),
      eventLoopDelayP99Ms: loop.percentile(99) / 1e6,
      memoryMbBeforeLoad: mb(idleMemory),
      memoryMbAfterLoad: mb(process.memoryUsage()),
      timings,
    };
    writeFileSync(join(outDir, 'timings.json'), JSON.stringify(summary, null, 2));
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(join(outDir, 'app.cpuprofile'), JSON.stringify(result.profile));
      process.stdout.write(`instrument: wrote ${outDir}\n`);
    });
  });
}
