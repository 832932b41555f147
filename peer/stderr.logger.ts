import { ConsoleLogger, type LogLevel } from '@nestjs/common';

/**
 * Nest's console logger writing every level to stderr: the peer's stdout carries only its
 * JSON result lines, which harnesses parse.
 */
export class StderrLogger extends ConsoleLogger {
  constructor(verbose: boolean) {
    const levels: LogLevel[] = verbose
      ? ['fatal', 'error', 'warn', 'log', 'debug', 'verbose']
      : ['fatal', 'error', 'warn'];
    super({ logLevels: levels });
  }

  protected override printMessages(
    messages: unknown[],
    context?: string,
    logLevel?: LogLevel,
    _writeStreamType?: 'stdout' | 'stderr',
    ...rest: [errorStack?: unknown, params?: Record<string, any>]
  ): void {
    super.printMessages(messages, context, logLevel, 'stderr', ...rest);
  }
}
