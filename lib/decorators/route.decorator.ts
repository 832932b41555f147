import { SetMetadata } from '@nestjs/common';

import { ROUTE_METADATA } from '../actor.constants.js';
import type { RouteOptions } from '../interfaces/route-options.interface.js';

/** @internal What `@Route()` stores on a method. */
export interface RouteMetadata {
  path: string;
  methods: string[];
}

/**
 * Serves `GET|POST /<process id>/<path>` from the libprocess port (an HTTP endpoint as C++
 * libprocess processes have). The method runs on the process' queue and receives the
 * `WireRequest`; it returns the body (JSON unless a string, Buffer or `RouteResponse`).
 *
 * @publicApi
 */
export const Route = (
  path: string,
  options: RouteOptions = {},
): MethodDecorator =>
  SetMetadata<string, RouteMetadata>(ROUTE_METADATA, {
    path: path.replace(/^\/+/, ''),
    methods: (options.methods ?? ['GET', 'POST']).map((m) => m.toUpperCase()),
  });
