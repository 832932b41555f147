import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Controller, Injectable, Scope } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';

import {
  ActorModule,
  DuplicateMailboxError,
  DuplicateProcessError,
  Mailbox,
  OnExited,
  OnInitialize,
  OnLinked,
  Process,
  ProtobufMailbox,
  Route,
  UnknownProtobufTypeError,
} from '../../lib/index.js';
import { ProcessDefinitionBuilder } from '../../lib/process-definition.builder.js';
import { ProcessManager } from '../../lib/runtime/process-manager.js';
import { spyOnLogger } from '../support/logger-spy.js';

@Process('alpha')
@Injectable()
class Alpha {
  @Mailbox('a') a(): void {}
  @Mailbox('b') b(): void {}
  @OnInitialize() init(): void {}
  @OnExited() exited(): void {}
  @OnLinked() linked(): void {}
  @Route('status') status(): void {}
}

@Process('beta')
@Controller()
class BetaController {
  @Mailbox('c') c(): void {}
}

@Process('scoped')
@Injectable({ scope: Scope.REQUEST })
class RequestScoped {
  @Mailbox('x') x(): void {}
}

@Process('transient')
@Injectable({ scope: Scope.TRANSIENT })
class Transient {
  @Mailbox('x') x(): void {}
}

/** Not a process: no @Process(), so its mailbox is not registered. */
@Injectable()
class Plain {
  @Mailbox('ignored') ignored(): void {}
}

@Process('twice')
class Twice {
  @Mailbox('same') one(): void {}
  @Mailbox('same') two(): void {}
}

@Process('typed')
class UnknownType {
  @ProtobufMailbox('no.such.Type') handle(): void {}
}

@Process('alpha')
@Injectable()
class AlphaAgain {}

async function init(
  providers: unknown[],
  controllers: unknown[] = [],
): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [ActorModule.forRoot({})],
    providers: providers as never[],
    controllers: controllers as never[],
  }).compile();
  await moduleRef.init();
  return moduleRef;
}

describe('ActorExplorer', () => {
  const modules: TestingModule[] = [];
  afterEach(async () => {
    jest.restoreAllMocks();
    await Promise.all(modules.splice(0).map((m) => m.close()));
  });

  it('registers @Process providers and controllers with their declarations', async () => {
    const moduleRef = await init(
      [
        Alpha,
        Plain,
        { provide: 'FACTORY', useFactory: () => new BetaController() },
      ],
      [],
    );
    modules.push(moduleRef);
    const manager = moduleRef.get(ProcessManager);
    expect([...manager.records()].map((r) => r.id).sort()).toEqual([
      'alpha',
      'beta',
    ]);
    const alpha = manager.get('alpha')!;
    expect(alpha.instance).toBe(moduleRef.get(Alpha));
    expect(alpha.definition).toMatchObject({
      className: 'Alpha',
      baseId: 'alpha',
      onInitialize: ['init'],
      onExited: ['exited'],
      onLinked: ['linked'],
    });
    expect([...alpha.definition.mailboxes.keys()]).toEqual(['a', 'b']);
    expect([...alpha.definition.routes.keys()]).toEqual(['status']);
  });

  it('discovers controllers', async () => {
    const moduleRef = await init([], [BetaController]);
    modules.push(moduleRef);
    const beta = moduleRef.get(ProcessManager).get('beta');
    expect(beta?.instance).toBe(moduleRef.get(BetaController));
  });

  it('skips request-scoped and transient providers with a warning', async () => {
    const warn = spyOnLogger('warn');
    const moduleRef = await init([RequestScoped, Transient]);
    modules.push(moduleRef);
    expect([...moduleRef.get(ProcessManager).records()]).toEqual([]);
    expect(warn.messages()).toEqual([
      expect.stringMatching(/"RequestScoped" .*request-scoped or transient/),
      expect.stringMatching(/"Transient" .*request-scoped or transient/),
    ]);
  });

  it('rejects a mailbox declared twice in one process', async () => {
    const error = await init([Twice]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DuplicateMailboxError);
    expect((error as Error).message).toContain(
      'Process "twice" declares the mailbox "same" more than once',
    );
  });

  it('rejects two processes with the same id', async () => {
    await expect(init([Alpha, AlphaAgain])).rejects.toThrow(
      DuplicateProcessError,
    );
  });

  it('rejects a @ProtobufMailbox whose type is not loaded', async () => {
    await expect(init([UnknownType])).rejects.toThrow(UnknownProtobufTypeError);
  });

  it('describes a class once and shares the definition', async () => {
    const moduleRef = await init([Alpha]);
    modules.push(moduleRef);
    const builder = moduleRef.get(ProcessDefinitionBuilder);
    expect(builder.build(Alpha)).toBe(
      moduleRef.get(ProcessManager).get('alpha')!.definition,
    );
  });
});
