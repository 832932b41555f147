import { randomUUID } from 'node:crypto';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  LibprocessContext,
  OnExited,
  OnInitialize,
  Process,
  ProtobufMailbox,
  Upid,
} from '../../lib/index.js';
import { MesosMessage } from '../../lib/mesos/index.js';
import type {
  ExecutorToFrameworkMessage,
  ExitedExecutorMessage,
  FrameworkErrorMessage,
  FrameworkRegisteredMessage,
  LostSlaveMessage,
  RescindResourceOfferMessage,
  ResourceOffersMessage,
  StatusUpdateMessage,
} from '../../lib/mesos/index.js';
import { SchedulerService } from './scheduler.service.js';

/** `scheduler-<uuid>`, the id the C++ driver gives its process (sched.cpp). */
export const SCHEDULER_PROCESS_ID = `scheduler-${randomUUID()}`;

/**
 * The libprocess face of the scheduler: the `mesos.internal.*` messages a master sends to a
 * pid-based framework, decoded and handed to {@link SchedulerService}. Handlers run one at a
 * time on this process' queue.
 */
@Process(SCHEDULER_PROCESS_ID)
export class SchedulerProcess {
  constructor(private readonly scheduler: SchedulerService) {}

  @OnInitialize()
  initialize(self: Upid): void {
    this.scheduler.start(self);
  }

  @ProtobufMailbox(MesosMessage.FrameworkRegistered)
  registered(
    @Payload() message: FrameworkRegisteredMessage,
    @Ctx() ctx: LibprocessContext,
  ): void {
    this.scheduler.registered(ctx.from, message, false);
  }

  @ProtobufMailbox(MesosMessage.FrameworkReregistered)
  reregistered(
    @Payload() message: FrameworkRegisteredMessage,
    @Ctx() ctx: LibprocessContext,
  ): void {
    this.scheduler.registered(ctx.from, message, true);
  }

  @ProtobufMailbox(MesosMessage.ResourceOffers)
  resourceOffers(
    @Payload() message: ResourceOffersMessage,
    @Ctx() ctx: LibprocessContext,
  ): void {
    this.scheduler.resourceOffers(ctx.from, message);
  }

  @ProtobufMailbox(MesosMessage.RescindResourceOffer)
  rescindResourceOffer(
    @Payload() message: RescindResourceOfferMessage,
    @Ctx() ctx: LibprocessContext,
  ): void {
    this.scheduler.rescindOffer(ctx.from, message);
  }

  @ProtobufMailbox(MesosMessage.StatusUpdate)
  statusUpdate(
    @Payload() message: StatusUpdateMessage,
    @Ctx() ctx: LibprocessContext,
  ): void {
    this.scheduler.statusUpdate(ctx.from, message);
  }

  @ProtobufMailbox(MesosMessage.LostSlave)
  lostSlave(
    @Payload() message: LostSlaveMessage,
    @Ctx() ctx: LibprocessContext,
  ): void {
    this.scheduler.lostSlave(ctx.from, message);
  }

  @ProtobufMailbox(MesosMessage.ExitedExecutor)
  exitedExecutor(
    @Payload() message: ExitedExecutorMessage,
    @Ctx() ctx: LibprocessContext,
  ): void {
    this.scheduler.exitedExecutor(ctx.from, message);
  }

  @ProtobufMailbox(MesosMessage.ExecutorToFramework)
  executorToFramework(
    @Payload() message: ExecutorToFrameworkMessage,
    @Ctx() ctx: LibprocessContext,
  ): void {
    this.scheduler.executorMessage(ctx.from, message);
  }

  @ProtobufMailbox(MesosMessage.FrameworkError)
  frameworkError(
    @Payload() message: FrameworkErrorMessage,
    @Ctx() ctx: LibprocessContext,
  ): void {
    this.scheduler.frameworkError(ctx.from, message.message);
  }

  @OnExited()
  exited(pid: Upid): void {
    this.scheduler.exited(pid);
  }

  /** Timers of the service, dispatched back onto this process' queue with `ActorRef.delay`. */
  retrySubscribe(): void {
    this.scheduler.subscribe();
  }

  failoverTimeout(): void {
    this.scheduler.failoverTimeoutExpired();
  }

  interrupt(): void {
    this.scheduler.interrupt();
  }
}
