import { Controller, Get, Header, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  ActorModule,
  LibprocessMetrics,
  LibprocessServer,
  registerLibprocessMetrics,
} from 'nestjs-libprocess';
import * as client from 'prom-client'; // the application's dependency, not the library's

@Controller()
class MetricsController {
  @Get('metrics')
  @Header('content-type', client.register.contentType)
  metrics(): Promise<string> {
    return client.register.metrics();
  }
}

@Module({
  imports: [ActorModule.forRoot({ port: 5051 })],
  controllers: [MetricsController],
})
class AppModule {}

const app = await NestFactory.create(AppModule);
app.connectMicroservice({
  inject: [LibprocessServer],
  useFactory: (server: LibprocessServer) => ({ strategy: server }),
});
// libprocess_messages_received_total, libprocess_process_event_queue_messages{process="..."}, ...
registerLibprocessMetrics(client, app.get(LibprocessMetrics));
await app.startAllMicroservices();
await app.listen(3000); // GET :3000/metrics for Prometheus, GET :5051/metrics/snapshot as libprocess
