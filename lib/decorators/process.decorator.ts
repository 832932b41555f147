import { SetMetadata } from '@nestjs/common';

import { PROCESS_METADATA } from '../actor.constants.js';
import type { ProcessOptions } from '../interfaces/process-options.interface.js';

/**
 * Makes a provider (or controller) a libprocess process with the pid `<id>@<ip>:<port>`.
 * Its `@Mailbox()` methods receive the messages addressed to it, one at a time.
 *
 * @param id the process id, e.g. `'scheduler'` or `'slave(1)'`
 *
 * @publicApi
 */
export function Process(id: string): ClassDecorator;
/**
 * Makes a provider (or controller) a libprocess process.
 *
 * @param options the process options (`id`)
 *
 * @publicApi
 */
export function Process(options: ProcessOptions): ClassDecorator;
export function Process(idOrOptions: string | ProcessOptions): ClassDecorator {
  const options: ProcessOptions =
    typeof idOrOptions === 'string' ? { id: idOrOptions } : idOrOptions;
  return SetMetadata(PROCESS_METADATA, options);
}
