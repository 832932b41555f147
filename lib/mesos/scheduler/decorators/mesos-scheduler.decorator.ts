import { applyDecorators, Injectable, SetMetadata } from '@nestjs/common';

import type { MesosSchedulerCallbacks } from '../interfaces/scheduler.interface.js';
import { MESOS_SCHEDULER_METADATA } from '../scheduler.constants.js';

/**
 * The callbacks a `@MesosScheduler()` provider implements (`implements MesosScheduler`).
 * @publicApi
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the name of the callbacks type, merged with the decorator
export interface MesosScheduler extends MesosSchedulerCallbacks {}

/**
 * Marks the provider whose `MesosScheduler` callbacks the driver of `MesosSchedulerModule` calls
 * (one per application; `SchedulerDriverOptions.scheduler` names one explicitly instead).
 * @publicApi
 */
export const MesosScheduler = (): ClassDecorator =>
  applyDecorators(Injectable(), SetMetadata(MESOS_SCHEDULER_METADATA, true));
