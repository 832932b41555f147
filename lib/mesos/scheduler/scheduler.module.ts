import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';

import { ConfigurableModuleClass } from './scheduler-module.definition.js';
import { SchedulerDriver } from './scheduler.driver.js';

/**
 * A Mesos framework scheduler in a Nest application: `forRoot({ master, framework, ... })` (or
 * `forRootAsync`) provides the injectable {@link SchedulerDriver}, which calls the callbacks of the
 * `@MesosScheduler()` provider. Needs `ActorModule` (the libprocess node the driver is a process of).
 *
 * Why an injectable driver plus a callback provider: it is libmesos' shape (`SchedulerDriver` and
 * `Scheduler`), so the C++/Go documentation maps one to one, callbacks are type-checked by the
 * `MesosScheduler` interface, and calls work from anywhere the driver is injected (a controller,
 * a cron job), not only from callbacks.
 * @publicApi
 */
@Module({
  imports: [DiscoveryModule],
  providers: [SchedulerDriver],
  exports: [SchedulerDriver],
})
export class MesosSchedulerModule extends ConfigurableModuleClass {}
