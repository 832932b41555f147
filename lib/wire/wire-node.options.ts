import { isIP } from 'node:net';
import type { NetworkInterfaceInfo } from 'node:os';

import { BindError } from './errors/bind.error.js';
import { Upid } from './upid.js';
import {
  DEFAULT_CONNECT_TIMEOUT,
  DEFAULT_ERROR_INTERVAL,
  DEFAULT_SHUTDOWN_GRACE_PERIOD,
  DEFAULT_WIRE_IP,
  DEFAULT_WIRE_LIMITS,
  DEFAULT_WIRE_PORT,
  WIRE_ENV,
} from './wire.constants.js';
import type { WireLimits, WireNodeOptions } from './wire.interfaces.js';

/** A setting and where it came from, for error messages. */
export interface Setting<T> {
  readonly value: T;
  /** `'ip option'`, `'LIBPROCESS_IP'` or `'default'`. */
  readonly source: string;
  /** The environment variable's text, quoted in errors (`"abc"`, not `NaN`). */
  readonly raw?: string;
}

/** The options of a {@link WireNode} with every default and environment variable applied. */
export interface ResolvedWireNodeOptions {
  readonly limits: Readonly<WireLimits>;
  readonly shutdownGracePeriod: number;
  readonly connectTimeout: number;
  readonly errorIntervalMs: number;
  readonly ip: Setting<string>;
  readonly port: Setting<number>;
  readonly advertiseIp: Setting<string> | undefined;
  readonly advertisePort: Setting<number> | undefined;
}

/** Where a node binds and what its PIDs carry. */
export interface WireAddresses {
  readonly bindIp: string;
  readonly bindPort: number;
  readonly advertiseIp: string;
  /** Undefined: advertise the port actually bound. */
  readonly advertisePort: number | undefined;
}

/**
 * Applies defaults and the LIBPROCESS_* environment variables (explicit options win). Pure:
 * the environment is a parameter.
 *
 * @throws RangeError for a value no node could use (a connect timeout that is not a
 * positive number of milliseconds a timer can hold).
 */
export function resolveWireNodeOptions(
  options: WireNodeOptions,
  env: Readonly<Record<string, string | undefined>>,
): ResolvedWireNodeOptions {
  const connectTimeout = options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT;
  // Timers clamp larger values to 1 ms.
  if (!(connectTimeout > 0 && connectTimeout <= 0x7fffffff)) {
    throw new RangeError(
      `Invalid connectTimeout ${String(options.connectTimeout)}: expected a positive number of milliseconds`,
    );
  }
  return {
    limits: Object.freeze({
      ...DEFAULT_WIRE_LIMITS,
      ...definedOnly(options.limits),
    }),
    shutdownGracePeriod:
      options.shutdownGracePeriod ?? DEFAULT_SHUTDOWN_GRACE_PERIOD,
    connectTimeout,
    errorIntervalMs: options.errorIntervalMs ?? DEFAULT_ERROR_INTERVAL,
    ip: setting(options, env, 'ip', String) ?? {
      value: DEFAULT_WIRE_IP,
      source: 'default',
    },
    port: setting(options, env, 'port', Number) ?? {
      value: DEFAULT_WIRE_PORT,
      source: 'default',
    },
    advertiseIp: setting(options, env, 'advertiseIp', String),
    advertisePort: setting(options, env, 'advertisePort', Number),
  };
}

/**
 * Validates the bind and advertised addresses. A wildcard bind address is advertised as the
 * first external IPv4 address of `interfaces` (what C++ libprocess derives from the
 * hostname), else loopback.
 *
 * @returns the addresses, or the {@link BindError} naming the bad value and its setting.
 */
export function resolveWireAddresses(
  resolved: ResolvedWireNodeOptions,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>,
): WireAddresses | BindError {
  const { value: ip, source: ipSource } = resolved.ip;
  const { value: port, source: portSource } = resolved.port;
  if (isIP(ip) === 0) {
    return new BindError(
      `Cannot listen on ${JSON.stringify(ip)} (${ipSource}): not an IPv4 or IPv6 address`,
      'EINVAL',
      ip,
      port,
    );
  }
  if (!isPort(port)) {
    return new BindError(
      `Cannot listen on port ${JSON.stringify(resolved.port.raw ?? String(port))} (${portSource}): expected an integer 0-65535`,
      'EINVAL',
      ip,
      port,
    );
  }
  const advertisePort = resolved.advertisePort;
  if (advertisePort !== undefined && !isPort(advertisePort.value)) {
    return new BindError(
      `Invalid advertised port ${JSON.stringify(advertisePort.raw ?? String(advertisePort.value))} (${advertisePort.source}): expected an integer 0-65535`,
      'EINVAL',
      ip,
      port,
    );
  }
  const advertiseIp =
    resolved.advertiseIp?.value ?? wildcardAdvertiseIp(ip, interfaces);
  try {
    // Validates the advertised host the way every PID of this node will carry it.
    new Upid('probe', advertiseIp, 0);
  } catch {
    return new BindError(
      `Invalid advertised address ${JSON.stringify(advertiseIp)} (${resolved.advertiseIp?.source}): expected an IP address or hostname`,
      'EINVAL',
      ip,
      port,
    );
  }
  return {
    bindIp: ip,
    bindPort: port,
    advertiseIp,
    advertisePort: advertisePort?.value,
  };
}

/** An explicit option, else its LIBPROCESS_* environment variable, with where it came from. */
function setting<T>(
  options: WireNodeOptions,
  env: Readonly<Record<string, string | undefined>>,
  key: keyof typeof WIRE_ENV,
  convert: (text: string) => T,
): Setting<T> | undefined {
  const option = options[key] as T | undefined;
  if (option !== undefined) return { value: option, source: `${key} option` };
  const text = env[WIRE_ENV[key]]?.trim();
  return text
    ? { value: convert(text), source: WIRE_ENV[key], raw: text }
    : undefined;
}

function definedOnly<T extends object>(value: T | undefined): Partial<T> {
  if (value === undefined) return {};
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}

function isPort(port: number): boolean {
  return Number.isInteger(port) && port >= 0 && port <= 65535;
}

function wildcardAdvertiseIp(
  bindIp: string,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>,
): string {
  if (bindIp !== '0.0.0.0' && bindIp !== '::') return bindIp;
  for (const addresses of Object.values(interfaces)) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal) {
        return address.address;
      }
    }
  }
  return DEFAULT_WIRE_IP;
}
