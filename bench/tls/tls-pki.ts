import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A node certificate for the TLS pairs: RSA (C++ libprocess' default ciphers need RSA). */
export interface BenchCertificate {
  certFile: string;
  keyFile: string;
  dispose(): void;
}

/**
 * Makes a throwaway CA and one certificate for localhost / 127.0.0.1 with the `openssl` CLI
 * (as ../shared/peers/README.md section 9 does), in a temporary directory removed by
 * `dispose()`. Nothing is kept: every bench run makes its own.
 */
export function makeBenchCertificate(): BenchCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'libprocess-bench-tls-'));
  const path = (name: string) => join(dir, name);
  const openssl = (args: string[]) =>
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=bench CA',
    '-keyout',
    path('ca.key'),
    '-out',
    path('ca.crt'),
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign',
  ]);
  openssl([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    path('node.key'),
    '-out',
    path('node.csr'),
  ]);
  writeFileSync(
    path('node.ext'),
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n',
  );
  openssl([
    'x509',
    '-req',
    '-in',
    path('node.csr'),
    '-CA',
    path('ca.crt'),
    '-CAkey',
    path('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    path('node.ext'),
    '-out',
    path('node.crt'),
  ]);
  return {
    certFile: path('node.crt'),
    keyFile: path('node.key'),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
