import { isIPv4, isIPv6 } from 'node:net';

import { InvalidUpidError } from './errors/invalid-upid.error.js';
import { formatHostPort } from './wire.utils.js';

export { InvalidUpidError } from './errors/invalid-upid.error.js';

// Process ids as libprocess and Mesos produce them: `master`, `slave(1)`, `scheduler-<uuid>`.
const ID_PATTERN = /^[A-Za-z0-9()_.-]+$/;
// Hostname labels; underscores are tolerated because container hostnames use them.
const HOST_LABEL_PATTERN = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;
const PORT_PATTERN = /^[0-9]{1,5}$/;
const NUMERIC_HOST_PATTERN = /^[0-9.]+$/;

// The host (validated) and address of the last pid built: pids mostly come in runs on one node.
let lastHost: string | undefined = undefined;
let lastPort = -1;
let lastAddress = '';

/**
 * A libprocess process id `id@host:port` (value object).
 *
 * `host` is an IPv4 address, a hostname or an IPv6 address (stored without brackets, written
 * `[::1]` in {@link toString} and {@link address}). Instances are immutable; compare them with
 * {@link equals} or use {@link toString} as a Map key.
 *
 * @publicApi
 */
export class Upid {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  /** `host:port`, the key of the connection to this process' node. */
  readonly address: string;
  private readonly text: string;

  /** @throws InvalidUpidError when a part is invalid. */
  constructor(id: string, host: string, port: number) {
    const bracketed =
      typeof host === 'string' && host.startsWith('[') && host.endsWith(']');
    const bareHost = bracketed ? host.slice(1, -1) : host;
    // Quoted by the errors only (built then, not for every valid pid).
    const shown = (): string => `${id}@${host}:${port}`;
    checkId(id, shown);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new InvalidUpidError(
        shown(),
        'the port must be an integer 0-65535',
      );
    }
    if (typeof bareHost !== 'string' || bareHost !== lastHost || bracketed) {
      checkHost(bareHost, bracketed, shown);
    }
    this.id = id;
    this.host = bareHost;
    this.port = port;
    // The pids of one node share its address string (100,000 processes, one string).
    if (bareHost !== lastHost || port !== lastPort) {
      lastAddress = formatHostPort(bareHost, port);
      lastHost = bareHost;
      lastPort = port;
    }
    this.address = lastAddress;
    // Joined, not concatenated: a flat string, where a template literal would keep a
    // rope of string pieces alive for as long as the pid lives.
    this.text = [id, '@', lastAddress].join('');
  }

  /**
   * Parses `id@host:port` (`id@[::1]:5050` for IPv6).
   *
   * @throws InvalidUpidError quoting the string when it is not a valid PID.
   */
  static parse(value: string): Upid {
    if (typeof value !== 'string') {
      throw new InvalidUpidError(String(value), 'not a string');
    }
    const at = value.indexOf('@');
    if (at <= 0) {
      throw new InvalidUpidError(value, 'expected id@host:port');
    }
    const colon = value.lastIndexOf(':');
    if (colon < at) {
      throw new InvalidUpidError(value, 'missing ":port"');
    }
    const host = value.slice(at + 1, colon);
    const portText = value.slice(colon + 1);
    if (!PORT_PATTERN.test(portText)) {
      throw new InvalidUpidError(value, 'the port must be a number 0-65535');
    }
    const port = Number(portText);
    if (port > 65535) {
      throw new InvalidUpidError(value, 'the port must be a number 0-65535');
    }
    checkId(value.slice(0, at), () => value);
    const bracketed = host.startsWith('[') && host.endsWith(']');
    if (!bracketed && host.includes(':')) {
      throw new InvalidUpidError(value, 'an IPv6 host must be in brackets');
    }
    // Validated here so that the error quotes the caller's string.
    checkHost(bracketed ? host.slice(1, -1) : host, bracketed, () => value);
    return new Upid(value.slice(0, at), host, port);
  }

  /** True when `other` (a Upid or a PID string) denotes the same process. */
  equals(other: Upid | string): boolean {
    if (other instanceof Upid) return other.text === this.text;
    if (typeof other !== 'string') return false;
    if (other === this.text) return true;
    try {
      return Upid.parse(other).text === this.text;
    } catch {
      return false;
    }
  }

  /** `id@host:port`, the canonical form (usable as a Map key). */
  toString(): string {
    return this.text;
  }

  toJSON(): string {
    return this.text;
  }
}

/**
 * Validates a process id as every pid of it will be (`InvalidUpidError` quoting the id).
 *
 * @internal
 */
export function checkProcessId(id: string): void {
  checkId(id, () => String(id));
}

function checkId(id: string, shown: () => string): void {
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    throw new InvalidUpidError(
      shown(),
      'the id must be letters, digits, "(", ")", "-", "_" or "."',
    );
  }
}

/** Validates a host; returns true when it is an IPv6 address. */
function checkHost(
  host: string,
  bracketed: boolean,
  shown: () => string,
): boolean {
  if (typeof host !== 'string' || host.length === 0) {
    throw new InvalidUpidError(shown(), 'the host is empty');
  }
  if (bracketed || host.includes(':')) {
    if (!isIPv6(host)) {
      throw new InvalidUpidError(shown(), 'not a valid IPv6 address');
    }
    return true;
  }
  if (NUMERIC_HOST_PATTERN.test(host)) {
    if (!isIPv4(host)) {
      throw new InvalidUpidError(shown(), 'not a valid IPv4 address');
    }
    return false;
  }
  if (
    host.length > 253 ||
    !host.split('.').every((label) => HOST_LABEL_PATTERN.test(label))
  ) {
    throw new InvalidUpidError(shown(), 'not a valid hostname');
  }
  return false;
}
