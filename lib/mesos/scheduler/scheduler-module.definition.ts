import { ConfigurableModuleBuilder } from '@nestjs/common';

import type { SchedulerDriverOptions } from './interfaces/scheduler-driver-options.interface.js';

/**
 * `forRoot` / `forRootAsync` of `MesosSchedulerModule`; the options token is
 * `SCHEDULER_DRIVER_OPTIONS`.
 */
export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: SCHEDULER_DRIVER_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<SchedulerDriverOptions>({
  moduleName: 'MesosScheduler',
})
  .setClassMethodName('forRoot')
  .build();
