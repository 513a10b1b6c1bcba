// The command that puts what follows into a user namespace with a given id map (idmap.ts).
//
// util-linux's unshare writes the maps Burrow used first (--map-auto --map-root-user) and the one file
// operations use (--map-root-user --map-users), but not a map with your own id in the middle of the
// subordinate range (2.38 keeps one --map-users, and --map-auto --map-user shifts the ids above yours).
// For that map a small shell step does what unshare does inside: a holder process makes the namespace,
// newuidmap and newgidmap (setuid, checked against /etc/subuid) write our lines into it, and nsenter
// enters it as root. The holder then exits; an fd keeps the namespace until nsenter has joined it.
import type { HostFacts } from './host-probe';
import type { IdMap } from './idmap';
import { mapArgs } from './idmap';

export interface UsernsTools {
  unshare: string;
  newuidmap?: string;
  newgidmap?: string;
  nsenter?: string;
}

/** This host's tools, as the probe found them. */
export const usernsTools = (host: HostFacts): UsernsTools => ({
  unshare: host.unshare?.path ?? 'unshare',
  newuidmap: host.newuidmap?.path,
  newgidmap: host.newgidmap?.path,
  nsenter: host.nsenter?.path,
});

/**
 * Arguments: unshare newuidmap newgidmap nsenter UIDLINES GIDLINES, then the command. Two FIFOs in a
 * private folder carry the holder's pid out and the go-ahead back in; a holder that cannot be made
 * says so instead of leaving the read waiting, and a dead parent ends its holder (end of file).
 */
export const HOLDER_SCRIPT = [
  'set -e',
  'd=$(mktemp -d "${TMPDIR:-/tmp}/burrow-userns.XXXXXX")',
  'mkfifo -m 600 "$d/up" "$d/go"',
  'exec 9<>"$d/go"',
  '{ "$1" --user -- /bin/sh -c \'echo $$; read _ <"$0"\' "$d/go" || echo failed; } >"$d/up" &',
  'read h <"$d/up"',
  'ok=',
  'case $h in ""|*[!0-9]*) ;; *) "$2" "$h" $5 && "$3" "$h" $6 && exec 8<"/proc/$h/ns/user" && ok=1 ;; esac',
  'echo >&9; wait; exec 9<&-; rm -rf "$d"',
  '[ -n "$ok" ] || { echo "burrow: the id map ($5 / $6) could not be set up: see burrow doctor" >&2; exit 1; }',
  'n=$4; shift 6',
  'exec "$n" --user=/proc/self/fd/8 -- /bin/sh -c \'exec 8<&-; exec "$@"\' burrow-userns "$@"',
].join('\n');

/**
 * The argv prefix that runs what follows as root of `map`'s user namespace; with `mount`, in a new mount
 * namespace of it too (for an overlay). A single-uid machine without a mount needs none: bwrap makes it.
 */
export function userNamespacePrefix(map: IdMap, tools: UsernsTools, opts: { mount?: boolean } = {}): string[] {
  const mount = opts.mount ? ['--mount'] : [];
  const unshare = tools.unshare;
  switch (map.kind) {
    case 'single':
      return opts.mount ? [unshare, '--user', '--map-root-user', ...mount, '--'] : [];
    case 'legacy':
      return [unshare, '--user', '--map-auto', '--map-root-user', ...mount, '--'];
    case 'tree': {
      const [u, g] = [map.uidLines[1]!, map.gidLines[1]!];
      return [unshare, '--user', '--map-root-user', `--map-users=${u.outside},1,${u.count}`, `--map-groups=${g.outside},1,${g.count}`, ...mount, '--'];
    }
    case 'user': {
      const [newuidmap, newgidmap, nsenter] = [tools.newuidmap ?? 'newuidmap', tools.newgidmap ?? 'newgidmap', tools.nsenter ?? 'nsenter'];
      const then = opts.mount ? [unshare, '--mount', '--'] : [];
      return ['/bin/sh', '-c', HOLDER_SCRIPT, 'burrow-userns', unshare, newuidmap, newgidmap, nsenter, mapArgs(map.uidLines), mapArgs(map.gidLines), ...then];
    }
  }
}
