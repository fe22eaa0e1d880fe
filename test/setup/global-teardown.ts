export default async function globalTeardown(): Promise<void> {
  const engine = (globalThis as { __embeddedPostgres?: { stop(): Promise<void> } }).__embeddedPostgres;
  await engine?.stop();
}
