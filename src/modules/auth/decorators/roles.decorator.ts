import { SetMetadata } from '@nestjs/common';
import type { RequiredRole } from '../principal';

export const ROLES_KEY = 'flightdeck:roles';

/**
 * The least role a route needs. Without it, reads need `viewer` and writes `member`:
 * viewers read only, by default.
 */
export const Roles = (role: RequiredRole) => SetMetadata(ROLES_KEY, role);
