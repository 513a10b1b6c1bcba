// Quantities as people read them, shared by the CLI and the window.

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/** CPU time in microseconds as seconds with one decimal: `12.3 s`. */
export const formatCpuTime = (usec: number): string => `${(usec / 1e6).toFixed(1)} s`;
