import type { MesosCluster } from './mesos-cluster.js';
import { pollUntil } from './process-watch.js';

/** A task as the master's `/master/frameworks` lists it. */
export interface MasterTask {
  id: string;
  name: string;
  state: string;
  slave_id: string;
  statuses: Array<{ state: string; timestamp: number; message?: string }>;
}

/** A framework as the master's `/master/frameworks` lists it (the fields the tests read). */
export interface MasterFramework {
  id: string;
  name: string;
  active: boolean;
  connected: boolean;
  recovered?: boolean;
  pid?: string;
  hostname?: string;
  failover_timeout?: number;
  principal?: string;
  user?: string;
  checkpoint?: boolean;
  registered_time?: number;
  reregistered_time?: number;
  unregistered_time?: number;
  tasks: MasterTask[];
  unreachable_tasks: MasterTask[];
  completed_tasks: MasterTask[];
}

interface FrameworksJson {
  frameworks: MasterFramework[];
  completed_frameworks: MasterFramework[];
  unregistered_frameworks?: string[];
}

/** Where the master lists a framework: still registered (active or not) or completed (torn down). */
export interface FrameworkView {
  framework: MasterFramework;
  completed: boolean;
}

/** Every framework the master knows with name `name` (tests give each run a unique name). */
export async function frameworksNamed(
  cluster: MesosCluster,
  name: string,
): Promise<FrameworkView[]> {
  const json = await cluster.masterJson<FrameworksJson>('/master/frameworks');
  return [
    ...json.frameworks
      .filter((f) => f.name === name)
      .map((framework) => ({ framework, completed: false })),
    ...json.completed_frameworks
      .filter((f) => f.name === name)
      .map((framework) => ({ framework, completed: true })),
  ];
}

/** The one framework named `name`; fails when there is none or more than one. */
export async function frameworkNamed(
  cluster: MesosCluster,
  name: string,
): Promise<FrameworkView> {
  const found = await frameworksNamed(cluster, name);
  if (found.length !== 1) {
    throw new Error(
      `expected one framework named ${name} on ${cluster.masterUpid}, found ${found.length}: ${JSON.stringify(found.map((f) => ({ id: f.framework.id, completed: f.completed, active: f.framework.active })))}`,
    );
  }
  return found[0];
}

/**
 * The one framework named `name`, or undefined while the master cannot say (none or several
 * yet, or the master is not answering): for polls that wait for it to appear or change.
 */
export async function frameworkOrNone(
  cluster: MesosCluster,
  name: string,
): Promise<MasterFramework | undefined> {
  try {
    return (await frameworkNamed(cluster, name)).framework;
  } catch {
    return undefined;
  }
}

/** Every task of a framework the master knows, with its latest state. */
export function allTasks(framework: MasterFramework): MasterTask[] {
  return [
    ...framework.tasks,
    ...(framework.unreachable_tasks ?? []),
    ...framework.completed_tasks,
  ];
}

/** `{ 'task-1': 'TASK_FINISHED', ... }`, sorted by task id, for readable assertions. */
export function taskStates(framework: MasterFramework): Record<string, string> {
  const states: Record<string, string> = {};
  for (const task of allTasks(framework).sort((a, b) =>
    a.id.localeCompare(b.id),
  ))
    states[task.id] = task.state;
  return states;
}

/** Waits until the master lists the framework named `name` as completed (torn down). */
export async function waitForCompletedFramework(
  cluster: MesosCluster,
  name: string,
  timeoutMs = 10_000,
): Promise<MasterFramework> {
  let view: FrameworkView | undefined;
  try {
    await pollUntil(
      async () => {
        view = (await frameworksNamed(cluster, name))[0];
        return view?.completed === true;
      },
      timeoutMs,
      `framework ${name} to be completed on ${cluster.masterUpid}`,
    );
  } catch (error) {
    throw new Error(
      `${(error as Error).message}; the master lists it as ${JSON.stringify(view ? { completed: view.completed, active: view.framework.active, connected: view.framework.connected } : 'unknown')}`,
      { cause: error },
    );
  }
  return view!.framework;
}

/**
 * The master's `/metrics/snapshot` counters (numbers), of a {@link MesosCluster} or of any
 * master a scenario runs against (`MesosUnderTest`, the simulator's too).
 */
export async function masterMetrics(
  master: Pick<MesosCluster, 'masterJson'>,
): Promise<Record<string, number>> {
  return master.masterJson<Record<string, number>>('/metrics/snapshot');
}

/** `Refusing <CALL> call ... Framework disconnected` lines of the master's log (fault A). */
export function refusedCalls(
  masterLog: string,
  frameworkId?: string,
): string[] {
  return masterLog
    .split('\n')
    .filter(
      (line) =>
        /Refusing \S+ call .*Framework disconnected/.test(line) &&
        (frameworkId === undefined || line.includes(frameworkId)),
    );
}

/** The master's log line saying that a new scheduler instance took framework `frameworkId` over. */
export function failoverPattern(frameworkId: string): RegExp {
  return new RegExp(`Framework ${frameworkId} .* failed over`);
}

/** Waits until a restarted scheduler has taken framework `frameworkId` over (the master's log). */
export function waitForFailover(
  cluster: MesosCluster,
  frameworkId: string,
  timeoutMs = 30_000,
): Promise<void> {
  return pollUntil(
    () => failoverPattern(frameworkId).test(cluster.masterLog()),
    timeoutMs,
    `framework ${frameworkId} to fail over to a new scheduler`,
  );
}
