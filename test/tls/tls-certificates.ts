import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Availability } from '../support/require-gate.js';

/**
 * Whether the `openssl` CLI is there (every test PKI is made with it; ../shared/peers/setup.sh
 * installs it).
 */
export function opensslAvailability(): Availability {
  const probe = spawnSync('openssl', ['version'], { stdio: 'ignore' });
  return probe.status === 0
    ? { ok: true }
    : {
        ok: false,
        reason: 'the openssl CLI is not installed',
        installHint: 'apt-get install openssl',
      };
}

/** A certificate and its key, as files (what LIBPROCESS_SSL_CERT_FILE/KEY_FILE name). */
export interface CertificateFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly certPem: string;
}

export interface LeafOptions {
  cn?: string;
  dns?: string[];
  ips?: string[];
  /** RSA by default: C++ libprocess' default ciphers only do RSA key exchange. */
  keyType?: 'rsa' | 'ec';
}

/**
 * A throwaway PKI for TLS tests, generated with the `openssl` CLI in a temporary directory
 * (../shared/peers/setup.sh installs it; the C++ SSL peer's smoke test needs it too). Nothing
 * is ever committed: every test file makes its own and removes it afterwards.
 */
export class TestPki {
  private serial = 1;

  private constructor(readonly dir: string) {}

  static create(): TestPki {
    return new TestPki(mkdtempSync(join(tmpdir(), 'libprocess-tls-')));
  }

  /** A CA: self-signed, or an intermediate signed by `issuer`. */
  ca(name: string, issuer?: CertificateFiles): CertificateFiles {
    const ext = [
      'basicConstraints=critical,CA:TRUE',
      'keyUsage=critical,keyCertSign,cRLSign',
      'subjectKeyIdentifier=hash',
    ];
    return this.issue(name, `/CN=${name}`, ext, 'rsa', issuer);
  }

  /** A certificate for both roles (serverAuth + clientAuth), as libprocess uses one for both. */
  leaf(
    name: string,
    issuer: CertificateFiles | undefined,
    options: LeafOptions = {},
  ): CertificateFiles {
    const san = [
      ...(options.dns ?? []).map((d) => `DNS:${d}`),
      ...(options.ips ?? []).map((ip) => `IP:${ip}`),
    ];
    const ext = [
      'basicConstraints=CA:FALSE',
      'extendedKeyUsage=serverAuth,clientAuth',
      ...(san.length > 0 ? [`subjectAltName=${san.join(',')}`] : []),
    ];
    return this.issue(
      name,
      `/CN=${options.cn ?? name}`,
      ext,
      options.keyType ?? 'rsa',
      issuer,
    );
  }

  /** The usual node certificate: CN and SAN `localhost`, SAN IP 127.0.0.1. */
  node(name: string, issuer: CertificateFiles): CertificateFiles {
    return this.leaf(name, issuer, {
      cn: 'localhost',
      dns: ['localhost'],
      ips: ['127.0.0.1'],
    });
  }

  /** A file holding `pems` concatenated (a chain, or a CA bundle). */
  bundle(name: string, ...pems: string[]): string {
    const path = join(this.dir, name);
    writeFileSync(path, pems.join(''));
    return path;
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private issue(
    name: string,
    subject: string,
    extensions: string[],
    keyType: 'rsa' | 'ec',
    issuer: CertificateFiles | undefined,
  ): CertificateFiles {
    const keyFile = join(this.dir, `${name}.key`);
    const certFile = join(this.dir, `${name}.crt`);
    const extFile = join(this.dir, `${name}.ext`);
    writeFileSync(extFile, `${extensions.join('\n')}\n`);
    const keyArgs =
      keyType === 'rsa'
        ? ['-newkey', 'rsa:2048']
        : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
    if (issuer === undefined) {
      openssl([
        'req',
        '-x509',
        ...keyArgs,
        '-nodes',
        '-days',
        '2',
        '-subj',
        subject,
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-extensions',
        'v3',
        '-config',
        this.config(name, extensions),
      ]);
    } else {
      const csrFile = join(this.dir, `${name}.csr`);
      openssl([
        'req',
        '-new',
        ...keyArgs,
        '-nodes',
        '-subj',
        subject,
        '-keyout',
        keyFile,
        '-out',
        csrFile,
      ]);
      openssl([
        'x509',
        '-req',
        '-in',
        csrFile,
        '-CA',
        issuer.certFile,
        '-CAkey',
        issuer.keyFile,
        '-set_serial',
        String(this.serial++ + 1000),
        '-days',
        '2',
        '-extfile',
        extFile,
        '-out',
        certFile,
      ]);
    }
    return { certFile, keyFile, certPem: readFileSync(certFile, 'latin1') };
  }

  /** A minimal openssl.cnf for a self-signed certificate with `extensions`. */
  private config(name: string, extensions: string[]): string {
    const path = join(this.dir, `${name}.cnf`);
    writeFileSync(
      path,
      `[req]\ndistinguished_name=dn\n[dn]\n[v3]\n${extensions.join('\n')}\n`,
    );
    return path;
  }
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}
