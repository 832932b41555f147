import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (`getconf CLK_TCK`, 100 on Linux). */
const TICKS_PER_SECOND = (() => {
  try {
    return (
      Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100
    );
  } catch {
    return 100;
  }
})();

/** Fields of /proc/<pid>/stat after `(comm)`, so that index k is field k + 3 of proc(5). */
function statFields(pid: number | 'self'): number[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text
      .slice(text.lastIndexOf(') ') + 2)
      .split(' ')
      .map(Number);
  } catch {
    // Not Linux, or the process is gone.
    return undefined;
  }
}

/**
 * CPU seconds (user + system, every thread) a running process has used so far, from
 * /proc/<pid>/stat; undefined where /proc is not available.
 */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  const fields = statFields(pid);
  // utime and stime are fields 14 and 15.
  return fields && (fields[11] + fields[12]) / TICKS_PER_SECOND;
}

/**
 * CPU seconds of this process' children that have exited and been reaped (cutime + cstime,
 * fields 16 and 17). The difference across one awaited child run is that child's whole CPU
 * time, whatever language it is written in, without instrumenting it.
 */
export function reapedChildrenCpuSeconds(): number | undefined {
  const fields = statFields('self');
  return fields && (fields[13] + fields[14]) / TICKS_PER_SECOND;
}
