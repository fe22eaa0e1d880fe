import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ProblemDto } from 'src/common/errors/problem.dto';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Bad request: malformed body or parameters',
  401: 'Unauthorized: missing or invalid credentials',
  403: 'Forbidden: role, workspace or project mismatch',
  404: 'Not found in the caller workspace',
  409: 'Conflict with the current state',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Validation failed; `errors[]` names each field',
  429: 'Rate limited; honour `Retry-After`',
  500: 'Unexpected server error; quote the request id',
};

/** Documents the problem+json answers a route can give, with the shared ProblemDto schema. */
export function ApiProblemResponses(...statuses: number[]) {
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? 'Error',
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) } } },
      }),
    ),
  );
}
