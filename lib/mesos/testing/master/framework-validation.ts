import type { FrameworkInfo } from '../../mesos.types.js';
import { frameworkRoles, hasCapability } from './framework-registry.js';

/**
 * The checks of src/master/validation.cpp (`validation::framework`, roles::validate) that
 * SUBSCRIBE and UPDATE_FRAMEWORK run on a FrameworkInfo and against the one the master already
 * has, with master.cpp's texts.
 */

/** Characters a role component must not contain (src/common/roles.cpp). */
const INVALID_ROLE_CHARACTERS = '\t\n\v\f\r \x7f';
/** iscntrl. */
const isControl = (c: string) => c < ' ' || c === '\x7f';
/** NAME_MAX: ids become directory names. */
const MAX_ID_LENGTH = 255;

/** roles::validate. */
export function roleError(role: string): string | undefined {
  if (role === '*') return undefined;
  if (role.startsWith('/')) return `Role '${role}' cannot start with a slash`;
  if (role.endsWith('/')) return `Role '${role}' cannot end with a slash`;
  if (role.includes('//')) {
    return `Role '${role}' cannot contain two adjacent slashes`;
  }
  const components = role.split('/').filter(Boolean);
  if (components.length === 0) return 'Role names cannot be the empty string';
  for (const component of components) {
    if (component === '.' || component === '..' || component === '*') {
      return `Role '${role}' cannot include '${component}' as a component`;
    }
    if (component.startsWith('-')) {
      return `Role component '${component}' is invalid because it starts with a dash`;
    }
    if ([...component].some((c) => INVALID_ROLE_CHARACTERS.includes(c))) {
      return `Role component '${component}' is invalid because it contains backspace or whitespace`;
    }
  }
  return undefined;
}

/** common::validation::validateID (a framework id given to SUBSCRIBE). */
function idError(id: string): string | undefined {
  if (id.length > MAX_ID_LENGTH) {
    return `ID must not be greater than ${MAX_ID_LENGTH} characters`;
  }
  if (id === '.' || id === '..') return `'${id}' is disallowed`;
  if ([...id].some((c) => isControl(c) || c === '/' || c === '\\')) {
    return `'${id}' contains invalid characters`;
  }
  return undefined;
}

/** A double as `std::ostream` prints it (`%g`: 6 significant digits). */
function printDouble(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const trim = (digits: string) =>
    digits.includes('.') ? digits.replace(/\.?0+$/, '') : digits;
  const [mantissa, exponent] = x.toExponential(5).split('e');
  const e = Number(exponent);
  if (e < -4 || e >= 6) {
    return `${trim(mantissa)}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  return trim(x.toFixed(5 - e));
}

/**
 * validation::framework::validate, as Master::validateFramework runs it on SUBSCRIBE and
 * UPDATE_FRAMEWORK: `role` or `roles` as the MULTI_ROLE capability says, no duplicate, valid
 * names; a valid framework id; a failover timeout that fits a Duration (any other double,
 * negative or NaN included, passes). Offer filters and the `--roles` whitelist are not checked.
 */
export function validateFramework(info: FrameworkInfo): string | undefined {
  const multiRole = hasCapability(info, 'MULTI_ROLE');
  const roles = info.roles ?? [];
  if (multiRole && info.role !== undefined) {
    return "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable";
  }
  if (!multiRole && roles.length > 0) {
    return "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable";
  }
  if (multiRole) {
    const duplicates = [
      ...new Set(roles.filter((role, i) => roles.indexOf(role) !== i)),
    ];
    if (duplicates.length > 0) {
      return `'FrameworkInfo.roles' contains duplicate items: { ${duplicates.join(', ')} }`;
    }
    for (const role of roles) {
      const error = roleError(role);
      if (error) return `'FrameworkInfo.roles' contains invalid role: ${error}`;
    }
  } else {
    const error = roleError(info.role ?? '*');
    if (error) return `'FrameworkInfo.role' is not a valid role: ${error}`;
  }
  const id = info.id?.value;
  const invalidId = id ? idError(id) : undefined;
  if (invalidId) return invalidId;
  // Duration::create: the nanoseconds must fit an int64.
  const timeout = info.failover_timeout ?? 0;
  if (Math.abs(timeout * 1e9) > 2 ** 63) {
    return `The framework failover_timeout (${printDouble(timeout)}) is invalid`;
  }
  return undefined;
}

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
