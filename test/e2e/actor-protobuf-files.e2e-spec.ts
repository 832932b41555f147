import { describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { relative } from 'node:path';

import {
  ActorModule,
  type ActorProtobufOptions,
  ProtobufFilesError,
} from '../../lib/index.js';
import { ProtobufRegistry } from '../../lib/runtime/protobuf.registry.js';
import { fixturePath } from '../support/paths.js';

const LAYOUT = fixturePath('proto-layout');
const SCHEDULER = 'include/mesos/scheduler/scheduler.proto';

async function registryOf(
  protobuf: ActorProtobufOptions,
): Promise<ProtobufRegistry> {
  const moduleRef = await Test.createTestingModule({
    imports: [ActorModule.forRoot({ ip: '127.0.0.1', port: 0, protobuf })],
  }).compile();
  const registry = moduleRef.get(ProtobufRegistry);
  await moduleRef.close();
  return registry;
}

async function loadError(
  protobuf: ActorProtobufOptions,
): Promise<ProtobufFilesError> {
  const error = await registryOf(protobuf).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ProtobufFilesError);
  return error as ProtobufFilesError;
}

describe('ActorModule protobuf: { files, includeDirs, baseDir }', () => {
  it('loads the upstream Mesos layout: import "mesos/mesos.proto" through includeDirs', async () => {
    const registry = await registryOf({
      baseDir: LAYOUT,
      includeDirs: ['include'],
      files: [SCHEDULER],
    });
    const call = registry.resolve('mesos.scheduler.Call');
    const body = call.encode({
      type: 'SUBSCRIBE',
      framework_id: { value: 'f-1' },
    });
    expect(call.decode(body)).toEqual({
      type: 'SUBSCRIBE',
      framework_id: { value: 'f-1' },
    });
  });

  it('resolves relative files from the current directory by default', async () => {
    const registry = await registryOf({
      includeDirs: [relative(process.cwd(), `${LAYOUT}/include`)],
      files: [relative(process.cwd(), `${LAYOUT}/${SCHEDULER}`)],
    });
    expect(registry.resolve('mesos.FrameworkID').name).toBe(
      'mesos.FrameworkID',
    );
  });

  it('names files[i], the path tried and the include dirs when an import is not found', async () => {
    const error = await loadError({ baseDir: LAYOUT, files: [SCHEDULER] });
    expect(error.fileIndex).toBe(0);
    expect(error.message).toContain(
      `ActorModule protobuf.files[0] "${SCHEDULER}"`,
    );
    expect(error.message).toContain('import "mesos/mesos.proto"');
    expect(error.message).toContain(
      `${LAYOUT}/include/mesos/scheduler/mesos/mesos.proto`,
    );
    expect(error.message).toContain(`protobuf.includeDirs [] from ${LAYOUT}`);
  });

  it('names files[i] and the path tried for a missing file, never a raw ENOENT', async () => {
    const error = await loadError({
      baseDir: LAYOUT,
      includeDirs: ['include'],
      files: [SCHEDULER, 'include/mesos/missing.proto'],
    });
    expect(error.fileIndex).toBe(1);
    expect(error.message).toBe(
      `ActorModule protobuf.files[1] "include/mesos/missing.proto": no such file ${LAYOUT}/include/mesos/missing.proto (relative paths resolve from protobuf.baseDir, ${LAYOUT}).`,
    );
  });

  it('names files[i], the file and the line of a parse error', async () => {
    const error = await loadError({
      baseDir: LAYOUT,
      files: ['include/mesos/mesos.proto', 'broken/broken.proto'],
    });
    expect(error.fileIndex).toBe(1);
    expect(error.message).toMatch(
      /^ActorModule protobuf\.files\[1\] "broken\/broken\.proto": cannot load .*broken\/broken\.proto: illegal .* line 6\)$/,
    );
  });

  it('names the files[i] that imports an unparsable file', async () => {
    const error = await loadError({
      baseDir: LAYOUT,
      files: ['broken/imports-broken.proto'],
    });
    expect(error.fileIndex).toBe(0);
    expect(error.message).toContain(
      `ActorModule protobuf.files[0] "broken/imports-broken.proto": cannot load ${LAYOUT}/broken/broken.proto (imported from it)`,
    );
  });
});
