import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/paths.js';

/** What a developer runs to install Mesos (printed when it is missing). */
export const MESOS_SETUP_HINT =
  'bash ../shared/mesos/setup.sh && . ~/.cache/mesos-1.12.0/env.sh';

/** The same for ZooKeeper: zk.sh installs its packages on first start. */
export const ZOOKEEPER_SETUP_HINT =
  'bash ../shared/mesos/zk.sh start --data-dir /tmp/zk && bash ../shared/mesos/zk.sh stop --data-dir /tmp/zk';

/** Where the binaries and the scripts of ../shared/mesos are. */
export interface MesosInstall {
  home: string;
  masterBin: string;
  agentBin: string;
  clusterSh: string;
  zkSh: string;
}

export type Lookup<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * The env file setup.sh writes, so that a developer who ran setup.sh once does not have to
 * source env.sh in every shell. Explicit environment variables win.
 */
function envFile(home: string): Record<string, string> {
  try {
    return JSON.parse(readFileSync(join(home, 'env.json'), 'utf8')) as Record<
      string,
      string
    >;
  } catch {
    return {};
  }
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where ../shared/mesos/setup.sh puts Mesos and where its scripts are: explicit environment
 * variables, then setup.sh's env file, then the defaults. Nothing is checked here.
 */
export function mesosInstall(): MesosInstall {
  const home =
    process.env.MESOS_HOME ?? join(homedir(), '.cache', 'mesos-1.12.0');
  const file = envFile(home);
  const shared = join(REPO_ROOT, '..', 'shared', 'mesos');
  const pick = (key: string, fallback: string) =>
    process.env[key] || file[key] || fallback;
  return {
    home,
    masterBin: join(home, 'sbin', 'mesos-master'),
    agentBin: join(home, 'sbin', 'mesos-agent'),
    clusterSh: pick('MESOS_CLUSTER_SH', join(shared, 'cluster.sh')),
    zkSh: pick('MESOS_ZK_SH', join(shared, 'zk.sh')),
  };
}

/** Finds the Mesos installation of ../shared/mesos/setup.sh and checks that it can run. */
export function lookupMesos(): Lookup<MesosInstall> {
  const install = mesosInstall();
  for (const binary of [install.masterBin, install.agentBin]) {
    if (!executable(binary)) {
      return {
        ok: false,
        reason: `no Mesos binary ${binary} (MESOS_HOME=${install.home})`,
      };
    }
  }
  if (!existsSync(install.clusterSh)) {
    return { ok: false, reason: `no cluster.sh at ${install.clusterSh}` };
  }
  return { ok: true, value: install };
}

/** ZooKeeper as zk.sh runs it: Debian's jar and a java. */
export function lookupZooKeeper(install: MesosInstall): Lookup<string> {
  if (!existsSync(install.zkSh)) {
    return { ok: false, reason: `no zk.sh at ${install.zkSh}` };
  }
  const java = process.env.ZK_JAVA || '/usr/bin/java';
  if (!existsSync('/usr/share/java/zookeeper.jar') || !executable(java)) {
    return {
      ok: false,
      reason: `ZooKeeper is not installed (/usr/share/java/zookeeper.jar, ${java})`,
    };
  }
  return { ok: true, value: install.zkSh };
}
