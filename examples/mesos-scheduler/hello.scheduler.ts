import { Module } from '@nestjs/common';
import { ActorModule } from 'nestjs-libprocess';
import {
  MesosScheduler,
  MesosSchedulerModule,
  SchedulerDriver,
  type Offer,
  type TaskStatus,
} from 'nestjs-libprocess/mesos';

@MesosScheduler()
class HelloScheduler implements MesosScheduler {
  constructor(private readonly driver: SchedulerDriver) {}
  resourceOffers(offers: Offer[]) {
    for (const offer of offers)
      this.driver.declineOffer(offer.id, { refuse_seconds: 5 });
  }
  statusUpdate(status: TaskStatus) {
    // Acknowledged when this returns (or its promise resolves).
    console.log(status.task_id.value, status.state);
  }
}

@Module({
  imports: [
    ActorModule.forRoot({ port: 0 }),
    MesosSchedulerModule.forRoot({
      master: 'zk://zk1:2181,zk2:2181/mesos', // or host:port, or file:///etc/mesos/master
      framework: { name: 'hello', failover_timeout: 3600 },
      credential: { principal: 'hello', secretFile: '/etc/mesos/hello.secret' }, // optional
    }),
  ],
  providers: [HelloScheduler],
})
export class AppModule {}
