import type { WireLimits } from './wire.interfaces.js';

/**
 * Default limits of a {@link WireNode}. Generous enough for Mesos messages (large
 * `ResourceOffersMessage`s, state responses) yet bounded so one bad peer cannot exhaust memory.
 *
 * @publicApi
 */
export const DEFAULT_WIRE_LIMITS: Readonly<WireLimits> = Object.freeze({
  maxHeaderBytes: 64 * 1024,
  maxHeaderCount: 100,
  maxBodyBytes: 100 * 1024 * 1024,
  maxQueuedBytesPerPeer: 32 * 1024 * 1024,
  maxInboundBytes: 256 * 1024 * 1024,
  maxUnsentResponseBytes: 1024 * 1024,
  maxQueuedInboundBytes: 16 * 1024 * 1024,
  headerTimeoutMs: 30_000,
  bodyTimeoutMs: 300_000,
  maxConnections: Infinity,
});

/** Default bind address: loopback, so nothing is exposed unless asked for. @publicApi */
export const DEFAULT_WIRE_IP = '127.0.0.1';
/** Default bind port: 0 = an ephemeral port chosen by the OS. @publicApi */
export const DEFAULT_WIRE_PORT = 0;
/** Default time `close()` may take before it destroys what is still open (ms). @publicApi */
export const DEFAULT_SHUTDOWN_GRACE_PERIOD = 2000;
/** Default time an outbound connection may take to be established (ms). @publicApi */
export const DEFAULT_CONNECT_TIMEOUT = 10_000;
/** Default interval over which repeated errors of one kind are coalesced (ms). @publicApi */
export const DEFAULT_ERROR_INTERVAL = 5000;
/** Idle time before TCP keepalive probes start on an outbound connection (ms). */
export const KEEPALIVE_INITIAL_DELAY = 10_000;

/**
 * Environment variables read as defaults by {@link WireNode} (the names C++ libprocess uses);
 * explicit options always win.
 *
 * @publicApi
 */
export const WIRE_ENV = Object.freeze({
  ip: 'LIBPROCESS_IP',
  port: 'LIBPROCESS_PORT',
  advertiseIp: 'LIBPROCESS_ADVERTISE_IP',
  advertisePort: 'LIBPROCESS_ADVERTISE_PORT',
});

/** `User-Agent` prefix that identifies a libprocess sender (legacy sender header). */
export const LIBPROCESS_USER_AGENT_PREFIX = 'libprocess/';

/**
 * Spelled exactly so: mesos-go keeps a connection open only for a case-sensitive
 * `Connection: Keep-Alive` (peers README, quirk 5).
 */
export const KEEP_ALIVE_HEADER = 'Connection: Keep-Alive\r\n';

/** Terminates the single chunk of a C++-style chunked message body. */
export const CHUNKED_BODY_END = '\r\n0\r\n\r\n';

/** The responses C++ libprocess writes for a delivered / undeliverable message (Date omitted). */
export const RESPONSE_202 =
  'HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n';
export const RESPONSE_404 =
  'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n';

/** Reason phrases for the statuses the wire layer and common routes produce. */
export const STATUS_REASONS: Readonly<Record<number, string>> = Object.freeze({
  100: 'Continue',
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  301: 'Moved Permanently',
  302: 'Found',
  304: 'Not Modified',
  307: 'Temporary Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
});

/**
 * Bounds of the outbound write slabs messages are encoded into (one allocation per slab):
 * small for quiet peers (an idle connection holds at most one slab), large for bursts.
 */
export const MIN_OUTBOUND_SLAB_BYTES = 4 * 1024;
export const MAX_OUTBOUND_SLAB_BYTES = 64 * 1024;

/** Encoded message heads an outbound connection keeps (per sender, process id and name). */
export const MAX_CACHED_MESSAGE_HEADS = 256;
