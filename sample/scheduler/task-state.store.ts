import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { SAMPLE_CONFIG, type SampleConfig } from './sample.config.js';
import type { TaskRecord } from './task-registry.js';

/** What the state file keeps of a task (enough to resume it, and to report it). */
export type SavedTask = Pick<
  TaskRecord,
  | 'id'
  | 'state'
  | 'mesosId'
  | 'agentId'
  | 'hostname'
  | 'launches'
  | 'launchedAt'
  | 'endedAt'
  | 'message'
>;

/** The content of `<state-dir>/<framework-id>.json`. */
export interface SavedRun {
  version: 1;
  frameworkId: string;
  tasks: SavedTask[];
  /** Mesos ids of earlier launches of relaunched tasks (killed if they still speak). */
  stale: string[];
}

/** A state file that exists but cannot be used: the message names it and what to do. */
export class StateFileError extends Error {
  override readonly name = 'StateFileError';
}

function isSavedTask(value: unknown): value is SavedTask {
  const task = value as Partial<SavedTask> | null;
  return (
    typeof task === 'object' &&
    task !== null &&
    typeof task.id === 'string' &&
    typeof task.state === 'string' &&
    typeof task.launches === 'number' &&
    (task.mesosId === undefined || typeof task.mesosId === 'string')
  );
}

/**
 * The sample's memory across scheduler restarts: one JSON file per framework id in the state
 * directory, rewritten (atomically, synced) at every change of a task.
 *
 * Why a file: a master forgets a task once its terminal update is acknowledged (it then answers
 * a reconciliation of it as of any unknown task: TASK_LOST, TASK_GONE or TASK_UNKNOWN, or
 * nothing while agents re-register), so a restarted scheduler that resumes its framework id
 * cannot learn from Mesos which of its tasks already FINISHED. Every framework keeps that state
 * itself (Marathon and Aurora in ZooKeeper); for this sample a local file is enough.
 *
 * The file is written before the callback that changed it returns, i.e. before the driver
 * acknowledges the update: an update is never acknowledged (and forgotten by the master) before
 * it is recorded. A launch is recorded before the ACCEPT goes out.
 */
@Injectable()
export class TaskStateStore {
  private readonly dir?: string;

  constructor(@Inject(SAMPLE_CONFIG) config: SampleConfig) {
    this.dir = config.stateDir;
    if (this.dir === undefined) return;
    try {
      mkdirSync(this.dir, { recursive: true });
    } catch (error) {
      throw new StateFileError(
        `Cannot create the state directory ${this.dir}: ${(error as Error).message}`,
      );
    }
  }

  /** Whether the run is recorded at all (no state directory: a run that cannot be resumed). */
  get enabled(): boolean {
    return this.dir !== undefined;
  }

  /** The file of a framework id (ids are `[A-Za-z0-9-]`; anything else is escaped). */
  fileOf(frameworkId: string): string | undefined {
    if (this.dir === undefined) return undefined;
    return join(this.dir, `${encodeURIComponent(frameworkId)}.json`);
  }

  /**
   * The recorded run of a framework, or undefined when there is none.
   * @throws StateFileError for a file that is not a state file of this framework
   */
  load(frameworkId: string): SavedRun | undefined {
    const file = this.fileOf(frameworkId);
    if (file === undefined) return undefined;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StateFileError(
        `Cannot read the state file ${file}: ${(error as Error).message}`,
      );
    }
    const invalid = (why: string) =>
      new StateFileError(
        `${file} is not a state file of framework ${frameworkId} (${why}); move it away to resume without it`,
      );
    let run: Partial<SavedRun>;
    try {
      run = JSON.parse(text) as Partial<SavedRun>;
    } catch (error) {
      throw invalid((error as Error).message);
    }
    if (run?.version !== 1) throw invalid(`version ${String(run?.version)}`);
    if (run.frameworkId !== frameworkId) {
      throw invalid(`it records framework ${String(run.frameworkId)}`);
    }
    if (!Array.isArray(run.tasks) || !run.tasks.every(isSavedTask)) {
      throw invalid('malformed tasks');
    }
    const stale = Array.isArray(run.stale)
      ? run.stale.filter((id): id is string => typeof id === 'string')
      : [];
    return { version: 1, frameworkId, tasks: run.tasks, stale };
  }

  /** Replaces the framework's file: written to a temporary file, synced, then renamed over it. */
  save(run: Omit<SavedRun, 'version'>): void {
    const file = this.fileOf(run.frameworkId);
    if (file === undefined) return;
    const temporary = `${file}.${process.pid}.tmp`;
    try {
      const fd = openSync(temporary, 'w', 0o600);
      try {
        writeSync(fd, `${JSON.stringify({ version: 1, ...run }, null, 2)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, file);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
  }

  /** The framework is torn down: nothing is left to resume. */
  remove(frameworkId: string): void {
    const file = this.fileOf(frameworkId);
    if (file !== undefined) rmSync(file, { force: true });
  }
}
