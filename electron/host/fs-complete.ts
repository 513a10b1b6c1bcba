// Path completion for the browser build, where a dropped folder has no host path: folders and tarballs
// under the typed prefix, in the user's own view of the file system.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ARCHIVE = /\.(tar|tar\.gz|tgz|tar\.xz|txz|tar\.zst)$/;

export function completePath(prefix: string, limit = 50): string[] {
  const expanded = prefix.startsWith('~') ? path.join(os.homedir(), prefix.slice(1)) : prefix || '/';
  if (!path.isAbsolute(expanded)) return [];
  const dir = expanded.endsWith('/') ? expanded : path.dirname(expanded);
  const base = expanded.endsWith('/') ? '' : path.basename(expanded);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.name.startsWith(base) && (base.startsWith('.') || !e.name.startsWith('.')))
    .filter((e) => e.isDirectory() || (e.isSymbolicLink() && isDir(path.join(dir, e.name))) || ARCHIVE.test(e.name))
    .map((e) => path.join(dir, e.name) + (e.isFile() ? '' : '/'))
    .sort()
    .slice(0, limit);
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
