import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import { ApiProblemResponses } from 'src/common/swagger/api-problem-responses.decorator';
import type { RequiredRole } from '../principal';
import { Roles } from './roles.decorator';

export const API_KEY_SECURITY = 'api-key';
export const BEARER_SECURITY = 'bearer';

/**
 * The rule of a controller or route in one place: who may call it, documented in Swagger.
 * Authentication itself is global (deny by default); this adds the role and the docs.
 */
export function Auth(role?: RequiredRole) {
  return applyDecorators(
    ApiSecurity(API_KEY_SECURITY),
    ApiBearerAuth(BEARER_SECURITY),
    ApiProblemResponses(401, 403, 429, 500),
    ...(role ? [Roles(role)] : []),
  );
}
