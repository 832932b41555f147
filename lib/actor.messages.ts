/** Log lines and error texts of the Nest layer (the errors in `errors/` carry their own). */
export const NON_STATIC_PROCESS = (className: string) =>
  `Cannot register "${className}" as a libprocess process because it is request-scoped or transient (or depends on such a provider). It was skipped; processes must be singletons.`;
export const DUPLICATE_DELAY = (name: string) =>
  `A delay named "${name}" already exists.`;
export const NO_DELAY_FOUND = (name: string) =>
  `No delay named "${name}" was found.`;
export const NOT_INITIALIZED = () =>
  'Not initialized. Please call the "listen"/"startAllMicroservices" method before accessing the server.';
export const INVALID_CLIENT_PATTERN = (pattern: unknown) =>
  `Invalid libprocess pattern ${JSON.stringify(pattern)}: use "<id>@<host>:<port>/<name>" or { to, name }.`;
export const IGNORED_PATTERN = (pattern: string) =>
  `Ignored the handler of pattern "${pattern}": libprocess patterns are "<process id>/<message name>".`;
export const MESSAGE_PATTERN_ONE_WAY = () =>
  '@MessagePattern handlers get no reply path on libprocess (messages are one-way); their results are dropped.';
