// A machine's launch plan on this host: the rootfs checked against the profile, the host probed, the
// plan built. Every path that shows or runs a machine (create, edit, start, `burrow command`, the
// wizard's review) plans through here.
import * as fs from 'node:fs';
import type { MachineProfile } from '../contract/profile';
import { probeHost, type HostFacts } from './host-probe';
import { buildLaunchPlan, resolveIdMap, type LaunchPlan } from './launch-plan';
import { overlayPaths } from './overlay';
import { bootLayers } from './snapshot-store';
import { machineRuntimeDir } from './paths';
import { validateRootfs, type RootfsInfo } from './rootfs';
import { runtimeFiles } from './runtime-state';

export interface PlanResult {
  plan: LaunchPlan;
  rootfs: RootfsInfo;
  host: HostFacts;
}

/** Validates the rootfs against the profile and builds the plan; throws a BurrowError a person can act on. */
export function planMachine(profile: MachineProfile, opts: { supervised?: boolean; host?: HostFacts } = {}): PlanResult {
  const host = opts.host ?? probeHost();
  const { map } = resolveIdMap(profile.idMapping, host);
  const rootfs = validateRootfs(profile.rootfs, map, profile.init);
  const runtimeDir = machineRuntimeDir(profile.name);
  const overlay = overlayPaths(profile.name, profile.storage, profile.rootfs, bootLayers(profile));
  const infoPath = opts.supervised ? runtimeFiles(profile.name).info : undefined;
  const plan = buildLaunchPlan({ profile, host, rootfs, runtimeDir, infoPath, overlay, realpath: realpathOrUndefined });
  return { plan, rootfs, host };
}

function realpathOrUndefined(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}
