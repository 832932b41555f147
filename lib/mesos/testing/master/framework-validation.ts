import type { FrameworkInfo } from '../../mesos.types.js';
import { frameworkRoles } from './framework-registry.js';

/**
 * The checks of src/master/validation.cpp (`validation::framework`) that SUBSCRIBE and
 * UPDATE_FRAMEWORK run against the FrameworkInfo the master already has, with its texts.
 */

/**
 * validateUpdate: principal, user and checkpoint cannot change (UPDATE_FRAMEWORK; a
 * re-subscription first runs {@link preserveImmutableFields}, so only a new principal fails).
 */
export function validateUpdate(
  old: FrameworkInfo,
  info: FrameworkInfo,
): string | undefined {
  if ((old.principal ?? undefined) !== (info.principal ?? undefined)) {
    return "Changing framework's principal is not allowed.";
  }
  if (info.user !== old.user) {
    return `Updating 'FrameworkInfo.user' is unsupported; attempted to update from '${old.user}' to '${info.user}'`;
  }
  if (Boolean(info.checkpoint) !== Boolean(old.checkpoint)) {
    return `Updating 'FrameworkInfo.checkpoint' is unsupported; attempted to update from '${Boolean(old.checkpoint)}' to '${Boolean(info.checkpoint)}'`;
  }
  return undefined;
}

/**
 * preserveImmutableFields: a re-subscription that changes `user` or `checkpoint` keeps the old
 * values, with master.cpp's warnings, instead of being refused.
 */
export function preserveImmutableFields(
  old: FrameworkInfo,
  info: FrameworkInfo,
): { info: FrameworkInfo; warnings: string[] } {
  const id = old.id?.value;
  const warnings: string[] = [];
  if (info.user !== old.user) {
    warnings.push(
      `Cannot update 'FrameworkInfo.user' to '${info.user}' for framework ${id}; see MESOS-703`,
    );
  }
  if (Boolean(info.checkpoint) !== Boolean(old.checkpoint)) {
    warnings.push(
      `Cannot update FrameworkInfo.checkpoint to '${Boolean(info.checkpoint)}' for framework ${id}; see MESOS-703`,
    );
  }
  return {
    info: { ...info, user: old.user, checkpoint: old.checkpoint },
    warnings,
  };
}

/**
 * validation::framework::validateSuppressedRoles (SUBSCRIBE and UPDATE_FRAMEWORK): a role can
 * only be suppressed if it is one of the framework's. The roles are listed as stout prints a
 * `std::set`: sorted, once each.
 */
export function suppressedRolesError(
  info: FrameworkInfo,
  suppressedRoles: readonly string[],
): string | undefined {
  const roles = new Set(frameworkRoles(info));
  const invalid = [...new Set(suppressedRoles)]
    .filter((role) => !roles.has(role))
    .sort();
  return invalid.length > 0
    ? `Suppressed roles { ${invalid.join(', ')} } are not contained in the set of roles`
    : undefined;
}
