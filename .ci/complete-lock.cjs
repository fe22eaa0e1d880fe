// node .ci/complete-lock.cjs            lists what is missing (changes nothing)
// node .ci/complete-lock.cjs --write && npm install --package-lock-only
//
// Adds to package-lock.json the optional platform packages (e.g. @swc/core-darwin-arm64) that
// the lock's own packages declare but the lock lacks. npm leaves them out when the registry it
// resolved against does not serve them, and `npm ci` then refuses the lock everywhere ("Missing:
// @swc/core-darwin-arm64@ from lock file"). Entries get the exact version the parent pins and
// os/cpu/libc from the package name, so npm skips them on other platforms without fetching them;
// `npm install --package-lock-only` afterwards sets the dev/optional flags the way npm writes them.
const fs = require('fs');
const write = process.argv.includes('--write');
const lockPath = require('path').join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
const pk = lock.packages;
const added = [];
const cpus = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64'];
for (const [path, entry] of Object.entries(pk)) {
  for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    const base = path ? `${path}/node_modules/${name}` : `node_modules/${name}`;
    if (pk[`node_modules/${name}`] || pk[base]) continue;
    if (!/^\d+\.\d+\.\d+$/.test(spec)) {
      console.error('non-exact spec', name, spec);
      continue;
    }
    const tail = name.split('/').pop();
    const os = ['darwin', 'win32', 'linux', 'android', 'freebsd', 'openharmony'].find(
      (o) => tail.includes(`-${o}-`) || tail.endsWith(`-${o}`),
    );
    const cpu = cpus.find((c) => new RegExp(`-${c}(-|$)`).test(tail));
    const libc =
      /-(gnu|gnueabihf)$/.test(tail) && os === 'linux' ? 'glibc' : /-musl(eabihf)?$/.test(tail) ? 'musl' : undefined;
    const e = { version: spec };
    if (cpu) e.cpu = [cpu];
    if (libc) e.libc = [libc];
    e.optional = true;
    if (os) e.os = [os];
    pk[`node_modules/${name}`] = e;
    added.push(`${name}@${spec} ${os}/${cpu}/${libc ?? ''}`);
  }
}
if (added.length === 0) {
  console.log('package-lock.json already lists every optional platform package');
} else if (!write) {
  console.log(`package-lock.json lacks ${added.length} optional platform packages (run with --write to add them):`);
  console.log(added.join('\n'));
  process.exitCode = 1;
} else {
  lock.packages = Object.fromEntries(
    Object.entries(pk).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
  );
  fs.writeFileSync(lockPath, JSON.stringify(lock, null, 2) + '\n');
  console.log(`added ${added.length} entries to ${lockPath}:\n${added.join('\n')}`);
}
