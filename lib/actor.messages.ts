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
export const NEVER_LISTENED = (ids: string[], seconds: number) =>
  `${ids.length} process(es) (${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', ...' : ''}) exist but LibprocessServer was not started ${seconds} s after the application: nothing reaches them and their @OnInitialize() hooks do not run. Start it with NestFactory.createMicroservice(AppModule, { inject: [LibprocessServer], useFactory: (server) => ({ strategy: server }) }), or app.connectMicroservice(...) and app.startAllMicroservices().`;
export const IMPORTED_TWICE = (count: number) =>
  `ActorModule.forRoot()/forRootAsync() is imported ${count} times: each import makes its own node with its own options and processes, and only one of them is injected. Import it once (it is global).`;
export const BOUND_BEFORE_CONNECTED = () =>
  'LibprocessServer was connected to a microservice after its processes were bound (the application was initialized before connectMicroservice(), or with deferInitialization): mailboxes bound so far keep the global enhancers of the application. Call connectMicroservice() before app.init()/app.listen().';
