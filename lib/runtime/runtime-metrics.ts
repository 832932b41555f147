import { EntryKind, type ProcessRecord } from './process-record.js';
import type { RuntimeTransport } from './runtime.interfaces.js';

/** Path of the metrics endpoint (libprocess' `metrics` process, route `snapshot`). */
export const METRICS_SNAPSHOT_PATH = '/metrics/snapshot';

/**
 * The metrics of one process. Counters count since the process started; the event queue
 * entries are what is queued right now.
 *
 * @publicApi
 */
export interface ProcessMetrics {
  id: string;
  /** Messages delivered to it (from this node or the wire). */
  messagesReceived: number;
  /** Messages it sent (to local or remote processes). */
  messagesSent: number;
  /**
   * Messages to it that no handler ran for: no such mailbox, a body that does not decode,
   * or still queued when it terminated or the node shut down.
   */
  droppedMessages: number;
  /** Queued messages. */
  eventQueueMessages: number;
  /** Queued dispatches, delays, routes and hooks. */
  eventQueueDispatches: number;
}

/**
 * The metrics of a node: totals since it started (processes that terminated included) and
 * one entry per process (temporary `ask()` processes are only in the totals).
 *
 * @publicApi
 */
export interface RuntimeMetrics {
  processes: number;
  messagesReceived: number;
  messagesSent: number;
  /** Per-process drops plus messages to no process of this node (answered 404). */
  droppedMessages: number;
  /** `exited` notifications: links (local or remote) whose other end went away. */
  linkExits: number;
  /** Open inbound connections (undefined before the node listens). */
  connectionsInbound?: number;
  /** Inbound connections not being read right now: backpressure, or shutdown. */
  connectionsInboundNotReading?: number;
  /**
   * Bytes that inbound messages waiting in process queues, and HTTP requests waiting for their
   * responses, keep alive (what `limits.maxQueuedInboundBytes` bounds per connection).
   */
  inboundQueuedBytes?: number;
  /** Outbound connections (connected or connecting) to peer nodes. */
  connectionsOutbound?: number;
  processMetrics: ProcessMetrics[];
}

/**
 * The node-wide counters of the runtime. Per-process counts live on each `ProcessRecord`
 * (one field increment per message on the hot path); this keeps what has no live record:
 * messages to no process, link exits, and the counts of processes that terminated.
 */
export class RuntimeCounters {
  droppedNoProcess = 0;
  linkExits = 0;
  private retiredReceived = 0;
  private retiredSent = 0;
  private retiredDropped = 0;

  /** Keeps the counts of a process that terminated in the totals. */
  retire(record: ProcessRecord): void {
    this.retiredReceived += record.messagesReceived;
    this.retiredSent += record.messagesSent;
    this.retiredDropped += record.messagesDropped;
  }

  collect(
    records: Iterable<ProcessRecord>,
    transport: RuntimeTransport | undefined,
  ): RuntimeMetrics {
    let processes = 0;
    let received = this.retiredReceived;
    let sent = this.retiredSent;
    let dropped = this.retiredDropped + this.droppedNoProcess;
    const processMetrics: ProcessMetrics[] = [];
    for (const record of records) {
      received += record.messagesReceived;
      sent += record.messagesSent;
      dropped += record.messagesDropped;
      if (record.ephemeral) continue;
      processes++;
      const queue = record.queue;
      const messages = queue === null ? 0 : queue.count(EntryKind.MESSAGE);
      processMetrics.push({
        id: record.id,
        messagesReceived: record.messagesReceived,
        messagesSent: record.messagesSent,
        droppedMessages: record.messagesDropped,
        eventQueueMessages: messages,
        eventQueueDispatches: record.queueDepth - messages,
      });
    }
    return {
      processes,
      messagesReceived: received,
      messagesSent: sent,
      droppedMessages: dropped,
      linkExits: this.linkExits,
      connectionsInbound: transport?.inboundStats?.connections,
      connectionsInboundNotReading: transport?.inboundStats?.notReading,
      inboundQueuedBytes: transport?.inboundStats?.queuedBytes,
      connectionsOutbound: transport?.outboundStats?.connections,
      processMetrics,
    };
  }
}

/** Keys of {@link ProcessMetrics} in the snapshot, libprocess/Mesos style (`master/...`). */
const PROCESS_KEYS = [
  ['messagesReceived', 'messages_received'],
  ['messagesSent', 'messages_sent'],
  ['droppedMessages', 'dropped_messages'],
  ['eventQueueMessages', 'event_queue_messages'],
  ['eventQueueDispatches', 'event_queue_dispatches'],
] as const;

/**
 * The `GET /metrics/snapshot` body: one flat object, keys `<component>/<name>` as libprocess'
 * metrics process serves them (Mesos' `master/event_queue_messages`,
 * `master/dropped_messages`), sorted: `libprocess/...` for the node, `<process id>/...` per
 * process.
 */
export function flattenMetrics(
  metrics: RuntimeMetrics,
): Record<string, number> {
  const flat: Record<string, number> = {
    'libprocess/processes': metrics.processes,
    'libprocess/messages_received': metrics.messagesReceived,
    'libprocess/messages_sent': metrics.messagesSent,
    'libprocess/dropped_messages': metrics.droppedMessages,
    'libprocess/link_exits': metrics.linkExits,
  };
  if (metrics.connectionsInbound !== undefined) {
    flat['libprocess/connections_inbound'] = metrics.connectionsInbound;
  }
  if (metrics.connectionsInboundNotReading !== undefined) {
    flat['libprocess/connections_inbound_not_reading'] =
      metrics.connectionsInboundNotReading;
  }
  if (metrics.inboundQueuedBytes !== undefined) {
    flat['libprocess/inbound_queued_bytes'] = metrics.inboundQueuedBytes;
  }
  if (metrics.connectionsOutbound !== undefined) {
    flat['libprocess/connections_outbound'] = metrics.connectionsOutbound;
  }
  for (const process of metrics.processMetrics) {
    for (const [field, name] of PROCESS_KEYS) {
      flat[`${process.id}/${name}`] = process[field];
    }
  }
  const sorted: Record<string, number> = {};
  for (const key of Object.keys(flat).sort()) sorted[key] = flat[key];
  return sorted;
}
