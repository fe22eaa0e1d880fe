import type { Principal } from 'src/modules/auth/principal';

declare module 'http' {
  interface IncomingMessage {
    /** Request id (X-Request-ID), set by the first middleware. */
    id?: string | number | object;
  }
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface User extends Principal {}
  }
}
export {};
