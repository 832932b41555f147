import { expect } from '@jest/globals';
import { MesosSimulator } from 'nestjs-libprocess/mesos/testing';

const mesos = await MesosSimulator.start({
  agents: 2,
  allocationIntervalMs: 100,
});
// point the framework at mesos.master (master@127.0.0.1:port) or mesos.address (host:port)
await mesos.failover({
  registry: 'replicated_log',
  agentReregisterDelayMs: 2000,
});
await mesos.loseAgent(1);
expect(mesos.logged('Refusing TEARDOWN call')).toHaveLength(0);
await mesos.close();
