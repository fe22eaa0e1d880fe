/**
 * Which Flightdeck the benchmarks run, and the plain JS of the bench's own child processes.
 *
 * The app is measured compiled (as in production, not under ts-node). dist/ may be someone
 * else's in this shared tree, so each benchmark keeps a private build in its own cache
 * directory, rebuilt with `nest build` only when the sources are newer than the last build.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import * as ts from 'typescript';
import { ROOT } from './processes';
import { log } from './report';

export interface AppCommand {
  /** Node arguments that start the app (flags, preloads and entry point). */
  args: string[];
  /** What runs, as the report says it. */
  label: string;
}

const TS_NODE: AppCommand['args'] = [
  '-r',
  'ts-node/register/transpile-only',
  '-r',
  'tsconfig-paths/register',
  'src/main.ts',
];

/** The cache directory of a benchmark: its private app build and its transpiled child processes. */
export const benchCache = (name: string) => join(ROOT, 'node_modules', '.cache', name);

function newestMtime(paths: string[]): number {
  let newest = 0;
  const visit = (path: string) => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
    else if (/\.(ts|json)$/.test(path)) newest = Math.max(newest, stat.mtimeMs);
  };
  paths.forEach(visit);
  return newest;
}

export interface ResolveAppOptions {
  /** The benchmark's cache directory (benchCache). */
  cache: string;
  /** Run dist/ as it is when it is newer than every source (bench:ingest; it saves a build). */
  preferDist: boolean;
}

/**
 * The app to measure: BENCH_APP_ENTRY, BENCH_APP=ts-node, a fresh dist/ (when preferred), else the
 * private build. When `nest build` emits nothing new, ts-node runs src/main.ts instead.
 */
export function resolveApp({ cache, preferDist }: ResolveAppOptions): AppCommand {
  if (process.env.BENCH_APP_ENTRY) {
    return { args: [process.env.BENCH_APP_ENTRY], label: `compiled: ${process.env.BENCH_APP_ENTRY} (BENCH_APP_ENTRY)` };
  }
  if (process.env.BENCH_APP === 'ts-node') return { args: TS_NODE, label: 'ts-node src/main.ts (BENCH_APP=ts-node)' };
  const sources = newestMtime(
    ['src', 'migrations', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json'].map((p) => join(ROOT, p)),
  );
  const dist = join(ROOT, 'dist', 'src', 'main.js');
  if (preferDist && existsSync(dist) && statSync(dist).mtimeMs >= sources)
    return { args: [dist], label: 'compiled: dist/src/main.js (fresh)' };

  const build = join(cache, 'build');
  const entry = join(build, 'src', 'main.js');
  const stamp = join(cache, 'build.stamp');
  const label = preferDist
    ? `compiled: ${relative(ROOT, entry)} (nest build of the working tree; dist/ is ${existsSync(dist) ? 'stale' : 'missing'})`
    : `compiled: ${relative(ROOT, entry)}`;
  if (existsSync(entry) && existsSync(stamp) && Number(readFileSync(stamp, 'utf8')) >= sources)
    return { args: [entry], label };
  // tsconfig.build.json with the output moved into the cache (nest-cli.json's deleteOutDir then
  // empties only our build, never dist/). Relative: nest resolves -p against the working directory.
  mkdirSync(cache, { recursive: true });
  const tsconfig = relative(ROOT, join(cache, 'tsconfig.app.json'));
  writeFileSync(
    join(ROOT, tsconfig),
    JSON.stringify({ extends: join(ROOT, 'tsconfig.build.json'), compilerOptions: { outDir: build } }),
  );
  log(`building the app (nest build -p ${tsconfig}) ...`);
  const result = spawnSync(join(ROOT, 'node_modules', '.bin', 'nest'), ['build', '-p', tsconfig], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const errors = stripVTControlCharacters(`${result.stdout}${result.stderr}`).trim();
  if (!existsSync(entry) || statSync(entry).mtimeMs < sources) {
    log(`nest build produced nothing new, falling back to ts-node:\n${errors}`);
    return { args: TS_NODE, label: 'ts-node src/main.ts (nest build failed)' };
  }
  if (result.status !== 0) {
    // Others edit the tree while this runs. Like tsc, nest build still emits JS when only types
    // are wrong: run that (what ts-node --transpile-only would run too), and say so.
    log(`nest build reported type errors (the JS was emitted and is used):\n${errors.slice(0, 2000)}`);
    return { args: [entry], label: `${label} (the working tree had type errors)` };
  }
  writeFileSync(stamp, String(sources));
  return { args: [entry], label };
}

/** The last commit, compiled apart (git archive into the cache): the fallback when the shared working tree does not boot. */
export function buildHead(cache: string): AppCommand {
  const commit = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
  const dir = join(cache, `head-${commit.slice(0, 12)}`);
  const entry = join(dir, 'dist', 'src', 'main.js');
  const label = `compiled: HEAD ${commit.slice(0, 12)} (git archive, nest build in ${relative(ROOT, dir)}; the working tree did not boot)`;
  if (existsSync(entry)) return { args: [entry], label };
  log(`building HEAD ${commit.slice(0, 12)} apart ...`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const archive = spawnSync('sh', ['-c', `git archive HEAD | tar -x -C "${dir}"`], { cwd: ROOT, encoding: 'utf8' });
  if (archive.status !== 0) throw new Error(`git archive failed: ${archive.stderr}`);
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  const build = spawnSync(join(ROOT, 'node_modules', '.bin', 'nest'), ['build'], { cwd: dir, encoding: 'utf8' });
  if (!existsSync(entry))
    throw new Error(`nest build of HEAD failed:\n${stripVTControlCharacters(`${build.stdout}${build.stderr}`)}`);
  return { args: [entry], label };
}

const BENCH = join(__dirname, '..');
const RELATIVE_REQUIRE = /\brequire\("(\.{1,2}\/[^"]+)"\)/g;

/**
 * bench/<name>.ts → plain JS under `<cache>/<name>.js`, so the driver, the minimal servers and the
 * profiler run without ts-node (whose compiler would cost them CPU and memory during the
 * measurement). The bench modules they import (bench/harness/...) are transpiled alongside, at
 * the same relative paths, so their `require('./harness/...')` resolve; packages (pg) resolve
 * from the repository's node_modules, which holds the cache.
 */
export function transpile(name: string, cache: string, done = new Set<string>()): string {
  const out = join(cache, `${name}.js`);
  if (done.has(name)) return out;
  done.add(name);
  const { outputText } = ts.transpileModule(readFileSync(join(BENCH, `${name}.ts`), 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, outputText);
  for (const [, specifier] of outputText.matchAll(RELATIVE_REQUIRE))
    transpile(relative(BENCH, join(BENCH, dirname(name), specifier)), cache, done);
  return out;
}
