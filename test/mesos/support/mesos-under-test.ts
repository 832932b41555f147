import {
  MesosSimulator,
  type MesosSimulatorOptions,
} from '../../../lib/mesos/testing/index.js';
import { httpGet, type HttpAnswer } from './master-http.js';
import type { MesosCluster } from './mesos-cluster.js';
import type { MasterFramework } from './master-state.js';

/**
 * What a scenario runs against: a real Mesos cluster or the simulator, observed the same way
 * (the master's HTTP endpoints), so that one scenario with one set of expected observations
 * runs on both and the simulator cannot drift from the real master unnoticed.
 */
export interface MesosUnderTest {
  /** `real Mesos 1.12` or `simulator`, for test titles and messages. */
  readonly label: string;
  /** `host:port` of the (leading) master. */
  readonly masterAddr: string;
  masterGet(path: string): Promise<HttpAnswer>;
  masterJson<T = Record<string, unknown>>(path: string): Promise<T>;
  /** A JSON endpoint of the (first) agent's node, e.g. `/metrics/snapshot`. */
  agentJson<T = Record<string, unknown>>(path: string): Promise<T>;
}

/** `/master/frameworks` on either. */
export interface FrameworksJson {
  frameworks: MasterFramework[];
  completed_frameworks: MasterFramework[];
}

/** The single agent's id, as the master lists it. */
export async function firstAgentId(target: MesosUnderTest): Promise<string> {
  const state = await target.masterJson<{ slaves: Array<{ id: string }> }>(
    '/master/state',
  );
  if (state.slaves.length === 0)
    throw new Error(`${target.label}: no agent registered`);
  return state.slaves[0].id;
}

/** Where the master lists framework `id`: registered (`completed: false`) or torn down. */
export async function frameworkById(
  target: MesosUnderTest,
  id: string,
): Promise<{ framework: MasterFramework; completed: boolean } | undefined> {
  const json = await target.masterJson<FrameworksJson>('/master/frameworks');
  const active = json.frameworks.find((f) => f.id === id);
  if (active) return { framework: active, completed: false };
  const done = json.completed_frameworks.find((f) => f.id === id);
  return done ? { framework: done, completed: true } : undefined;
}

/** A real cluster as a {@link MesosUnderTest}. */
export function realMesos(cluster: MesosCluster): MesosUnderTest {
  return {
    label: 'real Mesos 1.12',
    masterAddr: cluster.masterAddr,
    masterGet: (path) => cluster.masterGet(path),
    masterJson: (path) => cluster.masterJson(path),
    agentJson: (path) => cluster.agentJson(path),
  };
}

/**
 * The simulator as a {@link MesosUnderTest}, with the real test clusters' allocation interval
 * (100 ms) so that timings compare.
 */
export async function simulatedMesos(
  options: MesosSimulatorOptions = {},
): Promise<MesosUnderTest & { simulator: MesosSimulator }> {
  const simulator = await MesosSimulator.start({
    ip: '127.0.0.1',
    hostname: '127.0.0.1',
    allocationIntervalMs: 100,
    logger: false,
    ...options,
  });
  const [host, port] = [simulator.master.host, simulator.master.port];
  const json = async <T>(
    node: { host: string; port: number },
    path: string,
  ): Promise<T> => {
    const answer = await httpGet(node.host, node.port, path);
    if (answer.status !== 200)
      throw new Error(
        `GET ${node.host}:${node.port}${path}: ${answer.status} ${answer.body.slice(0, 200)}`,
      );
    return JSON.parse(answer.body) as T;
  };
  return {
    label: 'simulator',
    masterAddr: simulator.address,
    masterGet: (path) => httpGet(host, port, path),
    masterJson: (path) => json(simulator.master, path),
    agentJson: (path) => {
      const agent = simulator.agents[0];
      if (!agent) throw new Error('the simulator runs no agent');
      return json(agent.pid, path);
    },
    simulator,
  };
}
