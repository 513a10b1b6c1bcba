// Plain-text output for terminals.
import type { MachineStatus } from '../contract/machine-state';

export function describeStatus(s: MachineStatus): string {
  switch (s.state) {
    case 'exited':
      return `exited${s.exitCode !== undefined ? ` (${s.exitCode === 130 ? 'halted' : `exit ${s.exitCode}`})` : ''}`;
    case 'crashed':
      return `crashed${s.exitCode !== undefined ? ` (exit ${s.exitCode})` : ''}`;
    case 'degraded':
      return `degraded (${s.failedUnits?.length ?? 0} failed)`;
    case 'starting':
      return `starting${s.statusText ? `: ${s.statusText}` : ''}`;
    default:
      return s.state;
  }
}

export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  process.stdout.write([line(header), ...rows.map(line)].join('\n') + '\n');
}

export const out = (s: string): void => void process.stdout.write(s.endsWith('\n') ? s : s + '\n');
export const json = (v: unknown): void => out(JSON.stringify(v, null, 2));
export const jsonOption = { json: { type: 'boolean' as const, help: 'machine-readable output' } };
