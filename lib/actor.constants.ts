/**
 * Transport id of {@link LibprocessServer}. Pass it as the second argument of
 * `@EventPattern()` to bind a controller handler to libprocess only in a hybrid app.
 *
 * @publicApi
 */
export const LIBPROCESS_TRANSPORT = Symbol('LIBPROCESS_TRANSPORT');

export const PROCESS_METADATA = 'libprocess:process';
export const MAILBOX_METADATA = 'libprocess:mailbox';
export const ON_EXITED_METADATA = 'libprocess:on_exited';
export const ON_LINKED_METADATA = 'libprocess:on_linked';
export const ON_INITIALIZE_METADATA = 'libprocess:on_initialize';
export const ROUTE_METADATA = 'libprocess:route';

/** Milliseconds `ask()` waits for the reply when no `timeoutMs` is given. */
export const DEFAULT_ASK_TIMEOUT = 10_000;
