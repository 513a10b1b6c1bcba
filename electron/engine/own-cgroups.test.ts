import { describe, expect, it } from 'vitest';
import { expectedCgroupDirs, isOwnMachineCgroup } from './own-cgroups';

const facts = {
  unified: { hierarchy: 'unified' as const, dir: '/sys/fs/cgroup/unified/user.slice/user-1000.slice/app.scope', writable: true, controllers: [] },
  systemd: { hierarchy: 'name=systemd' as const, dir: '/sys/fs/cgroup/systemd/user.slice/user-1000.slice/app.scope', writable: true, controllers: [] },
};
const id = '0123456789abcdef0123456789abcdef';

describe("a machine's own cgroups", () => {
  it('are its name under each delegated cgroup', () => {
    expect(expectedCgroupDirs('web', id, facts)).toEqual([
      '/sys/fs/cgroup/systemd/user.slice/user-1000.slice/app.scope/burrow-web-01234567',
      '/sys/fs/cgroup/unified/user.slice/user-1000.slice/app.scope/burrow-web-01234567',
    ]);
    expect(expectedCgroupDirs('web', id, { unified: facts.unified })).toEqual([
      '/sys/fs/cgroup/unified/user.slice/user-1000.slice/app.scope/burrow-web-01234567',
    ]);
  });

  it.each([
    ['the machine', `${facts.unified.dir}/burrow-web-01234567`, true],
    ['the user session', '/sys/fs/cgroup/unified/user.slice/user-1000.slice/session-2.scope', false],
    ['the delegated parent', facts.unified.dir, false],
    ['a child of the machine', `${facts.unified.dir}/burrow-web-01234567/init.scope`, false],
    ['a way out by ..', `${facts.unified.dir}/burrow-web-01234567/../../session-2.scope`, false],
    ['another machine', `${facts.unified.dir}/burrow-db-01234567`, false],
    ['the same name under another configuration', `${facts.unified.dir}/burrow-web-ffffffff`, false],
    ['a folder that merely looks like it', `/tmp/x/burrow-web-01234567`, false],
    ['not text', 42, false],
  ])('tell %s apart', (_label, dir, own) => {
    expect(isOwnMachineCgroup(dir, 'web', id, facts)).toBe(own);
  });
});

describe("a machine's own cgroups in other layouts", () => {
  const unit = '/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/burrow-web.service';
  const asUnit = { unified: { hierarchy: 'unified' as const, dir: `${unit}/supervisor`, writable: true, controllers: [] } };
  it("is the unit's own cgroup when the supervisor runs as burrow-NAME.service", () => {
    expect(expectedCgroupDirs('web', id, asUnit)).toEqual([unit]);
    expect(isOwnMachineCgroup(unit, 'web', id, asUnit)).toBe(true);
    expect(isOwnMachineCgroup(unit.replace('burrow-web', 'burrow-db'), 'web', id, asUnit)).toBe(false);
    // Another machine's supervisor leaf does not make this machine's unit.
    expect(expectedCgroupDirs('db', id, asUnit)).toEqual([`${unit}/supervisor/burrow-db-01234567`]);
  });

  it("sits beside the leaf that limits moved the delegated cgroup's processes into", () => {
    const moved = { unified: { hierarchy: 'unified' as const, dir: '/sys/fs/cgroup/burrow-ci/burrow-host', writable: true, controllers: [] } };
    expect(expectedCgroupDirs('web', id, moved)).toEqual(['/sys/fs/cgroup/burrow-ci/burrow-web-01234567']);
  });
});
