import { createParamDecorator, ExecutionContext } from '@nestjs/common';

/**
 * A parsed JSON body that can be taken once. Nest keeps a handler's arguments, and Express the
 * request's `body`, until the answer is sent; a large batch waiting for its group commit would
 * keep its whole parse tree alive that long. A handler that takes the body hands it to code that
 * lets go of it as soon as it has what it needs.
 */
export class BodyHandle {
  constructor(private body: unknown) {}

  take(): unknown {
    const body = this.body;
    this.body = undefined;
    return body;
  }
}

/** The request's JSON body as a `BodyHandle`; the request itself no longer holds it. */
export const TakeBody = createParamDecorator((_: unknown, context: ExecutionContext): BodyHandle => {
  const request = context.switchToHttp().getRequest<{ body?: unknown }>();
  const handle = new BodyHandle(request.body);
  request.body = undefined;
  return handle;
});
