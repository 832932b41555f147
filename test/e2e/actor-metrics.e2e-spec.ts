import { afterEach, describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import * as client from 'prom-client';

import {
  ActorRef,
  LibprocessContext,
  LibprocessMetrics,
  Mailbox,
  Process,
  registerLibprocessMetrics,
  Route,
} from '../../lib/index.js';
import {
  createTestingNode,
  type TestingNode,
} from '../../lib/testing/index.js';
import { waitFor } from '../support/wait-for.js';

@Process('echo')
@Injectable()
class Echo {
  /** Set to hold the queue: the handler waits on it. */
  gate: Promise<void> | undefined;
  constructor(private readonly actors: ActorRef) {}

  @Mailbox('ping')
  async ping(
    @Payload() body: Buffer,
    @Ctx() ctx: LibprocessContext,
  ): Promise<void> {
    await this.gate;
    this.actors.send(ctx.from, 'pong', body);
  }
}

@Process('metrics')
@Injectable()
class OwnMetrics {
  @Route('snapshot')
  snapshot(): Record<string, string> {
    return { served: 'by the process' };
  }
}

async function snapshot(node: TestingNode): Promise<Record<string, number>> {
  const { ip, port } = node.address;
  const response = await fetch(`http://${ip}:${port}/metrics/snapshot`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/json');
  return (await response.json()) as Record<string, number>;
}

describe('GET /metrics/snapshot', () => {
  let node: TestingNode | undefined;
  afterEach(async () => {
    await node?.close();
    node = undefined;
  });

  it('serves flat libprocess-style counters per process and for the node', async () => {
    node = await createTestingNode({ providers: [Echo] });
    const probe = await node.createProbe();
    probe.send(node.pid('echo'), 'ping', 'one');
    await probe.expectMessage('pong');
    probe.send(node.pid('echo'), 'no-such-mailbox');
    probe.send(node.pid('nobody'), 'ping');
    await waitFor(
      () =>
        node!.get(LibprocessMetrics).snapshot()['echo/dropped_messages'] === 1,
      5000,
      'the drop',
    );
    await waitFor(
      () => node!.get(LibprocessMetrics).collect().droppedMessages === 2,
      5000,
      'the message to no process',
    );

    const metrics = await snapshot(node);
    expect(metrics).toMatchObject({
      'echo/messages_received': 2,
      'echo/messages_sent': 1,
      'echo/dropped_messages': 1,
      'echo/event_queue_messages': 0,
      'echo/event_queue_dispatches': 0,
      'libprocess/processes': 1,
      'libprocess/messages_received': 2,
      'libprocess/messages_sent': 1,
      'libprocess/dropped_messages': 2,
      'libprocess/link_exits': 0,
      'libprocess/connections_outbound': 1,
      // Nothing waits, nothing is held back.
      'libprocess/connections_inbound_not_reading': 0,
      'libprocess/inbound_queued_bytes': 0,
    });
    // The probe's connection and this request's.
    expect(metrics['libprocess/connections_inbound']).toBeGreaterThanOrEqual(2);
    expect(Object.keys(metrics)).toEqual(Object.keys(metrics).sort());
  });

  it('counts what is queued, and link exits', async () => {
    node = await createTestingNode({ providers: [Echo] });
    const echo = node.get(Echo);
    let open!: () => void;
    echo.gate = new Promise((resolve) => (open = resolve));
    const probe = await node.createProbe();
    for (const body of ['1', '2', '3'])
      probe.send(node.pid('echo'), 'ping', body);
    await waitFor(
      () =>
        node!.get(LibprocessMetrics).snapshot()['echo/messages_received'] === 3,
      5000,
      'three messages',
    );
    const queued = await snapshot(node);
    // One handler waits on the gate; two messages wait behind it, keeping their read alive.
    expect(queued['echo/event_queue_messages']).toBe(2);
    expect(queued['libprocess/inbound_queued_bytes']).toBeGreaterThan(2 * 64);

    open();
    for (let i = 0; i < 3; i++) await probe.expectMessage('pong');
    node.actors.link(probe.pid, { from: echo });
    await probe.close();
    await waitFor(
      () =>
        node!.get(LibprocessMetrics).snapshot()['libprocess/link_exits'] === 1,
      5000,
      'the link exit',
    );
  });

  it('leaves the path to a process named "metrics" when there is one', async () => {
    node = await createTestingNode({ providers: [OwnMetrics] });
    const { ip, port } = node.address;
    const response = await fetch(`http://${ip}:${port}/metrics/snapshot`);
    await expect(response.json()).resolves.toEqual({
      served: 'by the process',
    });
  });
});

describe('registerLibprocessMetrics (prom-client)', () => {
  let node: TestingNode | undefined;
  afterEach(async () => {
    await node?.close();
    node = undefined;
  });

  it('exposes the metrics in a prom-client registry, read at each scrape', async () => {
    node = await createTestingNode({ providers: [Echo] });
    const registry = new client.Registry();
    registerLibprocessMetrics(client, node.get(LibprocessMetrics), {
      registers: [registry],
    });
    const probe = await node.createProbe();
    probe.send(node.pid('echo'), 'ping', 'one');
    await probe.expectMessage('pong');

    const text = await registry.metrics();
    expect(text).toContain('# TYPE libprocess_messages_received_total counter');
    expect(text).toContain('libprocess_messages_received_total 1');
    expect(text).toContain('libprocess_processes 1');
    expect(text).toContain('# TYPE libprocess_inbound_queued_bytes gauge');
    expect(text).toContain('libprocess_connections_inbound_not_reading 0');
    expect(text).toContain(
      'libprocess_process_messages_received_total{process="echo"} 1',
    );
    expect(text).toContain(
      'libprocess_process_messages_sent_total{process="echo"} 1',
    );
    expect(text).toContain(
      '# TYPE libprocess_process_event_queue_messages gauge',
    );

    probe.send(node.pid('echo'), 'ping', 'two');
    await probe.expectMessage('pong');
    await expect(registry.metrics()).resolves.toContain(
      'libprocess_process_messages_received_total{process="echo"} 2',
    );
  });
});
