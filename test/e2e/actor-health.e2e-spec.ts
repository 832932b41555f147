import { afterEach, describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';

import {
  LibprocessHealthIndicator,
  Process,
  type Upid,
} from '../../lib/index.js';
import { startNode, type TestNode } from './support/start-node.js';

@Process('scheduler')
@Injectable()
class Scheduler {}

@Process('master')
@Injectable()
class Master {}

/** Resolves on the next `event` the node reports. */
function next(node: TestNode, event: 'linked' | 'exited'): Promise<Upid> {
  return new Promise((resolve) =>
    node.server.on(event, (_from: Upid, to: Upid) => resolve(to)),
  );
}

describe('LibprocessHealthIndicator', () => {
  const nodes: TestNode[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((node) => node.app.close()));
  });

  it('is down once a linkedTo link exited (the master went away)', async () => {
    const framework = await startNode({ providers: [Scheduler] });
    const master = await startNode({ providers: [Master] });
    nodes.push(framework);
    const masterPid = master.pid('master');
    const health = framework.get(LibprocessHealthIndicator);
    expect(health.isHealthy('libprocess', { linkedTo: [masterPid] })).toEqual({
      libprocess: expect.objectContaining({
        status: 'down',
        missingLinks: [String(masterPid)],
      }),
    });

    const linked = next(framework, 'linked');
    framework.actors.link(masterPid, { from: framework.get(Scheduler) });
    await linked;
    expect(
      health.isHealthy('libprocess', { linkedTo: [String(masterPid)] }),
    ).toEqual({
      libprocess: {
        status: 'up',
        address: `127.0.0.1:${framework.pid('x').port}`,
        processes: 1,
        links: 1,
      },
    });

    const exited = next(framework, 'exited');
    await master.app.close();
    await exited;
    expect(health.isHealthy('libprocess', { linkedTo: [masterPid] })).toEqual({
      libprocess: expect.objectContaining({
        status: 'down',
        links: 0,
        missingLinks: [String(masterPid)],
      }),
    });
    // Without linkedTo the node itself is still fine.
    expect(health.isHealthy().libprocess.status).toBe('up');
  });
});
