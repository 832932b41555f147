import { X509Certificate } from 'node:crypto';
import { lookupService } from 'node:dns/promises';
import { isIP } from 'node:net';
import {
  checkServerIdentity,
  type DetailedPeerCertificate,
  type PeerCertificate,
  type TLSSocket,
} from 'node:tls';

import type { TlsSettings } from './tls-options.interface.js';

/** Which end of a connection verifies: the connecting one or the accepting one. */
export type TlsRole = 'client' | 'server';

/**
 * The `openssl` scheme's client-side check, decided before connecting as libprocess does in
 * `configure_socket`: the host the PID was written with must be the certificate's DNS name (SAN,
 * or CN without DNS SANs; wildcards per RFC 6125), or, for an IP literal with `verifyIpAdd`, an
 * IP SAN. Returns the check to run on the server's certificate during the handshake, `null` when
 * there is nothing to check, or an Error when the connection must not even be attempted (an IP
 * literal without `verifyIpAdd`: "No DNS name given and IP address verification is disabled").
 */
export function opensslServerCheck(
  settings: TlsSettings,
  host: string,
): ((cert: PeerCertificate) => Error | undefined) | null | Error {
  if (
    !settings.verifyServerCert ||
    settings.hostnameValidationScheme !== 'openssl'
  ) {
    return null;
  }
  if (isIP(host) !== 0 && !settings.verifyIpAdd) {
    return new Error(
      `cannot verify ${host}: no DNS name given and IP address verification is disabled ` +
        `(${settings.sources.hostnameValidationScheme}=openssl needs ${settings.sources.verifyIpAdd === 'default' ? 'LIBPROCESS_SSL_VERIFY_IPADD' : settings.sources.verifyIpAdd}=true, or a PID with a host name)`,
    );
  }
  return (cert) => checkServerIdentity(host, cert);
}

/**
 * The checks libprocess runs after a handshake (`openssl::verify`), on the side that verifies
 * (client: `verifyServerCert`; server: `requireClientCert`). The chain itself was verified by
 * OpenSSL during the handshake; this checks its length against `verificationDepth` (Node has no
 * verify-depth option, so it is enforced here, before any message) and, for the `legacy`
 * scheme, the name: the peer's IP address is reverse-resolved (getnameinfo, so /etc/hosts
 * counts) and must be a DNS SAN or the common name of the certificate; with `verifyIpAdd` an IP
 * SAN equal to the address matches too. When the address has no name and `verifyIpAdd` is off,
 * libprocess accepts, unless this node requires client certificates.
 *
 * Resolves undefined when the peer is accepted, else the Error saying why.
 */
export async function verifyPeer(
  settings: TlsSettings,
  role: TlsRole,
  socket: TLSSocket,
): Promise<Error | undefined> {
  const verifies =
    role === 'client' ? settings.verifyServerCert : settings.requireClientCert;
  if (!verifies) return undefined;
  const detailed = socket.getPeerCertificate(true);
  if (detailed === null || !detailed.raw) {
    return new Error('the peer did not provide a certificate');
  }
  const depth = chainDepth(detailed);
  if (depth > settings.verificationDepth) {
    return new Error(
      `the peer's certificate chain has ${depth} intermediate certificates, more than ` +
        `${settings.sources.verificationDepth === 'default' ? 'LIBPROCESS_SSL_VERIFICATION_DEPTH' : settings.sources.verificationDepth}=${settings.verificationDepth}`,
    );
  }
  if (settings.hostnameValidationScheme !== 'legacy') return undefined;
  const ip = socket.remoteAddress;
  if (ip === undefined) return new Error('the connection is already closed');
  return legacyNameCheck(
    settings,
    new X509Certificate(detailed.raw),
    unmapIPv4(ip),
    await reverseLookup(ip),
  );
}

/**
 * The `legacy` scheme's name rule, given the peer's address and its reverse-DNS name (undefined
 * when it has none). Exported for tests.
 */
export function legacyNameCheck(
  settings: TlsSettings,
  certificate: X509Certificate,
  ip: string,
  hostname: string | undefined,
): Error | undefined {
  if (hostname === undefined && !settings.verifyIpAdd) {
    return settings.requireClientCert
      ? new Error(
          `cannot verify the peer certificate: ${ip} has no reverse-DNS name (LIBPROCESS_SSL_VERIFY_IPADD is off)`,
        )
      : undefined;
  }
  if (
    hostname !== undefined &&
    // SAN DNS names, then the subject's common name; no wildcards, as libprocess compares
    // the names literally.
    certificate.checkHost(hostname, { subject: 'always', wildcards: false }) !==
      undefined
  ) {
    return undefined;
  }
  if (settings.verifyIpAdd && certificate.checkIP(ip) !== undefined) {
    return undefined;
  }
  const details = [
    ...(hostname !== undefined ? [`hostname ${hostname}`] : []),
    `IP ${ip}`,
  ];
  return new Error(
    `the presented certificate (${certificate.subject.replace(/\n/g, ', ')}) does not match ${details.join(', ')}`,
  );
}

/** Intermediate certificates between the peer's certificate and its trust anchor. */
export function chainDepth(certificate: DetailedPeerCertificate): number {
  let length = 1;
  const seen = new Set<DetailedPeerCertificate>([certificate]);
  for (
    let issuer = certificate.issuerCertificate;
    issuer !== undefined && issuer !== null && !seen.has(issuer);
    issuer = issuer.issuerCertificate
  ) {
    seen.add(issuer);
    length++;
  }
  // OpenSSL's depth counts the certificates above the leaf that are not the anchor.
  return Math.max(0, length - 2);
}

/** The name getnameinfo() gives `ip` (undefined when it has none, like `NI_NAMEREQD`). */
async function reverseLookup(ip: string): Promise<string | undefined> {
  try {
    const { hostname } = await lookupService(ip, 0);
    return isIP(hostname) === 0 ? hostname : undefined;
  } catch {
    return undefined;
  }
}

function unmapIPv4(ip: string): string {
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}
