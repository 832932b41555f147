import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A task command that runs until the test releases it, for tasks that must outlive a scheduler
 * or master restart. A fixed `sleep N` had to guess how long the restart takes: too short and
 * the task ends before the scenario it is there for, too long and every run waits it out.
 *
 * The release is a file in `dir` (a cluster's work dir, removed with it; tasks run as the
 * test's user, with `--no-switch_user`). The command gives up after `maxSeconds` and then exits
 * 1, so a test that never releases its tasks sees them fail, and none is left behind.
 */
export class TaskRelease {
  private readonly file: string;

  constructor(dir: string, name = 'release') {
    this.file = join(dir, `${name}.task-release`);
  }

  /** The shell command of a task that exits 0 once released. */
  command(maxSeconds = 120): string {
    const polls = maxSeconds * 5;
    return `i=0; while [ ! -e '${this.file}' ] && [ $i -lt ${polls} ]; do sleep 0.2; i=$((i+1)); done; [ -e '${this.file}' ]`;
  }

  /** Lets every task running {@link command} exit 0 (within 0.2 s). */
  release(): void {
    writeFileSync(this.file, '');
  }
}
