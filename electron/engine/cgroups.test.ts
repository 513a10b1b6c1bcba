import { describe, expect, it } from 'vitest';
import { detectLayout, parseCgroupMounts, parseProcCgroup } from './cgroups';

// Lines read from this project's build machine (hybrid) and from an Ubuntu 24.04 host (unified).
const HYBRID = [
  '30 29 0:26 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '31 30 0:27 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
  '32 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct',
  '33 30 0:29 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd',
  '34 30 0:30 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate',
].join('\n');
const UNIFIED = '35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot';

describe('cgroup layout', () => {
  it('reads hierarchies from mountinfo and tells hybrid from unified', () => {
    const mounts = parseCgroupMounts(HYBRID);
    expect(mounts.map((m) => m.hierarchy)).toEqual(['memory', 'cpu,cpuacct', 'name=systemd', 'unified']);
    expect(detectLayout(mounts)).toBe('hybrid');
    expect(detectLayout(parseCgroupMounts(UNIFIED))).toBe('unified');
    expect(detectLayout(parseCgroupMounts(HYBRID.split('\n').slice(0, 4).join('\n')))).toBe('legacy');
    expect(detectLayout([])).toBe('none');
  });

  it('reads the process cgroup per hierarchy', () => {
    const own = parseProcCgroup('9:name=systemd:/user/burrow\n4:memory:/process_api/x\n0::/user/burrow\n');
    expect(own.get('unified')).toBe('/user/burrow');
    expect(own.get('name=systemd')).toBe('/user/burrow');
    expect(own.get('memory')).toBe('/process_api/x');
  });
});
