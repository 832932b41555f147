import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { request } from 'node:http';
import { Upid } from '../../lib/index.js';
import { MASTER_PROCESS_ID } from '../../lib/mesos/index.js';

const STATE_TIMEOUT_MS = 2000;

/**
 * `host:port` (or `master@host:port`) to the master's pid with an IPv4 address: the scheduler
 * compares senders with it, and masters send from their ip, never a hostname.
 */
export async function resolveMasterPid(address: string): Promise<Upid> {
  const hostPort = address.replace(/^master@/, '');
  const separator = hostPort.lastIndexOf(':');
  const host = hostPort.slice(0, separator).replace(/^\[|\]$/g, '');
  const port = Number(hostPort.slice(separator + 1));
  const { address: ip } = await lookup(host, { family: 4 });
  return new Upid(MASTER_PROCESS_ID, ip, port);
}

/**
 * Asks `GET /master/state` for the leading master (its `leader` field), as mesos-go's standalone
 * detector does, so that pointing at a non-leading master of an HA cluster still works. A peer
 * that does not answer is taken as the leader itself.
 */
export function detectLeader(master: Upid): Promise<Upid> {
  return new Promise((resolve) => {
    const fallback = () => resolve(master);
    const req = request(
      {
        host: master.host,
        port: master.port,
        path: '/master/state',
        agent: false,
        timeout: STATE_TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', fallback);
        res.on('end', () => {
          try {
            const leader = (
              JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
                leader?: unknown;
              }
            ).leader;
            resolve(typeof leader === 'string' ? Upid.parse(leader) : master);
          } catch {
            fallback();
          }
        });
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', fallback);
    req.end();
  });
}

/** The local address the kernel would use to reach `ip`, i.e. one the master can connect back to. */
export function localAddressTowards(ip: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    // A connected UDP socket sends nothing; it only makes the kernel pick the route and source address.
    const socket = createSocket('udp4');
    socket.once('error', (error) => {
      socket.close();
      reject(error);
    });
    socket.connect(port, ip, () => {
      const { address } = socket.address();
      socket.close();
      resolve(address);
    });
  });
}
