import { describe, expect, it } from '@jest/globals';
import type { FrameworkInfo } from '../../../lib/mesos/index.js';
import {
  roleError,
  validateFramework,
} from '../../../lib/mesos/testing/master/framework-validation.js';

const info = (fields: Partial<FrameworkInfo>) =>
  ({ user: 'u', name: 'n', ...fields }) as FrameworkInfo;

describe('validation::framework (SUBSCRIBE, UPDATE_FRAMEWORK)', () => {
  it('validates role names as roles::validate', () => {
    expect(
      [
        '*',
        'web',
        'a/b',
        '/a',
        'a/',
        'a//b',
        'a/./b',
        'a/*',
        '',
        'a b',
        '-a',
      ].map(roleError),
    ).toEqual([
      undefined,
      undefined,
      undefined,
      "Role '/a' cannot start with a slash",
      "Role 'a/' cannot end with a slash",
      "Role 'a//b' cannot contain two adjacent slashes",
      "Role 'a/./b' cannot include '.' as a component",
      "Role 'a/*' cannot include '*' as a component",
      'Role names cannot be the empty string',
      "Role component 'a b' is invalid because it contains backspace or whitespace",
      "Role component '-a' is invalid because it starts with a dash",
    ]);
  });

  it('refuses a failover timeout that does not fit a Duration, printed as a C++ stream prints a double', () => {
    const timeout = (failover_timeout: number) =>
      validateFramework(info({ failover_timeout }));
    expect([Infinity, 9.3e9, -1e12, 1e300].map(timeout)).toEqual([
      'The framework failover_timeout (inf) is invalid',
      'The framework failover_timeout (9.3e+09) is invalid',
      'The framework failover_timeout (-1e+12) is invalid',
      'The framework failover_timeout (1e+300) is invalid',
    ]);
    // Duration::create takes any double that fits, negative and NaN included.
    expect([9e9, -5, NaN, 0].map(timeout)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('validates the framework id of a re-subscription', () => {
    const id = (value: string) => validateFramework(info({ id: { value } }));
    expect(['M-0000', '..', 'a\tb', 'a\\b', 'x'.repeat(256)].map(id)).toEqual([
      undefined,
      "'..' is disallowed",
      "'a\tb' contains invalid characters",
      "'a\\b' contains invalid characters",
      'ID must not be greater than 255 characters',
    ]);
  });
});
