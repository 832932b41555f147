import { isObservable, lastValueFrom, type Observable } from 'rxjs';

import { isPromiseLike } from '../wire/wire.utils.js';

const AsyncFunction = (async () => undefined).constructor;

/** True for an `async function` / `async` method (its awaits need the process' context). */
export function isAsyncFunction(fn: unknown): boolean {
  return fn instanceof AsyncFunction;
}

/** What a handler returned that its process has to wait for (promise or stream). */
export type Pending = PromiseLike<unknown> | Observable<unknown>;

/** The promise or stream a handler's result completes with, or undefined when it is done. */
export function pendingOf(result: unknown): Pending | undefined {
  if (result === null || typeof result !== 'object') return undefined;
  if (isPromiseLike(result) || isObservable(result)) return result;
  return undefined;
}

/** One promise for several pending results (the hooks of one event), failing with the first. */
export function whenAll(pending: Pending[]): Promise<unknown> {
  return Promise.all(
    pending.map((next) =>
      isPromiseLike(next)
        ? next
        : lastValueFrom(next, { defaultValue: undefined }),
    ),
  );
}
