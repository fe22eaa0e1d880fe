import { AsyncLocalStorage } from 'node:async_hooks';

interface RequestContext {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** The id of the request being served, for audit rows and outbound calls; undefined off-request. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}
