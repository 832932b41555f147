import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestMicroservice, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ActorRef, LibprocessServer, Upid } from '../../index.js';
import type { Call } from '../mesos.types.js';
import { MesosMessage } from '../mesos.constants.js';
import { loadMesosProtos } from '../mesos-protos.js';
import { AgentMetricsProcess } from './agent/agent-metrics.process.js';
import { AgentProcess } from './agent/agent.process.js';
import { MesosAgentsModule } from './agent/mesos-agents.module.js';
import { fromProto, type ResourceBag } from './common/resources.js';
import type { MasterLogEntry } from './master/master-outbox.js';
import type { RegistryAgent } from './master/master-node.settings.js';
import { MasterProcess } from './master/master.process.js';
import { MesosMasterModule } from './master/mesos-master.module.js';
import { stateJson } from './master/master-state.js';
import type { ReceivedMessage } from './master/simulated-master.js';
import {
  AGENT_REGISTER_RETRY_MS,
  agentProcessId,
  MASTER_PROCESS_ID,
  SimulatorMessage,
} from './simulator.constants.js';
import {
  DEFAULT_AGENT_RESOURCES,
  type MesosSimulatorOptions,
  SYSTEM_CLOCK,
  type SimulatedAgentOptions,
} from './simulator.options.js';
import { MasterContender } from './zookeeper/master-contender.js';

/** A received `mesos.scheduler.Call` (for assertions on what a scheduler sent). */
export interface ReceivedCall {
  from: string;
  call: Call;
}

/** How the simulated master fails over. */
export interface FailoverOptions {
  /**
   * `in_memory` (default): the new master knows no agent until it re-registers, so it answers
   * reconciliation of their tasks with TASK_LOST (TASK_UNKNOWN for partition-aware
   * frameworks). `replicated_log`: it recovers the agents and leaves their reconciliation
   * unanswered until they re-register.
   */
  registry?: 'in_memory' | 'replicated_log';
  /** The agents re-register this long after the old master went away (Mesos: up to the ping timeout). */
  agentReregisterDelayMs?: number;
  /** How long the master is down between the two incarnations (default 0). */
  downtimeMs?: number;
}

async function startNode(
  module: unknown,
  logger: LoggerService | false | undefined,
) {
  const app = await NestFactory.createMicroservice(module as never, {
    inject: [LibprocessServer],
    useFactory: (server: LibprocessServer) => ({ strategy: server }),
    logger: logger ?? ['error', 'warn'],
  });
  await app.listen();
  return app;
}

/**
 * A simulated Mesos cluster for tests: a master node (process `master`) and an agents node
 * (`slave(1)`...), each a libprocess node on its own loopback port, like mesos-master and
 * mesos-agent. **A test double, not Mesos**: see the README section "Testing against the
 * simulator" for what it simulates and what it does not.
 *
 * ```ts
 * const mesos = await MesosSimulator.start({ agents: 2 });
 * // ... run the framework against mesos.master (master@127.0.0.1:port) ...
 * await mesos.failover({ registry: 'replicated_log' });
 * await mesos.close();
 * ```
 *
 * @publicApi
 */
export class MesosSimulator {
  private masterApp!: INestMicroservice;
  private agentsApp!: INestMicroservice;
  private readonly agentProcesses: AgentProcess[] = [];
  private contender?: MasterContender;
  private agentReregisterDelayMs = AGENT_REGISTER_RETRY_MS;
  private closed = false;
  /** The Mesos types, parsed once for both nodes and every master incarnation. */
  private readonly root = loadMesosProtos();
  /** The agents' work dir (see `MesosSimulatorOptions.workDir`). */
  readonly workDir: string;
  private readonly ownsWorkDir: boolean;

  private constructor(
    private readonly options: MesosSimulatorOptions,
    private masterId: string,
    private readonly logger: LoggerService | false | undefined,
  ) {
    this.ownsWorkDir = options.workDir === undefined;
    this.workDir =
      options.workDir ?? mkdtempSync(join(tmpdir(), 'mesos-simulator-'));
  }

  /** Starts the master and the agents; resolves once every agent is registered. */
  static async start(
    options: MesosSimulatorOptions & { logger?: LoggerService | false } = {},
  ): Promise<MesosSimulator> {
    const simulator = new MesosSimulator(
      options,
      options.masterId ?? randomUUID(),
      options.logger,
    );
    try {
      await simulator.startMaster(options.port ?? 0, []);
      await simulator.startAgents();
      if (options.zk) {
        simulator.contender = new MasterContender(
          options.zk,
          options.zkSessionTimeoutMs,
        );
        await simulator.contender.contend(simulator.masterProcess.master.info);
      }
    } catch (error) {
      await simulator.close();
      throw error;
    }
    return simulator;
  }

