#!/usr/bin/env node
/**
 * The TypeScript libprocess peer: the same CLI as the reference peers of ../shared/peers
 * (compactor, mesos-go, C++ libprocess), built on the public API of nestjs-libprocess.
 *
 *   npm run build && npm run peer -- serve --port 5053
 *   npm run peer -- send --to echo@127.0.0.1:5053 --n 20000 --size 100
 *
 * One JSON line per result on stdout, logs on stderr; `--help` lists modes and flags.
 */
import { BindError, InvalidUpidError, TlsConfigError } from '../lib/index.js';
import {
  parsePeerArgs,
  USAGE,
  UsageError,
  type PeerOptions,
} from './peer-args.js';
import { runLink, runPingpong, runSend, runServe } from './peer-modes.js';
import { formatReportLine, type ReportLine } from './peer-report.js';

function print(line: ReportLine | string): void {
  process.stdout.write(
    `${typeof line === 'string' ? line : formatReportLine(line)}\n`,
  );
}

/** Runs until killed; SIGINT/SIGTERM close the node (flushing queued replies) first. */
async function serve(
  options: Extract<PeerOptions, { mode: 'serve' }>,
): Promise<never> {
  const peer = await runServe(options, print);
  print(peer.pid);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await peer.close();
  process.exit(0);
}

async function run(options: PeerOptions): Promise<number> {
  switch (options.mode) {
    case 'serve':
      return serve(options);
    case 'send':
      return runSend(options, print);
    case 'pingpong':
      return runPingpong(options, print);
    case 'link':
      return runLink(options, print);
  }
}

async function main(argv: string[]): Promise<number> {
  let options: PeerOptions | 'help';
  try {
    options = parsePeerArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`peer: ${err.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    print(USAGE);
    return 0;
  }
  try {
    return await run(options);
  } catch (err) {
    // A bad --to is a usage error, as in the reference peers.
    if (err instanceof InvalidUpidError) {
      process.stderr.write(`peer: --to: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // A busy or bad --ip/--port, or a bad LIBPROCESS_SSL_* setting, is the user's to fix, not
    // a bug: no stack trace for it.
    if (err instanceof BindError || err instanceof TlsConfigError) {
      process.stderr.write(`peer: ${err.message}\n`);
      process.exit(1);
    }
    process.stderr.write(
      `peer: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
