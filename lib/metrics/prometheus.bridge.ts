import type { RuntimeMetrics } from '../runtime/runtime-metrics.js';

/** The part of a prom-client `Counter` the bridge uses. */
interface PromCounter {
  reset(): void;
  inc(labels: Record<string, string>, value?: number): void;
  inc(value?: number): void;
}

/** The part of a prom-client `Gauge` the bridge uses. */
interface PromGauge {
  reset(): void;
  set(labels: Record<string, string>, value: number): void;
  set(value: number): void;
}

/**
 * The prom-client module (`import * as client from 'prom-client'`), version 13 or later:
 * passed in, so that the library does not depend on it.
 *
 * @publicApi
 */
export interface PromClientModule {
  Counter: new (configuration: any) => PromCounter;
  Gauge: new (configuration: any) => PromGauge;
}

/**
 * Options of {@link registerLibprocessMetrics}.
 *
 * @publicApi
 */
export interface LibprocessPrometheusOptions {
  /** Registries to register in (prom-client's `registers`; default its global registry). */
  registers?: unknown[];
  /** Prefix of every metric name (default `libprocess_`). */
  prefix?: string;
}

/** Where the metrics come from: `LibprocessMetrics` from the application. */
export interface LibprocessMetricsSource {
  collect(): RuntimeMetrics;
}

type NodeField = Exclude<keyof RuntimeMetrics, 'processMetrics'>;
type ProcessField = Exclude<
  keyof RuntimeMetrics['processMetrics'][number],
  'id'
>;

const NODE_COUNTERS: Array<[NodeField, string, string]> = [
  [
    'messagesReceived',
    'messages_received_total',
    'Messages delivered to processes of this node',
  ],
  [
    'messagesSent',
    'messages_sent_total',
    'Messages sent by processes of this node',
  ],
  [
    'droppedMessages',
    'dropped_messages_total',
    'Messages no handler ran for (no such process or mailbox, undecodable, dropped at termination)',
  ],
  ['linkExits', 'link_exits_total', 'Links whose other end went away (exited)'],
];
const NODE_GAUGES: Array<[NodeField, string, string]> = [
  ['processes', 'processes', 'Processes of this node'],
  ['connectionsInbound', 'connections_inbound', 'Open inbound connections'],
  [
    'connectionsInboundNotReading',
    'connections_inbound_not_reading',
    'Inbound connections not being read (backpressure or shutdown)',
  ],
  [
    'inboundQueuedBytes',
    'inbound_queued_bytes',
    'Bytes inbound messages and requests waiting to be handled keep alive',
  ],
  [
    'connectionsOutbound',
    'connections_outbound',
    'Outbound connections to peer nodes',
  ],
];
const PROCESS_COUNTERS: Array<[ProcessField, string, string]> = [
  [
    'messagesReceived',
    'process_messages_received_total',
    'Messages delivered to the process',
  ],
  ['messagesSent', 'process_messages_sent_total', 'Messages the process sent'],
  [
    'droppedMessages',
    'process_dropped_messages_total',
    'Messages to the process no handler ran for',
  ],
];
const PROCESS_GAUGES: Array<[ProcessField, string, string]> = [
  [
    'eventQueueMessages',
    'process_event_queue_messages',
    'Messages queued for the process',
  ],
  [
    'eventQueueDispatches',
    'process_event_queue_dispatches',
    'Dispatches, delays, routes and hooks queued for the process',
  ],
];

/**
 * Registers the node's metrics (those of `GET /metrics/snapshot`) as prom-client collectors,
 * read at each scrape (nothing runs between scrapes): counters `libprocess_*_total`, gauges
 * `libprocess_processes` and `libprocess_connections_*`, and per process (label `process`)
 * `libprocess_process_*`. Pass the prom-client module, so that prom-client stays the
 * application's dependency:
 *
 * ```ts
 * import * as client from 'prom-client';
 * registerLibprocessMetrics(client, app.get(LibprocessMetrics));
 * ```
 *
 * @publicApi
 */
export function registerLibprocessMetrics(
  client: PromClientModule,
  source: LibprocessMetricsSource,
  options: LibprocessPrometheusOptions = {},
): void {
  const prefix = options.prefix ?? 'libprocess_';
  const registers = options.registers;
  // One collection per scrape: prom-client asks every metric in the same turn.
  let cached: RuntimeMetrics | undefined;
  const read = (): RuntimeMetrics => {
    if (cached === undefined) {
      cached = source.collect();
      setImmediate(() => (cached = undefined));
    }
    return cached;
  };
  const config = (name: string, help: string, labelNames: string[]) => ({
    name: `${prefix}${name}`,
    help,
    labelNames,
    ...(registers === undefined ? {} : { registers }),
  });

  for (const [field, name, help] of NODE_COUNTERS) {
    const counter: PromCounter = new client.Counter({
      ...config(name, help, []),
      collect: () => {
        counter.reset();
        counter.inc((read()[field] as number | undefined) ?? 0);
      },
    });
  }
  for (const [field, name, help] of NODE_GAUGES) {
    const gauge: PromGauge = new client.Gauge({
      ...config(name, help, []),
      collect: () => {
        const value = read()[field] as number | undefined;
        gauge.reset();
        if (value !== undefined) gauge.set(value);
      },
    });
  }
  for (const [field, name, help] of PROCESS_COUNTERS) {
    const counter: PromCounter = new client.Counter({
      ...config(name, help, ['process']),
      collect: () => {
        counter.reset();
        for (const process of read().processMetrics) {
          counter.inc({ process: process.id }, process[field]);
        }
      },
    });
  }
  for (const [field, name, help] of PROCESS_GAUGES) {
    const gauge: PromGauge = new client.Gauge({
      ...config(name, help, ['process']),
      collect: () => {
        gauge.reset();
        for (const process of read().processMetrics) {
          gauge.set({ process: process.id }, process[field]);
        }
      },
    });
  }
}
