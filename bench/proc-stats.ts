import { readFileSync } from 'node:fs';

/** Linux /proc readings for the benchmark: memory of a process, CPU of processes and of the machine. */

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ: 100 on every mainstream Linux build

/** VmRSS and VmHWM (peak RSS) of a process, in bytes; null once it is gone. */
export function readMemory(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return null;
  }
}

/** user+system CPU time of a process and its name, in seconds (utime and stime of /proc/<pid>/stat). */
function readProcessCpu(pid: number | string): { comm: string; seconds: number } | null {
  return readCpu(`/proc/${pid}/stat`);
}

/** user+system CPU time of a process (all its threads), in seconds; null once it is gone. */
export function processCpuSeconds(pid: number): number | null {
  return readProcessCpu(pid)?.seconds ?? null;
}

/** user+system CPU time of one thread of a process, in seconds: its main thread when `tid` is the pid. */
export function threadCpuSeconds(pid: number, tid: number = pid): number | null {
  return readCpu(`/proc/${pid}/task/${tid}/stat`)?.seconds ?? null;
}

function readCpu(statPath: string): { comm: string; seconds: number } | null {
  try {
    const stat = readFileSync(statPath, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' '); // fields[0] is field 3 (state)
    return { comm, seconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND };
  } catch {
    return null;
  }
}

export interface CpuSnapshot {
  at: number;
  /** CPU seconds of the watched process. */
  process: number;
  /** CPU seconds of each given PostgreSQL process (the backends serving the server, the cluster's writers). */
  postgres: Map<number, number>;
  /** Busy and total CPU seconds of the machine, all cores. */
  machineBusy: number;
  machineTotal: number;
}

export function cpuSnapshot(pid: number, postgresPids: number[]): CpuSnapshot {
  const postgres = new Map<number, number>();
  for (const p of postgresPids) {
    const cpu = readProcessCpu(p);
    if (cpu) postgres.set(p, cpu.seconds);
  }
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number); // user nice system idle iowait irq softirq steal
  const total = ticks.reduce((a, b) => a + b, 0);
  const idle = ticks[3] + ticks[4];
  return {
    at: performance.now(),
    process: readProcessCpu(pid)?.seconds ?? 0,
    postgres,
    machineBusy: (total - idle) / CLOCK_TICKS_PER_SECOND,
    machineTotal: total / CLOCK_TICKS_PER_SECOND,
  };
}

/** CPU used between two snapshots, in % of one core (the machine's as % of all its cores). */
export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot) {
  const wall = (b.at - a.at) / 1000;
  let postgres = 0;
  for (const [pid, seconds] of b.postgres) postgres += seconds - (a.postgres.get(pid) ?? 0);
  return {
    processPercent: ((b.process - a.process) / wall) * 100,
    postgresPercent: (postgres / wall) * 100,
    machinePercent: ((b.machineBusy - a.machineBusy) / Math.max(1e-9, b.machineTotal - a.machineTotal)) * 100,
  };
}

/** Samples the memory of a process periodically; `peakRss` is the largest VmRSS seen. */
export class MemorySampler {
  peakRss = 0;
  hwm = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    intervalMs = 100,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  sample(): void {
    const memory = readMemory(this.pid);
    if (!memory) return;
    this.peakRss = Math.max(this.peakRss, memory.rss);
    this.hwm = Math.max(this.hwm, memory.hwm);
  }

  stop(): void {
    this.sample();
    clearInterval(this.timer);
  }
}
