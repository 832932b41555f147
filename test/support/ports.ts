import { createServer } from 'node:net';

/**
 * A loopback port that was free a moment ago and now has nothing listening on it: the
 * target for "link to a port where nothing listens" tests. The OS hands out ephemeral
 * ports round-robin, so it is not handed out again within the few seconds a test needs.
 */
export function closedLoopbackPort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
