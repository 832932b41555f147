import type { ProcessRecord } from './process-record.js';

/**
 * Links between two processes of this node (links to remote processes are the wire's):
 * each record knows whom it linked to (`linkTargets`) and who linked to it (`linkers`), so
 * that removing a process finds the processes to tell in one step. Pure bookkeeping; the
 * caller sends the `linked` / `exited` notifications.
 */

/** Links `linker` to `target`; false when it already was. */
export function addLocalLink(
  linker: ProcessRecord,
  target: ProcessRecord,
): boolean {
  if (linker.linkTargets?.has(target)) return false;
  (linker.linkTargets ??= new Set()).add(target);
  (target.linkers ??= new Set()).add(linker);
  return true;
}

/** Removes the link of `linker` to `target`; false when there was none. */
export function removeLocalLink(
  linker: ProcessRecord,
  target: ProcessRecord,
): boolean {
  if (linker.linkTargets?.delete(target) !== true) return false;
  target.linkers?.delete(linker);
  return true;
}

/** The local processes `linker` is linked to. */
export function localLinkTargets(linker: ProcessRecord): ProcessRecord[] {
  return linker.linkTargets === null ? [] : [...linker.linkTargets];
}

/**
 * Removes every local link from and to a process that goes away; returns the processes
 * that were linked to it (each gets one `exited`).
 */
export function detachLocalLinks(record: ProcessRecord): ProcessRecord[] {
  if (record.linkTargets !== null) {
    for (const target of record.linkTargets) target.linkers?.delete(record);
    record.linkTargets = null;
  }
  if (record.linkers === null) return [];
  const linkers = [...record.linkers];
  record.linkers = null;
  for (const linker of linkers) linker.linkTargets?.delete(record);
  return linkers;
}
