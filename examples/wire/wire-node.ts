import { Upid, WireNode } from 'nestjs-libprocess/wire';

const node = new WireNode(
  { ip: '127.0.0.1', port: 0 },
  {
    onMessage: (from, to, name, body) => {
      if (to !== 'scheduler') return false; // no such process: answered 404
      console.log(`${name} from ${from}: ${body.length} bytes`);
      return true; // answered 202
    },
    onHttpRequest: (req) =>
      req.path === '/health' ? { status: 200, body: 'ok' } : undefined,
  },
);
node.on('exited', (from, to) => console.log(`${to} went away`));
node.on('error', (err) => console.warn(err.message)); // dropped messages, failed connections
await node.listen();
const master = Upid.parse('master@10.0.0.1:5050');
const bytes = Buffer.from('...'); // an encoded RegisterFrameworkMessage
node.link(node.pid('scheduler'), master);
node.send(
  node.pid('scheduler'),
  master,
  'mesos.internal.RegisterFrameworkMessage',
  bytes,
);
await node.close();
