import { ConsoleLogger, type LogLevel } from '@nestjs/common';

/** Nest's own start-up chatter ("Nest application successfully started", module loading...). */
const FRAMEWORK_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'NestMicroservice',
  'NestApplication',
]);

/**
 * The CLI's logger: Nest's ConsoleLogger without the framework's start-up lines, so that the
 * output is the run itself; `--verbose` brings them back together with debug logs.
 */
export class SampleLogger extends ConsoleLogger {
  constructor(private readonly debugOutput = false) {
    super({
      // Colours for a terminal only, not for a log file or a CI capture.
      colors: Boolean(process.stdout.isTTY),
      logLevels: (debugOutput
        ? ['fatal', 'error', 'warn', 'log', 'debug', 'verbose']
        : ['fatal', 'error', 'warn', 'log']) as LogLevel[],
    });
  }

  override log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams[optionalParams.length - 1];
    if (
      !this.debugOutput &&
      typeof context === 'string' &&
      FRAMEWORK_CONTEXTS.has(context)
    ) {
      return;
    }
    super.log(message, ...optionalParams);
  }
}
