import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC_KEY = 'flightdeck:isPublic';

/** The only way out of the global guard chain: the route needs no credentials. */
export const Public = () => SetMetadata(IS_PUBLIC_KEY, true);
