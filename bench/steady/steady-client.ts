/**
 * The TS client of the steady-state benchmark (`npm run bench -- --steady`): one long-lived
 * process sending N `count` messages to an echo server at the rate the pipe takes, then a
 * `report`. Prints the peers' `send` line (`server_count`, `seconds`, `msgs_per_sec`).
 *
 *   node dist/bench/steady/steady-client.js --to echo@127.0.0.1:5050 --n 1000000 [--size 100]
 *        [--names plain|mesosgo] [--window 8192] [--in-flight 4] [--timeout 600]
 */
import { parseArgs } from 'node:util';

import { Upid } from '../../lib/index.js';
import type { NameScheme } from '../../peer/name-schemes.js';
import { startPeerApp } from '../../peer/peer-app.js';
import { formatReportLine, round } from '../../peer/peer-report.js';
import { SteadySenderProcess } from './steady-sender.process.js';

const { values } = parseArgs({
  options: {
    to: { type: 'string' },
    n: { type: 'string', default: '1000000' },
    size: { type: 'string', default: '100' },
    names: { type: 'string', default: 'plain' },
    // 8,192 x ~300 B frames x 4 windows: ~10 MB in flight, a third of the per-peer queue limit.
    window: { type: 'string', default: '8192' },
    'in-flight': { type: 'string', default: '4' },
    timeout: { type: 'string', default: '600' },
  },
});
const n = Number(values.n);
const size = Number(values.size);
if (
  values.to === undefined ||
  !Number.isInteger(n) ||
  !Number.isInteger(size) ||
  (values.names !== 'plain' && values.names !== 'mesosgo')
) {
  process.stderr.write(
    'usage: steady-client.js --to PID [--n N] [--size B] [--names plain|mesosgo] [--window W] [--in-flight K] [--timeout S]\n',
  );
  process.exit(2);
}

const peer = await startPeerApp(SteadySenderProcess, 'sender', {
  ip: '127.0.0.1',
  port: 0,
  verbose: false,
});
let timer: NodeJS.Timeout | undefined;
// The client's own CPU from its first send to the report's reply: what the steady state costs
// per message, without the process start-up the harness' client_cpu_s also counts.
const startCpu = process.cpuUsage();
try {
  const outcome = await Promise.race([
    peer.process.run(
      Upid.parse(values.to),
      n,
      size,
      values.names as NameScheme,
      {
        size: Number(values.window),
        inFlight: Number(values['in-flight']),
      },
    ),
    new Promise<undefined>((resolve) => {
      timer = setTimeout(
        () => resolve(undefined),
        Number(values.timeout) * 1000,
      );
    }),
  ]);
  const cpu = process.cpuUsage(startCpu);
  const line =
    outcome === undefined
      ? { peer: 'ts', mode: 'steady', error: 'timeout', to: values.to }
      : {
          peer: 'ts',
          mode: 'steady',
          from: peer.pid,
          to: values.to,
          names: values.names,
          n,
          size,
          window: Number(values.window),
          in_flight: Number(values['in-flight']),
          server_count: outcome.serverCount,
          seconds: round(outcome.seconds, 4),
          msgs_per_sec: round(n / outcome.seconds, 1),
          sending_cpu_s: round((cpu.user + cpu.system) / 1e6, 3),
        };
  process.stdout.write(`${formatReportLine(line)}\n`);
  process.exitCode =
    outcome === undefined ? 2 : outcome.serverCount === n ? 0 : 1;
} finally {
  clearTimeout(timer);
  await peer.close();
}
