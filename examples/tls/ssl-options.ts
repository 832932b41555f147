import { ActorModule } from 'nestjs-libprocess';
import { WireNode, type WireNodeHandlers } from 'nestjs-libprocess/wire';

const handlers: WireNodeHandlers = { onMessage: () => true };

ActorModule.forRoot({
  ssl: {
    enabled: true,
    certFile: '/etc/mesos/node.crt',
    keyFile: '/etc/mesos/node.key',
  },
});
new WireNode(
  {
    ssl: { enabled: true, verifyServerCert: true, caFile: '/etc/mesos/ca.crt' },
  },
  handlers,
);
