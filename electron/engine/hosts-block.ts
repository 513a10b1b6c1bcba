// Names on a user network: a block of the machine's own /etc/hosts that lists the network's members, kept
// current by the machine's supervisor as machines come and go. glibc (and musl) read /etc/hosts on every
// lookup, so `getent hosts web` and `curl http://web/` work at once, with no resolver to configure and no
// DNS server to run. The rest of the file stays the guest's own: its lines are kept, only the block between
// the markers is replaced. The file is rewritten from inside the machine, by its own root in its own
// namespaces (exec.ts), so a link the guest planted at /etc/hosts leads nowhere outside the machine.
import type { ExecTarget } from './exec';
import type { HostsEntry } from './user-network-protocol';

const BEGIN = '# BEGIN burrow network';
const END = '# END burrow network';

/** The block: each member's address, its name and NAME.burrow (the name ssh uses from the host). */
export function hostsBlock(network: string, entries: HostsEntry[]): string {
  const lines = [...entries].sort((a, b) => a[0].localeCompare(b[0])).map(([name, address]) => `${address}\t${name} ${name}.burrow`);
  return [`${BEGIN} ${network}: kept by Burrow while the machine runs; edits inside the block are replaced`, ...lines, END, ''].join('\n');
}

/**
 * Run by the guest's /bin/sh with the block as $1 (and, in tests, another file as $2): the file without any earlier block, then the new one,
 * written beside it and renamed over it (a reader never sees half a file). Through a link it writes in
 * place. Only sh builtins and coreutils' mv, chmod, cat and rm.
 */
export const HOSTS_SCRIPT = [
  'f=${2:-/etc/hosts}; new="${f%/*}/.hosts.burrow.$$"; skip=0',
  '{ if [ -f "$f" ]; then while IFS= read -r line || [ -n "$line" ]; do',
  `    case "$line" in "${BEGIN}"*) skip=1; continue;; "${END}"*) skip=0; continue;; esac`,
  '    [ "$skip" = 1 ] || printf "%s\\n" "$line"',
  '  done < "$f"; fi; printf "%s" "$1"; } > "$new" && chmod 644 "$new" || { rm -f "$new"; exit 1; }',
  'if [ -L "$f" ]; then cat "$new" > "$f"; rm -f "$new"; else mv -f "$new" "$f"; fi',
].join('\n');

export type RunInMachine = (target: ExecTarget, command: string[], timeoutMs: number) => Promise<{ code: number; stderr: string }>;

/**
 * Writes the latest block into one machine, one write at a time: a change that arrives while a write runs
 * is written after it (only the newest), so a burst of starts costs at most two writes per machine.
 */
export class HostsWriter {
  private latest?: string;
  private running = false;
  private disposed = false;

  constructor(
    private readonly target: ExecTarget,
    private readonly network: string,
    private readonly run: RunInMachine,
    private readonly onFailure: (why: string) => void,
  ) {}

  update(entries: HostsEntry[]): Promise<void> {
    this.latest = hostsBlock(this.network, entries);
    return this.drain();
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.latest !== undefined && !this.disposed) {
        const block = this.latest;
        this.latest = undefined;
        const r = await this.run(this.target, ['/bin/sh', '-c', HOSTS_SCRIPT, 'burrow-hosts', block], 5000);
        if (r.code !== 0 && !this.disposed) this.onFailure(`its /etc/hosts could not be updated (${r.stderr.trim().split('\n')[0] || `exit ${r.code}`})`);
      }
    } finally {
      this.running = false;
    }
  }

  dispose(): void {
    this.disposed = true;
  }
}
