import type { Upid } from './wire/upid.js';

export const DUPLICATE_MAILBOX = (processId: string, name: string) =>
  `Process "${processId}" declares the mailbox "${name}" more than once. A message name can have only one handler per process.`;
export const DUPLICATE_ROUTE = (processId: string, path: string) =>
  `Process "${processId}" declares the route "${path}" more than once.`;
export const DUPLICATE_PROCESS = (processId: string) =>
  `A process with the id "${processId}" already exists on this node. Process ids must be unique per node.`;
export const UNKNOWN_PROTOBUF_TYPE = (
  type: string,
  processId: string,
  method: string,
) =>
  `@ProtobufMailbox("${type}") on ${processId}.${method}: the type is not in the protobuf root. Load its .proto file with ActorModule.forRoot({ protobuf: { files } }) or pass a protobufjs Type.`;
export const NON_STATIC_PROCESS = (className: string) =>
  `Cannot register "${className}" as a libprocess process because it is request-scoped or transient (or depends on such a provider). It was skipped; processes must be singletons.`;
export const PROCESS_NOT_FOUND = (pid: string) =>
  `No process "${pid}" on this node.`;
export const NOT_A_PROCESS = (what: string) =>
  `${what} is not a libprocess process of this node (decorate its class with @Process() and register it as a provider, or spawn() it).`;
export const ALREADY_A_PROCESS = (pid: string) =>
  `This instance is already the process "${pid}"; an instance can be spawned only once.`;
export const NOT_LISTENING = (action: string) =>
  `Cannot ${action} before the libprocess server listens (processes get their pid from its address). Do it in an @OnInitialize() hook or after app.listen().`;
export const SENDER_REQUIRED = () =>
  'No sender: ActorRef calls outside the synchronous part of a process handler (e.g. after an await, or outside any process) must pass { from: this } or { from: <Upid> }.';
export const NO_SUCH_METHOD = (pid: string, method: string) =>
  `Process "${pid}" has no method "${method}".`;
export const HANDLER_FAILED = (
  pid: Upid | string,
  what: string,
  from: Upid | string | undefined,
) =>
  `Process "${pid}" failed in ${what}${from ? ` (message from "${from}")` : ''}`;
export const UNKNOWN_MAILBOX = (pid: Upid | string, name: string, from: Upid) =>
  `Process "${pid}" has no mailbox "${name}"; dropped the message from "${from}"`;
export const UNDECODABLE_PROTOBUF = (
  pid: Upid | string,
  name: string,
  from: Upid,
  reason: string,
) =>
  `Process "${pid}" dropped "${name}" from "${from}": the body is not a valid protobuf message (${reason})`;
export const DROPPED_ON_SHUTDOWN = (count: number, ms: number) =>
  `Dropped ${count} queued message(s) that did not run within the shutdown grace period of ${ms} ms`;
export const DUPLICATE_DELAY = (name: string) =>
  `A delay named "${name}" already exists.`;
export const NO_DELAY_FOUND = (name: string) =>
  `No delay named "${name}" was found.`;
export const NOT_INITIALIZED = () =>
  'Not initialized. Please call the "listen"/"startAllMicroservices" method before accessing the server.';
export const REQUEST_RESPONSE_UNSUPPORTED = () =>
  'libprocess is one-way: LibprocessClient.send() (request-response) is not supported. Use emit(), or ActorRef.ask(to, name, body, { reply }) to await a reply message.';
export const INVALID_CLIENT_PATTERN = (pattern: unknown) =>
  `Invalid libprocess pattern ${JSON.stringify(pattern)}: use "<id>@<host>:<port>/<name>" or { to, name }.`;