  /** The master's pid (`master@ip:port`). */
  get master(): Upid {
    return this.masterApp.get(ActorRef).self(this.masterProcess);
  }

  /** `ip:port` of the master, as `--master` takes it. */
  get address(): string {
    return `${this.master.host}:${this.master.port}`;
  }

  /** The master's process (its logic is `masterProcess.master`). */
  get masterProcess(): MasterProcess {
    return this.masterApp.get(MasterProcess);
  }

  /** The simulated agents, `slave(1)` first. */
  get agents(): readonly AgentProcess[] {
    return this.agentProcesses;
  }

  /** The current master incarnation's id (a new one after each failover). */
  get id(): string {
    return this.masterId;
  }

  /** `GET /master/state` as an object. */
  state(): Record<string, unknown> {
    const process = this.masterProcess;
    return stateJson(process.master, 0, undefined);
  }

  /** Messages the current master received (the latest 10,000), optionally of one name. */
  received(name?: string): ReceivedMessage[] {
    const all = this.masterProcess.master.received.toArray();
    return name === undefined ? all : all.filter((m) => m.name === name);
  }

  /** The `mesos.scheduler.Call`s the current master received. */
  get calls(): ReceivedCall[] {
    return this.received(MesosMessage.Call).map((m) => ({
      from: m.from,
      call: m.body as Call,
    }));
  }

  /** The master's log lines containing `text` (e.g. "Refusing TEARDOWN"). */
  logged(text: string): MasterLogEntry[] {
    return this.masterProcess.master.log.find(text);
  }

  /** Sends a protobuf message as the master (e.g. a crafted status update). */
  sendAsMaster(to: Upid | string, type: string, message: object): void {
    this.masterApp
      .get(ActorRef)
      .sendProto(to, type, message, { from: this.master });
  }

  // ---- failure modes -----------------------------------------------------------------------

  /**
   * The master's node goes away and a new master (new id) comes up on the same port; every
   * socket to the old one breaks, frameworks must re-subscribe, agents re-register after
   * `agentReregisterDelayMs`. Tasks keep running on the agents.
   */
  async failover(options: FailoverOptions = {}): Promise<void> {
    const port = this.master.port;
    const recovered: RegistryAgent[] =
      options.registry === 'replicated_log'
        ? [...this.masterProcess.master.agents.all()]
            .filter((a) => a.standing === 'registered')
            .map((a) => ({
              id: a.id,
              pid: a.pid.toString(),
              hostname: a.hostname,
              total: a.total,
            }))
        : [];
    this.agentReregisterDelayMs =
      options.agentReregisterDelayMs ?? AGENT_REGISTER_RETRY_MS;
    for (const agent of this.agentProcesses)
      agent.settings.reregisterDelayMs = this.agentReregisterDelayMs;
    await this.contender?.withdraw();
    await this.masterApp.close();
    if (options.downtimeMs)
      await new Promise((r) => setTimeout(r, options.downtimeMs));
    this.masterId = randomUUID();
    await this.startMaster(port, recovered);
    if (this.contender)
      await this.contender.contend(this.masterProcess.master.info);
  }

  /** The agent stops answering (health checks time out): its tasks become UNREACHABLE or LOST. */
  async loseAgent(index = 0): Promise<void> {
    const agent = this.agentProcesses[index];
    await this.agentsApp.get(ActorRef).dispatch(agent, 'partition');
    await this.masterApp
      .get(ActorRef)
      .dispatch(
        this.master,
        'timer',
        'markUnreachable',
        agent.settings.agentId,
        'health check timed out',
      );
  }

  /** A lost agent comes back and re-registers with the tasks it still runs. */
  async reconnectAgent(index = 0): Promise<void> {
    await this.agentsApp
      .get(ActorRef)
      .dispatch(this.agentProcesses[index], 'heal');
  }

  /** Becomes the leading master. */
  async elect(): Promise<void> {
    await this.masterApp.get(ActorRef).dispatch(this.masterProcess, 'elect');
  }

  /** Steps down: 307 to `leader` (host:port) and "not elected" drops. */
  async demote(leader?: string): Promise<void> {
    await this.masterApp
      .get(ActorRef)
      .dispatch(this.masterProcess, 'demote', leader);
  }

