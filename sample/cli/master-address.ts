import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * A host the master (or ZooKeeper) is reached at, to pick the local address the master can
 * connect back to: the host of `host:port`, the first ZooKeeper server of `zk://`, or of what a
 * `file://` holds.
 */
export function routeHost(master: string): string {
  let value = master.trim();
  if (value.startsWith('file://')) {
    value = readFileSync(fileURLToPath(value), 'utf8').trim();
  }
  if (value.startsWith('zk://')) {
    value = value
      .slice('zk://'.length)
      .replace(/^[^@/]*@/, '')
      .split(/[,/]/)[0];
  }
  value = value.replace(/^master@/, '');
  return value.slice(0, value.lastIndexOf(':')).replace(/^\[|\]$/g, '');
}

/** The local address the kernel would use to reach `host`, i.e. one the master can connect back to. */
export async function localAddressTowards(host: string): Promise<string> {
  const ip =
    isIP(host) !== 0 ? host : (await lookup(host, { family: 4 })).address;
  return new Promise((resolve, reject) => {
    // A connected UDP socket sends nothing; it only makes the kernel pick the route and source address.
    const socket = createSocket('udp4');
    socket.once('error', (error) => {
      socket.close();
      reject(error);
    });
    socket.connect(9, ip, () => {
      const { address } = socket.address();
      socket.close();
      resolve(address);
    });
  });
}
