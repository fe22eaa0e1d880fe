import { SetMetadata } from '@nestjs/common';

export const CONSUMES_KEY = 'flightdeck:consumes';
export const JSON_MEDIA_TYPES = ['application/json', 'application/*+json'];

/** Media types a route accepts for its body; JSON unless declared otherwise. */
export const Consumes = (...mediaTypes: string[]) => SetMetadata(CONSUMES_KEY, mediaTypes);
