import type { PeerProfile } from '../bench-options.js';
import type { Implementation, PeerCommand } from '../peers/peer-catalog.js';
import {
  pairName,
  runPeerMatrix,
  type Pair,
  type RunRecord,
} from '../peers/peer-matrix.js';
import { makeBenchCertificate } from './tls-pki.js';

/** The TLS pairs of issue 16: the TS node and C++ libprocess built with SSL, every direction. */
export const TLS_PAIRS: readonly Pair[] = [
  { client: 'ts', server: 'ts' },
  { client: 'libprocess', server: 'ts' },
  { client: 'ts', server: 'libprocess' },
  { client: 'libprocess', server: 'libprocess' },
];

/** The label of a TLS pair in the results: `ts->ts (TLS)`. */
export const tlsPairName = (pair: Pair): string => `${pairName(pair)} (TLS)`;

/**
 * Runs send and ping-pong for the TLS pairs, with both peers configured only by
 * `LIBPROCESS_SSL_ENABLED=true` and a certificate made for this run (TLS 1.2, libprocess'
 * default ciphers: what a Mesos cluster with SSL negotiates). The C++ side is
 * `LIBPROCESS_SSL_PEER` (same CLI as `LIBPROCESS_PEER`, libprocess built with `--enable-ssl`).
 * Records are those of the plain matrix, their `pair` suffixed ` (TLS)`.
 */
export async function runTlsPairs(
  peers: Map<Implementation, PeerCommand>,
  sslPeerCommand: string,
  profile: PeerProfile,
  options: {
    size: number;
    warmupRuns: number;
    pingpongWarmup?: number;
    log: (line: string) => void;
  },
): Promise<RunRecord[]> {
  const ts = peers.get('ts');
  const cpp = peers.get('libprocess');
  if (ts === undefined || cpp === undefined) return [];
  const certificate = makeBenchCertificate();
  // The children inherit the environment: set for the TLS matrix only, then restored.
  const tlsEnv: Record<string, string> = {
    LIBPROCESS_SSL_ENABLED: 'true',
    LIBPROCESS_SSL_CERT_FILE: certificate.certFile,
    LIBPROCESS_SSL_KEY_FILE: certificate.keyFile,
  };
  const saved = Object.fromEntries(
    Object.keys(tlsEnv).map((name) => [name, process.env[name]]),
  );
  Object.assign(process.env, tlsEnv);
  try {
    const records = await runPeerMatrix(
      new Map<Implementation, PeerCommand>([
        ['ts', ts],
        ['libprocess', { ...cpp, command: sslPeerCommand }],
      ]),
      {
        profile,
        pairs: [...TLS_PAIRS],
        size: options.size,
        pingpongWarmup: options.pingpongWarmup,
        warmupRuns: options.warmupRuns,
        log: (line) => options.log(`TLS ${line}`),
      },
    );
    return records.map((record) => ({
      ...record,
      pair: tlsPairName(record),
      tls: true,
    }));
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    certificate.dispose();
  }
}
