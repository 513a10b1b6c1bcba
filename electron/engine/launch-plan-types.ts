// The launch plan's data shapes, shared by the planner, the supervisor, the CLI and the window.
import type { Limits } from '../contract/profile';
import type { RiskyChoice } from '../contract/risks';
import type { MachineCgroupDir } from './cgroup-plan';
import type { CgroupPresentation, CgroupLayout } from './cgroups';
import type { NetworkPlan } from './network-plan';
import type { LimitWrite } from './resource-limits';
import type { UserNetworkPlan } from './user-network';

export interface PlannedMount {
  type: 'bind' | 'ro-bind' | 'dev-bind' | 'tmpfs' | 'proc' | 'dev' | 'mqueue' | 'dir' | 'symlink' | 'remount-ro';
  source?: string;
  target?: string;
  dest: string;
  options?: string;
  /** Who asked for it: the image itself, the profile (its mounts, shares, display), the cgroup presentation or Burrow's runtime. */
  origin: 'rootfs' | 'profile' | 'share' | 'display' | 'cgroup' | 'runtime';
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
    dirs: MachineCgroupDir[];
    /** The unit of the user's systemd the machine runs in (burrow-NAME.service), where there is a user manager. */
    unit?: string;
  };
  /** `user`: the guest user who is you (machines with a share user); root is you where absent. */
  idMapping: { mode: 'auto' | 'single'; description: string; user?: { uid: number; gid: number; name?: string } };
  /** The display switch: what this session had to pass, and what it lacked. */
  display?: { passed: string[]; missing: string[] };
  network: Pick<NetworkPlan, 'mode' | 'ports' | 'helper'> & {
    /** The FIFO PID 1 waits on (bwrap --block-fd 4) until the helper has configured the network. */
    blockFifo?: string;
    /** The user network it joins: other machines on it reach it by name (user-network.ts). */
    userNetwork?: UserNetworkPlan;
  };
  limits: {
    requested: Limits;
    /** What the supervisor writes to the machine's cgroup v2 directory before PID 1 starts. */
    writes: LimitWrite[];
    /** Why they cannot be applied on this host, if so (the machine boots without them). */
    unavailable?: string;
  };
  storage: {
    mode: 'direct' | 'persistent' | 'ephemeral';
    overlay?: { lower: string; layers?: string[]; dir: string; upper: string; work: string; merged: string };
  };
  /** The host folder bound at /run/host: readiness socket and container-manager file. */
  hostDir: string;
  notifySocket: string;
  systemdVersion?: number;
  distro?: string;
  warnings: string[];
  /** Choices that hand the machine your identity (writable home, keys, sockets, devices, host network). */
  risks: RiskyChoice[];
}
