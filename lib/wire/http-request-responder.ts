import { WireError } from './errors/wire.error.js';
import {
  encodeResponse,
  NOT_FOUND,
  NOT_FOUND_CLOSE,
  SERVER_ERROR,
} from './http-response-encoder.js';
import type { RetainedMessages } from './message-hold.js';
import type { ResponsePipeline } from './response-pipeline.js';
import type {
  WireNodeHandlers,
  WireRequest,
  WireResponse,
} from './wire.interfaces.js';
import { isPromiseLike, quotePeerInput } from './wire.utils.js';

/**
 * Whether the connection closes after answering `request`: HTTP/1.0 closes unless asked to
 * keep alive, HTTP/1.1 keeps alive unless asked to close (RFC 9112 section 9.3).
 */
export function closesAfter(request: WireRequest): boolean {
  const connection = request.headers['connection']?.toLowerCase();
  return request.version === '1.0'
    ? connection !== 'keep-alive'
    : connection === 'close';
}

/**
 * What a request whose response is pending keeps alive: its body's buffer and about its head
 * (up to `maxHeaderBytes` of header strings, which a slow route would otherwise hold uncounted).
 */
function requestBytes(request: WireRequest): number {
  let bytes = request.body.buffer.byteLength + request.path.length;
  for (const name in request.headers) {
    bytes += name.length + request.headers[name].length + 4;
  }
  return bytes;
}

/**
 * Answers an HTTP request (anything but a deliverable libprocess message) through the node's
 * `onHttpRequest` hook, on `responses` in request order: a hook that resolves later holds its
 * place, so responses behind it wait. No hook, or no response, is a 404; a hook that throws
 * or rejects, or a response that cannot be encoded, is a 500 reported through `reportError`.
 * `close` ends the connection after this response. While the hook's promise is pending, what
 * the request keeps alive counts in `retained`.
 */
export function respondToHttp(
  request: WireRequest,
  close: boolean,
  hook: WireNodeHandlers['onHttpRequest'],
  responses: ResponsePipeline,
  reportError: (error: Error) => void,
  retained: RetainedMessages,
): void {
  const notFound = close ? NOT_FOUND_CLOSE : NOT_FOUND;
  if (hook === undefined) {
    responses.respond(notFound, close);
    return;
  }
  const failed = (error: unknown): Buffer => {
    reportError(
      new WireError(
        `HTTP handler failed for ${request.method} ${quotePeerInput(request.path)}: ${(error as Error)?.message}`,
        'EHANDLER',
        undefined,
        { cause: error },
      ),
    );
    return SERVER_ERROR;
  };
  const keepAlive = request.version === '1.0' && !close;
  const omitBody = request.method === 'HEAD';
  const encode = (response: WireResponse | undefined): Buffer => {
    if (response === undefined || response === null) return notFound;
    try {
      return encodeResponse(response, keepAlive, close, omitBody);
    } catch (error) {
      return failed(error);
    }
  };
  let result: ReturnType<NonNullable<WireNodeHandlers['onHttpRequest']>>;
  try {
    result = hook(request);
  } catch (error) {
    responses.respond(failed(error), close);
    return;
  }
  if (!isPromiseLike(result)) {
    responses.respond(encode(result), close);
    return;
  }
  const slot = responses.reserve(close);
  const hold = retained.holdForRequest(requestBytes(request));
  hold.retain();
  result.then(
    (response) => {
      hold.release();
      responses.fill(slot, encode(response));
    },
    (error: unknown) => {
      hold.release();
      responses.fill(slot, failed(error));
    },
  );
}
