import type { Call } from '../../mesos.types.js';
import { MesosMessage } from '../../mesos.constants.js';
import type { Upid } from '../../../index.js';
import {
  LEGACY_SCHEDULER_MESSAGES,
  type LegacyMapping,
  legacySubscribe,
} from './legacy-calls.js';
import type { SimulatedMaster } from './simulated-master.js';

/** @internal */
const LEGACY = new Map<string, LegacyMapping>(
  LEGACY_SCHEDULER_MESSAGES.map((m) => [m.type, m]),
);

/**
 * The legacy scheduler messages run as the Calls they map to ({@link LEGACY_SCHEDULER_MESSAGES}),
 * with master.cpp's checks of each: Register/ReregisterFrameworkMessage become a subscription,
 * the others are looked up by framework and sender, but not by connection.
 * A part of {@link MasterProcess}, over the {@link SimulatedMaster}.
 *
 * @internal
 */
export class LegacyMessages {
  constructor(private readonly master: SimulatedMaster) {}

  /**
   * A (re-)registration as the subscription it asks for, to run now or once the framework has
   * authenticated; undefined when refused (the framework got a FrameworkErrorMessage).
   */
  subscription(
    kind: 'register' | 'reregister',
    from: Upid,
    message: any,
  ): (() => void) | undefined {
    const mapped = legacySubscribe(kind, message);
    if ('refusal' in mapped) {
      this.master.log.info(
        `Refusing ${kind === 'register' ? 'registration' : 're-registration'} request of framework '${message.framework?.name}' at ${from}: ${mapped.refusal}`,
      );
      this.master.outbox.send(from, MesosMessage.FrameworkError, {
        message: mapped.refusal,
      });
      return undefined;
    }
    const subscribe = mapped.call.subscribe!;
    return () =>
      this.master.subscribe(
        from,
        subscribe.framework_info!,
        Boolean(subscribe.force),
      );
  }

  /**
   * Any other legacy message: master.cpp looks the framework up and checks the pid
   * ("Ignoring ..."), but not the connection, then runs the Call handler.
   */
  receive(from: Upid, name: string, message: any): void {
    const mapping = LEGACY.get(name)!;
    const call: Call = mapping.toCall(message);
    if (
      call.type === 'ACKNOWLEDGE' &&
      Buffer.from(message.uuid ?? []).length !== 16
    ) {
      this.master.log.warn(
        `Ignoring ${mapping.describe(message)} due to: Invalid UUID`,
      );
      return;
    }
    const framework = this.master.frameworks.get(mapping.frameworkId(message));
    if (!framework) {
      this.master.log.warn(
        `Ignoring ${mapping.describe(message)} because the framework cannot be found`,
      );
      return;
    }
    if (!framework.pid?.equals(from)) {
      this.master.log.warn(
        `Ignoring ${mapping.describe(message)} because it is not expected from ${from}`,
      );
      return;
    }
    this.master.handle(framework, call);
  }
}
