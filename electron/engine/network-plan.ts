// The machine's network, as data: which namespace it gets and, in nat mode, the user-mode network helper
// the supervisor runs once PID 1 exists (its pid is only known then: `{PID}` in the argv stands for it).
//
// - nat: own network namespace; pasta (package passt) gives it an interface, outbound access through the
//   host's sockets and the port forwards. slirp4netns is the fallback. The host's loopback stays out of
//   reach (pasta --no-map-gw -T none -U none, slirp4netns --disable-host-loopback).
// - isolated: own network namespace with loopback only.
// - host: the host's network; the machine's services bind the host's ports.
import { portHostAddress } from '../contract/describe';
import type { NetworkConfig, PortForward } from '../contract/profile';
import { suggestHostPort } from '../contract/plain';
import { BurrowError } from './errors';

export const PID_PLACEHOLDER = '{PID}';

const OFFLINE = 'the host has no network connection right now (no default route)';

export interface NetworkTools {
  pasta?: string;
  slirp4netns?: string;
  /** net.ipv4.ip_unprivileged_port_start: the lowest port an ordinary user may bind. */
  unprivilegedPortStart: number;
  /** The host has a default route (pasta needs one, slirp4netns does not). */
  online: boolean;
  /** iproute2's ip: the holder of a user network plugs machines into its bridge with it. */
  ip?: string;
}

export interface NetworkPlan {
  mode: NetworkConfig['mode'];
  /** Whether bwrap creates a network namespace. */
  unshare: boolean;
  ports: PortForward[];
  helper?: {
    tool: 'pasta' | 'slirp4netns';
    /** `{PID}` is replaced by PID 1's host pid. */
    argv: string[];
    /** slirp4netns: forwards are added through its API socket once it is ready. */
    apiSocket?: string;
  };
  warnings: string[];
}

function pastaArgv(pasta: string, ports: PortForward[]): string[] {
  const forwards = (protocol: 'tcp' | 'udp') => {
    const list = ports.filter((p) => p.protocol === protocol);
    // pasta forwards every port ("auto") unless told otherwise.
    const flag = protocol === 'tcp' ? '-t' : '-u';
    return list.length ? list.flatMap((p) => [flag, `${portHostAddress(p)}/${p.host}:${p.guest}`]) : [flag, 'none'];
  };
  return [
    pasta,
    '--config-net',
    '--quiet',
    '--foreground',
    ...forwards('tcp'),
    ...forwards('udp'),
    // Nothing from the host's own loopback is offered to the machine.
    '-T',
    'none',
    '-U',
    'none',
    '--no-map-gw',
    '--userns',
    `/proc/${PID_PLACEHOLDER}/ns/user`,
    '--netns',
    `/proc/${PID_PLACEHOLDER}/ns/net`,
  ];
}

function slirpArgv(slirp: string, apiSocket: string): string[] {
  return [
    slirp,
    '--configure',
    '--mtu=65520',
    '--disable-host-loopback',
    '--api-socket',
    apiSocket,
    '--ready-fd=3',
    '--exit-fd=4',
    '--userns-path',
    `/proc/${PID_PLACEHOLDER}/ns/user`,
    '--netns-type=path',
    `/proc/${PID_PLACEHOLDER}/ns/net`,
    'eth0',
  ];
}

export function planNetwork(config: NetworkConfig, tools: NetworkTools, runtimeDir: string): NetworkPlan {
  const warnings: string[] = [];
  for (const p of config.ports) {
    if (p.host < tools.unprivilegedPortStart) {
      throw new BurrowError(
        'invalid-input',
        `host port ${p.host} is below ${tools.unprivilegedPortStart}, the lowest port an ordinary user may bind on this host`,
        `forward a higher port instead, e.g. -p ${suggestHostPort(p.guest, [], tools.unprivilegedPortStart)}:${p.guest}`,
      );
    }
  }
  if (config.mode === 'host') {
    const low = `ports below ${tools.unprivilegedPortStart} cannot be bound (apache on :80 fails)`;
    warnings.push(`the machine shares the host's network: its services bind the host's ports directly, and ${low}.`);
    return { mode: 'host', unshare: false, ports: [], warnings };
  }
  if (config.mode === 'isolated') return { mode: 'isolated', unshare: true, ports: [], warnings };
  const pasta = { mode: 'nat' as const, unshare: true, ports: config.ports, warnings };
  if (tools.pasta && (tools.online || !tools.slirp4netns)) {
    if (!tools.online)
      warnings.push(`${OFFLINE}; pasta may refuse to start without one: install slirp4netns, which works offline, or choose --network isolated.`);
    return { ...pasta, helper: { tool: 'pasta', argv: pastaArgv(tools.pasta, config.ports) } };
  }
  if (tools.slirp4netns) {
    const apiSocket = `${runtimeDir}/slirp4netns.sock`;
    warnings.push(
      tools.pasta
        ? `${OFFLINE}, which pasta needs: using slirp4netns (forwards work; outbound access once the host is online).`
        : 'pasta (package passt) is not installed: using slirp4netns, which is slower.',
    );
    return {
      mode: 'nat',
      unshare: true,
      ports: config.ports,
      helper: { tool: 'slirp4netns', argv: slirpArgv(tools.slirp4netns, apiSocket), apiSocket },
      warnings,
    };
  }
  throw new BurrowError(
    'host-not-ready',
    'nat networking needs pasta (package passt) or slirp4netns, and neither is installed',
    'install one: sudo apt install passt, or choose --network isolated',
  );
}
