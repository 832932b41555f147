import type { INestMicroservice } from '@nestjs/common';
import type { RunOutput } from '../../sample/scheduler/run-report.js';
import type { SampleRunOptions } from '../../sample/run-sample.js';
import type { ReceivedCall } from '../../lib/mesos/testing/index.js';

/** Collects what the scheduler prints (progress lines and the summary). */
export class CapturedOutput implements RunOutput {
  text = '';

  write(text: string): boolean {
    this.text += text;
    return true;
  }
}

/** Sample options for tests: fast SUBSCRIBE retries, small tasks, on 127.0.0.1. */
export function testConfig(
  master: string,
  overrides: Partial<SampleRunOptions> = {},
): SampleRunOptions {
  return {
    master,
    tasks: 3,
    cmd: 'echo hello',
    cpus: 0.1,
    mem: 32,
    name: 'sample-e2e',
    user: 'tester',
    failoverTimeout: 60,
    ip: '127.0.0.1',
    port: 0,
    registrationBackoffMs: 100,
    ...overrides,
  };
}

export function callsOfType(
  received: ReceivedCall[],
  type: string,
): ReceivedCall[] {
  return received.filter(({ call }) => call.type === type);
}

/** Closes apps, ignoring ones a test already closed. */
export async function closeAll(
  apps: Array<Pick<INestMicroservice, 'close'> | undefined>,
): Promise<void> {
  for (const app of apps) {
    await app?.close();
  }
}
