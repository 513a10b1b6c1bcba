// The launch plan's data shapes, shared by the planner, the supervisor, the CLI and the window.
import type { CgroupPresentation, CgroupLayout } from './cgroups';

export interface PlannedMount {
  type: 'bind' | 'ro-bind' | 'dev-bind' | 'tmpfs' | 'proc' | 'dev' | 'mqueue' | 'dir' | 'symlink' | 'remount-ro';
  source?: string;
  target?: string;
  dest: string;
  options?: string;
  /** Who asked for it: the image itself, the profile, the cgroup presentation or Burrow's runtime. */
  origin: 'rootfs' | 'profile' | 'cgroup' | 'runtime';
  note?: string;
  /** The bwrap operation, when it carries more than the fields above show (tmpfs size and mode). */
  args?: string[];
}

export interface LaunchPlan {
  machine: string;
  /** The full argv: cgroup join and runtime dir, user namespace, bwrap with its options, init. */
  argv: string[];
  /** Where bwrap's own options start and end in argv (for display). */
  bwrapIndex: number;
  initArgv: string[];
  mounts: PlannedMount[];
  cgroup: {
    presentation: CgroupPresentation;
    reason: string;
    hostLayout: CgroupLayout;
    dirs: { hierarchy: 'unified' | 'name=systemd'; hostDir: string }[];
  };
  idMapping: { mode: 'auto' | 'single'; description: string };
  /** The host folder bound at /run/host: readiness socket and container-manager file. */
  hostDir: string;
  notifySocket: string;
  systemdVersion?: number;
  distro?: string;
  warnings: string[];
}
