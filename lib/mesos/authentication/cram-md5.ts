import { createHmac } from 'node:crypto';

/** The SASL mechanism Mesos masters offer by default (`--authenticators=crammd5`). */
export const CRAM_MD5 = 'CRAM-MD5';

/**
 * The CRAM-MD5 answer to a server challenge (RFC 2195): `<principal> <hex HMAC-MD5(secret, challenge)>`,
 * what Cyrus SASL's client sends for Mesos' authenticatee.
 */
export function cramMd5Response(
  principal: string,
  secret: string | Buffer,
  challenge: Uint8Array,
): Buffer {
  const digest = createHmac('md5', secret).update(challenge).digest('hex');
  return Buffer.from(`${principal} ${digest}`, 'utf8');
}
