// A machine's launch plan on this host: the rootfs checked against the profile, the host probed, the
// plan built. Every path that shows or runs a machine (create, edit, start, `burrow command`, the
// wizard's review) plans through here.
import * as fs from 'node:fs';
import type { MachineProfile } from '../contract/profile';
import { probeDisplay } from './display-plan';
import { probeHost, type HostFacts } from './host-probe';
import { buildLaunchPlan, resolveIdMap, type LaunchPlan } from './launch-plan';
import { overlayPaths } from './overlay';
import { bootLayers } from './snapshot-store';
import { machineRuntimeDir } from './paths';
import { validateRootfs, type RootfsInfo } from './rootfs';
import { runtimeFiles } from './runtime-state';
import { checkShares } from './share-plan';
import { settleShareUser } from './share-user';

export interface PlanResult {
  plan: LaunchPlan;
  rootfs: RootfsInfo;
  host: HostFacts;
  /** The profile as planned: its share user settled (share-user.ts), which create and edit then save. */
  profile: MachineProfile;
}

/**
 * Validates the rootfs against the profile and builds the plan; throws a BurrowError a person can act on.
 * `before`: the saved profile, when an edit is planned (a machine's share user stays what it was).
 */
export function planMachine(given: MachineProfile, opts: { supervised?: boolean; host?: HostFacts; before?: MachineProfile } = {}): PlanResult {
  const host = opts.host ?? probeHost();
  const profile = settleShareUser(given, host, opts.before);
  const { map } = resolveIdMap(profile.idMapping, host, profile.shareUser);
  const rootfs = validateRootfs(profile.rootfs, map, profile.init);
  const shareWarnings = checkShares(profile.shares, host.uid);
  const runtimeDir = machineRuntimeDir(profile.name);
  const overlay = overlayPaths(profile.name, profile.storage, profile.rootfs, bootLayers(profile));
  const infoPath = opts.supervised ? runtimeFiles(profile.name).info : undefined;
  const display = profile.display ? probeDisplay() : undefined;
  const plan = buildLaunchPlan({ profile, host, rootfs, runtimeDir, infoPath, overlay, realpath: realpathOrUndefined, display });
  plan.warnings.push(...shareWarnings);
  return { plan, rootfs, host, profile };
}

function realpathOrUndefined(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}
