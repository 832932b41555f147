import type { Upid } from '../wire/upid.js';
import type { WireRequest, WireResponse } from '../wire/wire.interfaces.js';
import type { EntryRunner } from './entry-runner.js';
import {
  EntryKind,
  type ProcessRecord,
  STATE_NAMES,
  type Task,
} from './process-record.js';
import type { ProcessTable } from './process-table.js';
import { toWireResponse } from './route-response.js';
import type { RunLoop } from './run-loop.js';
import { METRICS_SNAPSHOT_PATH } from './runtime-metrics.js';

/** Path of the built-in process listing (as C++ libprocess serves it). */
export const PROCESSES_PATH = '/__processes__';

/** The process id whose `@Route('snapshot')` would take `GET /metrics/snapshot` instead. */
const METRICS_PROCESS_ID = 'metrics';

/**
 * Serves the HTTP requests that are not messages: `GET /__processes__`,
 * `GET /metrics/snapshot` (unless a process `metrics` exists: then its routes serve it), and
 * `/<process id>/<route path>` on the process' `@Route()` handler, run on its queue like a
 * dispatch. A first path segment that names no process goes to the delegate process when
 * there is one (its path becomes `/<delegate><original path>`, as libprocess does).
 */
export class ProcessRoutes {
  constructor(
    private readonly table: ProcessTable,
    private readonly runLoop: RunLoop,
    private readonly runner: EntryRunner,
    /** The pids a process linked to (local and remote), for the listing. */
    private readonly linksOf: (record: ProcessRecord) => Upid[],
    /** The `metrics/snapshot` body. */
    private readonly metricsSnapshot: () => unknown,
    private readonly delegate: string | undefined,
  ) {}

  /** The `GET /__processes__` listing: every process, its mailboxes, routes, queue and links. */
  listProcesses(): Record<string, unknown>[] {
    const list: Record<string, unknown>[] = [];
    for (const record of this.table.values()) {
      list.push({
        id: record.id,
        pid: record.pid?.toString() ?? null,
        mailboxes: record.definition.mailboxList.map((m) => m.name),
        routes: [...record.definition.routes.keys()],
        queueDepth: record.queueDepth,
        state: STATE_NAMES[record.state],
        links: this.linksOf(record).map(String),
      });
    }
    return list;
  }

  readonly handle = (
    request: WireRequest,
  ): WireResponse | undefined | Promise<WireResponse | undefined> => {
    const query = request.path.indexOf('?');
    const path = query < 0 ? request.path : request.path.slice(0, query);
    if (path === PROCESSES_PATH && request.method === 'GET') {
      return {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(this.listProcesses()),
      };
    }
    if (
      path === METRICS_SNAPSHOT_PATH &&
      request.method === 'GET' &&
      this.table.get(METRICS_PROCESS_ID) === undefined
    ) {
      return {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(this.metricsSnapshot()),
      };
    }
    const slash = path.indexOf('/', 1);
    let id: string | undefined =
      slash < 0 ? path.slice(1) : path.slice(1, slash);
    try {
      id = decodeURIComponent(id);
    } catch {
      id = undefined;
    }
    let record = id ? this.table.get(id) : undefined;
    let routePath = slash < 0 ? '' : path.slice(slash + 1);
    let routed = request;
    if (record === undefined && this.delegate !== undefined) {
      record = this.table.get(this.delegate);
      routePath = path.slice(1);
      const rest = path === '/' ? '' : path;
      const search = query < 0 ? '' : request.path.slice(query);
      routed = { ...request, path: `/${this.delegate}${rest}${search}` };
    }
    const route = record?.definition.routes.get(routePath);
    if (record === undefined || route === undefined) return undefined;
    if (!route.methods.includes(request.method)) {
      return { status: 405, headers: { allow: route.methods.join(', ') } };
    }
    const target = record;
    return new Promise<WireResponse>((resolve) => {
      const task: Task = {
        method: route.methodKey,
        args: [routed],
        label: `route "${route.path}"`,
        resolve: (value) => resolve(toWireResponse(value)),
        reject: (error) => {
          this.runner.logFailure(target, error, task.label!, undefined);
          resolve({ status: 500, body: 'Internal Server Error' });
        },
      };
      this.runLoop.enqueue(target, EntryKind.DISPATCH, task);
    });
  };
}
