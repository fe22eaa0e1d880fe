import type { Principal } from 'src/modules/auth/principal';

declare module 'http' {
  interface IncomingMessage {
    /** Request id (X-Request-ID), set by the first middleware. */
    id?: string | number | object;
  }
}

declare global {
  namespace Express {
    // The authenticated principal is what passport puts on `req.user`.
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends Principal {}
  }
}
export {};
