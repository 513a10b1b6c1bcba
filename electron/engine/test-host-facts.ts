// Host facts for unit tests: this project's machine kind (hybrid cgroups, delegated subtree, uidmap present).
import type { HostFacts } from './host-probe';

export function hybridHost(overrides: Partial<HostFacts> = {}): HostFacts {
  return {
    uid: 1001,
    gid: 1001,
    user: 'alice',
    home: '/home/alice',
    kernel: '6.18.0',
    bwrap: { path: '/usr/bin/bwrap', setuidRoot: false, version: '0.8.0' },
    unshare: { path: '/usr/bin/unshare', setuidRoot: false, mapAuto: true },
    nsenter: { path: '/usr/bin/nsenter', setuidRoot: false },
    newuidmap: { path: '/usr/bin/newuidmap', setuidRoot: true },
    newgidmap: { path: '/usr/bin/newgidmap', setuidRoot: true },
    subuid: { start: 100000, count: 65536 },
    subgid: { start: 100000, count: 65536 },
    userns: { maxUserNamespaces: 1000 },
    cgroups: {
      layout: 'hybrid',
      mounts: [
        { hierarchy: 'memory', mountPoint: '/sys/fs/cgroup/memory', root: '/' },
        { hierarchy: 'pids', mountPoint: '/sys/fs/cgroup/pids', root: '/' },
        { hierarchy: 'name=systemd', mountPoint: '/sys/fs/cgroup/systemd', root: '/' },
        { hierarchy: 'unified', mountPoint: '/sys/fs/cgroup/unified', root: '/' },
      ],
      links: [],
      unified: { hierarchy: 'unified', dir: '/sys/fs/cgroup/unified/user', writable: true, controllers: [] },
      systemd: { hierarchy: 'name=systemd', dir: '/sys/fs/cgroup/systemd/user', writable: true, controllers: [] },
    },
    network: { pasta: '/usr/bin/pasta', slirp4netns: '/usr/bin/slirp4netns', unprivilegedPortStart: 1024, online: true, ip: '/usr/sbin/ip' },
    ...overrides,
  };
}

export function unifiedHost(overrides: Partial<HostFacts> = {}): HostFacts {
  return hybridHost({
    cgroups: {
      layout: 'unified',
      mounts: [{ hierarchy: 'unified', mountPoint: '/sys/fs/cgroup', root: '/' }],
      links: [],
      unified: {
        hierarchy: 'unified',
        dir: '/sys/fs/cgroup/user.slice/user-1001.slice/user@1001.service/app.slice/burrow.scope',
        writable: true,
        controllers: ['memory', 'pids'],
      },
    },
    ...overrides,
  });
}
