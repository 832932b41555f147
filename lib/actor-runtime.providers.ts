import { ForbiddenException, Logger, type Provider } from '@nestjs/common';

import { ACTOR_MODULE_OPTIONS } from './actor-module.definition.js';
import { LibprocessContext } from './ctx-host/libprocess.context.js';
import type { ActorModuleOptions } from './interfaces/actor-module-options.interface.js';
import { loadProtobufFiles } from './protobuf-files.loader.js';
import { ProcessManager } from './runtime/process-manager.js';
import { ProtobufRegistry } from './runtime/protobuf.registry.js';
import type { RuntimeLogger } from './runtime/runtime.interfaces.js';

/** The runtime's log lines through Nest's `Logger`, under a context users recognise. */
export class NestRuntimeLogger implements RuntimeLogger {
  private readonly logger = new Logger('ActorModule');

  isDebugEnabled(): boolean {
    return Logger.isLevelEnabled('debug');
  }

  debug(message: string): void {
    this.logger.debug(message);
  }

  warn(message: string): void {
    this.logger.warn(message);
  }

  handlerFailed(message: string, error: unknown): void {
    if (error instanceof ForbiddenException) {
      // A guard said no: expected, and its stack only shows Nest's internals.
      this.logger.warn(`${message}: ${error.message}`);
    } else if (error instanceof Error) {
      this.logger.error(`${message}: ${error.message}`, error.stack);
    } else {
      this.logger.error(`${message}: ${String(error)}`);
    }
  }
}

function createContext(
  ...args: ConstructorParameters<typeof LibprocessContext>[0]
): LibprocessContext {
  return new LibprocessContext(args);
}

/** The Nest-free runtime, built from the module options with Nest's logger and context. */
export const ACTOR_RUNTIME_PROVIDERS: Provider[] = [
  {
    provide: ProcessManager,
    inject: [ACTOR_MODULE_OPTIONS],
    useFactory: (options: ActorModuleOptions) =>
      new ProcessManager({
        logger: new NestRuntimeLogger(),
        createContext,
        delegate: options.delegate,
      }),
  },
  {
    provide: ProtobufRegistry,
    inject: [ACTOR_MODULE_OPTIONS],
    useFactory: (options: ActorModuleOptions) =>
      new ProtobufRegistry({
        root: loadProtobufFiles(options.protobuf),
        conversion: options.protobuf?.conversion,
      }),
  },
];