  /**
   * Sends an InverseOffersMessage for an agent's resources to a framework (maintenance is
   * scheduled on it). A real master sends inverse offers only to HTTP frameworks; this is for
   * testing a driver's handling of them.
   */
  sendInverseOffer(
    frameworkId: string,
    options: { agent?: number; startMs?: number; durationMs?: number } = {},
  ): string {
    const master = this.masterProcess.master;
    const framework = master.frameworks.get(frameworkId);
    const agent = this.agentProcesses[options.agent ?? 0];
    if (!framework?.pid)
      throw new Error(`Framework ${frameworkId} is not connected`);
    const id = `${this.masterId}-I${framework.inverseOffers.size}-${Date.now()}`;
    framework.inverseOffers.set(id, {
      id,
      frameworkId,
      agentId: agent.settings.agentId,
    });
    const start = options.startMs ?? (this.options.clock ?? SYSTEM_CLOCK).now();
    this.sendAsMaster(framework.pid, SimulatorMessage.InverseOffers, {
      inverse_offers: [
        {
          id: { value: id },
          framework_id: { value: frameworkId },
          slave_id: { value: agent.settings.agentId },
          url: {
            scheme: 'http',
            address: {
              hostname: agent.settings.hostname,
              ip: agent.pid.host,
              port: agent.pid.port,
            },
            path: `/${agent.pid.id}`,
          },
          unavailability: {
            start: { nanoseconds: String(Math.round(start * 1e6)) },
            ...(options.durationMs !== undefined && {
              duration: {
                nanoseconds: String(Math.round(options.durationMs * 1e6)),
              },
            }),
          },
          resources: [],
        },
      ],
      pids: [agent.pid.toString()],
    });
    return id;
  }

  /** Stops everything: tasks are killed, sockets closed, the ZooKeeper session ended. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.contender?.close();
    for (const agent of this.agentProcesses) agent.shutdown();
    await this.agentsApp?.close();
    await this.masterApp?.close();
    if (this.ownsWorkDir) {
      // A killed task may still be writing its output for a moment.
      rmSync(this.workDir, { recursive: true, force: true, maxRetries: 3 });
    }
  }

  private async startMaster(
    port: number,
    recoveredAgents: RegistryAgent[],
  ): Promise<void> {
    const o = this.options;
    this.masterApp = await startNode(
      MesosMasterModule.forRoot({
        root: this.root,
        ip: o.ip ?? '127.0.0.1',
        port,
        masterId: this.masterId,
        hostname: o.hostname,
        clock: o.clock ?? SYSTEM_CLOCK,
        allocationIntervalMs: o.allocationIntervalMs ?? 1000,
        offerTimeoutMs: o.offerTimeoutMs,
        credentials: o.credentials,
        authenticateFrameworks: o.authenticateFrameworks,
        authenticationTimeoutMs: o.authenticationTimeoutMs,
        leading: o.leading,
        leader: o.leader,
        schedulerMessageDelayMs: o.schedulerMessageDelayMs,
        recoveredAgents,
      }),
      this.logger,
    );
    await this.masterProcess.ready;
  }

  private async startAgents(): Promise<void> {
    const o = this.options;
    const configs: SimulatedAgentOptions[] =
      typeof o.agents === 'number'
        ? Array.from({ length: o.agents }, () => ({}))
        : (o.agents ?? [{}]);
    this.agentsApp = await startNode(
      MesosAgentsModule.forRoot({ ip: o.ip ?? '127.0.0.1', root: this.root }),
      this.logger,
    );
    const actors = this.agentsApp.get(ActorRef);
    actors.spawn(new AgentMetricsProcess(() => this.agentProcesses), 'metrics');
    const master = new Upid(
      MASTER_PROCESS_ID,
      this.master.host,
      this.master.port,
    );
    configs.forEach((config, index) => {
      const agent = new AgentProcess(actors, {
        agentId: `${this.masterId}-S${index}`,
        hostname: config.hostname ?? o.hostname ?? 'localhost',
        resources: agentResources(config),
        master,
        clock: o.clock ?? SYSTEM_CLOCK,
        statusUpdateRetryMs: o.statusUpdateRetryMs ?? 10_000,
        reregisterDelayMs: this.agentReregisterDelayMs,
        workDir: this.workDir,
      });
      actors.spawn(agent, agentProcessId(index));
      this.agentProcesses.push(agent);
    });
    // A non-leading master drops registrations: its agents register once it is elected.
    if (o.leading !== false) {
      await waitUntil(
        () => this.agentProcesses.every((a) => a.registered),
        10_000,
        'the agents to register',
      );
    }
  }
}

function agentResources(config: SimulatedAgentOptions): ResourceBag {
  const r = { ...DEFAULT_AGENT_RESOURCES, ...config.resources };
  return fromProto([
    { name: 'cpus', type: 'SCALAR', scalar: { value: r.cpus } },
    { name: 'mem', type: 'SCALAR', scalar: { value: r.mem } },
    { name: 'disk', type: 'SCALAR', scalar: { value: r.disk } },
    {
      name: 'ports',
      type: 'RANGES',
      ranges: {
        range: [{ begin: String(r.ports[0]), end: String(r.ports[1]) }],
      },
    },
  ] as never);
}

async function waitUntil(
  condition: () => boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
