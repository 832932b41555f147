/** Bytes libprocess peeks at to tell a TLS ClientHello from a plain request. */
export const TLS_SNIFF_BYTES = 6;

const RECORD_HANDSHAKE = 0x16;
const SSL3_VERSION_MAJOR = 0x03;
const SSL3_CLIENT_HELLO = 0x01;
const SSL2_CLIENT_HELLO = 0x01;

/** What the first bytes of an inbound connection are. */
export type FirstBytes = 'tls' | 'plain' | 'undecided';

/**
 * Classifies the first bytes of an inbound connection the way C++ libprocess does for
 * `LIBPROCESS_SSL_SUPPORT_DOWNGRADE` (after OpenSSL's `ssl23_get_client_hello`): TLS when they
 * are a TLS handshake record holding a ClientHello (byte 0 = 0x16, byte 1 = 0x03, byte 5 = 0x01)
 * or an SSLv2-style hello (high bit of byte 0 set, byte 2 = 0x01); anything else is plain.
 *
 * Unlike libprocess, which decides on whatever one peek returned (fewer than 3 bytes meant
 * plain), a prefix that could still become a ClientHello is `undecided`: the caller waits for
 * more bytes (bounded by the handshake timeout) rather than misreading a segmented hello.
 */
export function classifyFirstBytes(bytes: Uint8Array): FirstBytes {
  const length = bytes.length;
  if (length === 0) return 'undecided';
  const first = bytes[0];
  if (first === RECORD_HANDSHAKE) {
    if (length >= 2 && bytes[1] !== SSL3_VERSION_MAJOR) return 'plain';
    if (length < TLS_SNIFF_BYTES) return 'undecided';
    return bytes[5] === SSL3_CLIENT_HELLO ? 'tls' : 'plain';
  }
  if ((first & 0x80) !== 0) {
    if (length < 3) return 'undecided';
    return bytes[2] === SSL2_CLIENT_HELLO ? 'tls' : 'plain';
  }
  return 'plain';
}

/**
 * True when a connection to a plain (non-TLS) listener opens like a TLS client: a handshake
 * record, or an SSLv2-style hello. No HTTP request starts with either byte (methods are ASCII
 * tokens), so one byte is enough to close such a connection at once instead of leaving the TLS
 * client waiting for a ServerHello that never comes.
 */
export function opensLikeTls(bytes: Uint8Array): boolean {
  return bytes.length > 0 && classifyFirstBytes(bytes) !== 'plain';
}
