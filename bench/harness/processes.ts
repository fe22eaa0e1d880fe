/**
 * The child processes of a benchmark (servers under test, the load driver): every one is
 * tracked so that nothing keeps running, holding a port or loading the machine, once the
 * benchmark ends, fails or is interrupted.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The repository: servers run from here (tsconfig-paths, src/main.ts, node_modules). */
export const ROOT = join(__dirname, '..', '..');

const children = new Set<ChildProcess>();

export function track(child: ChildProcess): void {
  children.add(child);
}

export function untrack(child: ChildProcess): void {
  children.delete(child);
}

export function killAll(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

/** A port nobody listens on now: several benchmarks (and tests) may run on the machine at once. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface Server {
  name: string;
  url: string;
  child: ChildProcess;
  pid: number;
  /** Everything the server printed so far (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** How long the server may take to answer GET /health/live (a first start runs the migrations). */
  liveTimeoutMs: number;
  /** When set, what the server printed is written to `<prefix>.<name>.log` once it stops. */
  outputPrefix?: string;
}

/**
 * Starts `node <args>` on a free port with a clean environment (only PATH, HOME, PORT and `env`:
 * the caller's own settings must not leak into the server under test) and waits until it is live.
 */
export async function startServer(
  name: string,
  args: string[],
  env: Record<string, string>,
  options: StartOptions,
): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + options.liveTimeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited early:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not become live in time:\n${output}`);
    }
    const live = await fetch(`${url}/health/live`).then(
      (r) => r.ok,
      () => false,
    );
    if (live) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    name,
    url,
    child,
    pid: child.pid!,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      if (options.outputPrefix) writeFileSync(`${options.outputPrefix}.${name}.log`, output);
      untrack(child);
    },
  };
}

/** The superadmin key Flightdeck prints on its first start against an empty database. */
export function printedApiKey(server: Server): string {
  const key = /API key \(shown once, store it now\): (tp_live_[0-9A-Za-z]+)/.exec(server.output())?.[1];
  if (!key) throw new Error(`no API key printed by the first start:\n${server.output()}`);
  return key;
}
