import { Module } from '@nestjs/common';
import { ActorModule } from 'nestjs-libprocess';
import { PingerProcess } from './pinger.process.js';

@Module({
  imports: [ActorModule.forRoot({ ip: '127.0.0.1', port: 5051 })],
  providers: [PingerProcess],
})
export class AppModule {}
