import { NestFactory } from '@nestjs/core';
import { LibprocessServer } from 'nestjs-libprocess';
import { AppModule } from './app.module.js';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.createMicroservice(AppModule, {
    inject: [LibprocessServer],
    useFactory: (server: LibprocessServer) => ({ strategy: server }),
  });
  app.enableShutdownHooks(); // SIGTERM drains every process' queue, then closes
  await app.listen();
}

void bootstrap();
