import { isIPv4 } from 'node:net';

import { Upid } from '../../wire/upid.js';
import { MASTER_PROCESS_ID } from '../mesos.constants.js';
import type { MasterInfo } from '../mesos.types.js';

/**
 * `MasterInfo.ip` is the IPv4 `s_addr`: the network-order bytes read as a little-endian uint32
 * (127.0.0.1 is 16777343).
 */
export function ipToUint32(ip: string): number {
  if (!isIPv4(ip)) return 0;
  const bytes = Buffer.from(ip.split('.').map(Number));
  return bytes.readUInt32LE(0);
}

export function uint32ToIp(value: number): string {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value >>> 0, 0);
  return [...bytes].join('.');
}

/** The master's pid: `MasterInfo.pid`, else built from its address (as libmesos does). */
export function masterPid(info: MasterInfo): Upid {
  if (info.pid) return Upid.parse(info.pid);
  const ip = info.address?.ip ?? uint32ToIp(info.ip);
  return new Upid(MASTER_PROCESS_ID, ip, info.address?.port ?? info.port);
}

/** A MasterInfo for a master known only by its pid (a standalone `host:port`). */
export function masterInfoOf(pid: Upid, id = ''): MasterInfo {
  return {
    id,
    ip: ipToUint32(pid.host),
    port: pid.port,
    pid: pid.toString(),
    hostname: pid.host,
    address: { ip: pid.host, hostname: pid.host, port: pid.port },
  };
}

/**
 * Reads the MasterInfo JSON a Mesos master writes to its `json.info_*` znode (or serves as
 * `leader_info`); `undefined` when it is not one.
 */
export function parseMasterInfoJson(text: string): MasterInfo | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null) return undefined;
  const value = json as Record<string, unknown>;
  const address = value.address as Record<string, unknown> | undefined;
  const port = Number(value.port ?? address?.port);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) return undefined;
  const ip =
    typeof address?.ip === 'string'
      ? address.ip
      : typeof value.ip === 'number'
        ? uint32ToIp(value.ip)
        : undefined;
  if (typeof value.pid !== 'string' && ip === undefined) return undefined;
  const info: MasterInfo = {
    id: typeof value.id === 'string' ? value.id : '',
    ip: typeof value.ip === 'number' ? value.ip : ipToUint32(ip ?? ''),
    port,
    pid:
      typeof value.pid === 'string'
        ? value.pid
        : new Upid(MASTER_PROCESS_ID, ip!, port).toString(),
  };
  if (typeof value.hostname === 'string') info.hostname = value.hostname;
  if (typeof value.version === 'string') info.version = value.version;
  if (address && typeof address === 'object') {
    info.address = {
      port: Number(address.port ?? port),
      ...(typeof address.ip === 'string' && { ip: address.ip }),
      ...(typeof address.hostname === 'string' && {
        hostname: address.hostname,
      }),
    };
  }
  try {
    Upid.parse(info.pid!);
  } catch {
    return undefined;
  }
  return info;
}
