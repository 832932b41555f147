import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

/** The only SASL mechanism Mesos' default authenticator lists (mech_list=CRAM-MD5). */
export const CRAM_MD5 = 'CRAM-MD5';

/** A principal and its secret, as in the master's `--credentials` file. */
export interface Credential {
  principal: string;
  secret: string;
}

/** The outcome of checking a client's response, as Cyrus SASL reports it to the session. */
export type CramMd5Verdict =
  | { result: 'ok'; principal: string }
  | { result: 'nouser'; principal: string }
  | { result: 'badauth'; principal: string }
  | { result: 'error'; message: string };

/**
 * The server challenge of RFC 2195, as Cyrus SASL's CRAM-MD5 plugin builds it:
 * `<random.timestamp@hostname>`.
 */
export function cramMd5Challenge(
  hostname: string,
  nowMs: number = Date.now(),
): string {
  return `<${randomInt(1, 2 ** 31)}.${Math.floor(nowMs / 1000)}@${hostname}>`;
}

/** The client response of RFC 2195: `principal SP hex(HMAC-MD5(secret, challenge))`. */
export function cramMd5Response(
  principal: string,
  secret: string,
  challenge: string | Uint8Array,
): string {
  const digest = createHmac('md5', secret)
    .update(typeof challenge === 'string' ? Buffer.from(challenge) : challenge)
    .digest('hex');
  return `${principal} ${digest}`;
}

/**
 * Checks a client response against the credentials (the in-memory auxprop of
 * src/authentication/cram_md5/auxprop.cpp): unknown principal -> `nouser`, wrong digest ->
 * `badauth`, a response that is not `name SP 32-hex-digits` -> `error`. The digest is
 * compared in constant time.
 */
export function verifyCramMd5(
  response: Uint8Array,
  challenge: string,
  credentials: ReadonlyMap<string, string>,
): CramMd5Verdict {
  const text = Buffer.from(response).toString('latin1');
  const space = text.lastIndexOf(' ');
  const principal = space > 0 ? text.slice(0, space) : '';
  const digest = space > 0 ? text.slice(space + 1) : '';
  if (!principal || !/^[0-9a-f]{32}$/.test(digest)) {
    return {
      result: 'error',
      message:
        'SASL(-13): authentication failure: CRAM-MD5 response is malformed',
    };
  }
  const secret = credentials.get(principal);
  if (secret === undefined) return { result: 'nouser', principal };
  const expected = createHmac('md5', secret).update(challenge).digest();
  return timingSafeEqual(expected, Buffer.from(digest, 'hex'))
    ? { result: 'ok', principal }
    : { result: 'badauth', principal };
}
