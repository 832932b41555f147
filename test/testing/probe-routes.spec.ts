import { afterEach, describe, expect, it } from '@jest/globals';

import { RouteResponse } from '../../lib/index.js';
import { Probe } from '../../lib/testing/index.js';

describe('Probe HTTP routes', () => {
  let probe: Probe | undefined;
  afterEach(async () => {
    await probe?.close();
    probe = undefined;
  });

  it('answers its routes on its libprocess port, records every request, 404 otherwise', async () => {
    let leader = 'master@10.0.0.1:5050';
    probe = await Probe.start({
      id: 'master',
      routes: {
        state: () => ({ leader }),
        '/health': () => new RouteResponse(503, 'starting'),
        broken: () => {
          throw new Error('no state yet');
        },
      },
    });
    const base = `http://${probe.pid.host}:${probe.pid.port}`;

    const state = await fetch(`${base}/master/state?jsonp=x`);
    expect(state.headers.get('content-type')).toBe('application/json');
    await expect(state.json()).resolves.toEqual({ leader });

    // Replaced, as a test of failover would.
    leader = 'unused';
    probe.route('state', () => ({ leader: 'master@10.0.0.2:5050' }));
    await expect((await fetch(`${base}/master/state`)).json()).resolves.toEqual(
      {
        leader: 'master@10.0.0.2:5050',
      },
    );

    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(503);
    await expect(health.text()).resolves.toBe('starting');
    const broken = await fetch(`${base}/master/broken`);
    expect(broken.status).toBe(500);
    await expect(broken.text()).resolves.toBe('no state yet');
    expect((await fetch(`${base}/master/nothing`)).status).toBe(404);

    expect(probe.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /master/state?jsonp=x',
      'GET /master/state',
      'GET /health',
      'GET /master/broken',
      'GET /master/nothing',
    ]);
  });
});
