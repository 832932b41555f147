/**
 * Many links: one process links to 1,000 remote processes spread over 50 peer nodes (20 per
 * address, so 50 sockets), then every peer node shuts down. Reports the time until every
 * `@OnLinked()` and then every `@OnExited()` has run, and the node's RSS with the links up.
 * The 50 peers are bare lib/wire nodes in this same process (each its own listener).
 */
import {
  OnExited,
  OnLinked,
  Process,
  Upid,
  WireNode,
} from '../../lib/index.js';
import { Countdown, startBenchNode } from '../support/bench-node.js';
import { QUICK, REPEATS, rssMb } from '../support/bench-runner.js';
import { report } from '../support/in-process-result.js';

const ADDRESSES = 50;
const PER_ADDRESS = 20;
const LINKS = ADDRESSES * PER_ADDRESS;

@Process('linker')
class LinkerProcess {
  readonly linked = new Countdown();
  readonly exited = new Countdown();

  @OnLinked()
  onLinked(_pid: Upid): void {
    this.linked.count();
  }

  @OnExited()
  onExited(_pid: Upid): void {
    this.exited.count();
  }
}

const node = await startBenchNode([LinkerProcess]);
try {
  const linker = node.app.get(LinkerProcess);
  const rssBefore = rssMb();
  // The warm-up round is not reported (QUICK: one reported round, else REPEATS).
  for (let round = 0; round <= (QUICK ? 1 : REPEATS); round++) {
    const peers = Array.from(
      { length: ADDRESSES },
      () =>
        new WireNode({ ip: '127.0.0.1', port: 0 }, { onMessage: () => true }),
    );
    await Promise.all(peers.map((peer) => peer.listen()));
    const targets = peers.flatMap((peer) =>
      Array.from({ length: PER_ADDRESS }, (_, i) => peer.pid(`worker(${i})`)),
    );

    const linked = linker.linked.arm(LINKS);
    let start = performance.now();
    for (const pid of targets) node.actors.link(pid, { from: linker });
    await linked;
    const linkMs = performance.now() - start;
    const rss = rssMb();

    const exited = linker.exited.arm(LINKS);
    start = performance.now();
    await Promise.all(peers.map((peer) => peer.close()));
    await exited;
    const exitMs = performance.now() - start;

    if (round === 0) continue;
    const details = { links: LINKS, addresses: ADDRESSES, repeat: round };
    report({
      name: 'scale.links.link-all',
      value: linkMs,
      unit: 'ms',
      ...details,
    });
    report({
      name: 'scale.links.exit-all',
      value: exitMs,
      unit: 'ms',
      ...details,
    });
    report({
      name: 'scale.links.rss-delta',
      value: rss - rssBefore,
      unit: 'MB',
      ...details,
    });
  }
} finally {
  await node.close();
}
