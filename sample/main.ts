import 'reflect-metadata';
import { CliUsageError, parseCliArgs, USAGE } from './cli/cli-options.js';
import { SampleLogger } from './cli/sample-logger.js';
import { runSample } from './run-sample.js';

/**
 * `npm start -- [options]`: a Mesos framework scheduler on nestjs-libprocess. The exit code is
 * 0 only when every task FINISHED.
 */
async function main(argv: string[]): Promise<number> {
  let command;
  try {
    command = parseCliArgs(argv);
  } catch (error) {
    if (error instanceof CliUsageError) {
      process.stderr.write(`${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
  if (command.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  return runSample(command.options, new SampleLogger(command.options.verbose));
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A CLI states what went wrong (bind error, unknown master host...) without a stack trace.
    process.stderr.write(
      `Error: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
