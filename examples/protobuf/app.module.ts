import { Module } from '@nestjs/common';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ActorModule } from 'nestjs-libprocess';

// src/proto/include/mesos/... as in the Mesos source tree; `nest build` copies it to
// dist/proto (nest-cli.json "assets"), next to this file once compiled.
const PROTO_DIR = join(dirname(fileURLToPath(import.meta.url)), 'proto');

@Module({
  imports: [
    ActorModule.forRoot({
      protobuf: {
        baseDir: PROTO_DIR, // default: process.cwd()
        includeDirs: ['include'], // import "mesos/mesos.proto" resolves here
        files: [
          'include/mesos/scheduler/scheduler.proto',
          'include/mesos/mesos.proto',
        ],
      },
    }),
  ],
})
export class AppModule {}
