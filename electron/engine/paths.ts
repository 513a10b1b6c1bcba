// Where Burrow keeps things, following the XDG base directory spec.
import * as os from 'node:os';
import * as path from 'node:path';

function xdg(variable: string, fallback: string): string {
  const value = process.env[variable];
  return value && path.isAbsolute(value) ? value : path.join(os.homedir(), fallback);
}

export const configDir = (): string => path.join(xdg('XDG_CONFIG_HOME', '.config'), 'burrow');
export const machinesDir = (): string => path.join(configDir(), 'machines');
export const dataDir = (): string => path.join(xdg('XDG_DATA_HOME', '.local/share'), 'burrow');
export const imagesDir = (): string => path.join(dataDir(), 'images');

/**
 * Per-user runtime state. `$XDG_RUNTIME_DIR/burrow` where a session provides one; otherwise a private
 * directory under the temp dir, named by uid (its ownership and mode are checked by runtime-state).
 */
export function runtimeRoot(): string {
  const base = process.env.XDG_RUNTIME_DIR;
  if (base && path.isAbsolute(base)) return path.join(base, 'burrow');
  return path.join(os.tmpdir(), `burrow-${process.getuid?.() ?? 'user'}`);
}

export const machineRuntimeDir = (name: string): string => path.join(runtimeRoot(), name);
