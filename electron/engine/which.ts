// Finds executables on PATH (plus the sbin folders, where newuidmap lives on some distributions).
import * as fs from 'node:fs';
import * as path from 'node:path';

export function which(command: string, extraDirs: string[] = ['/usr/sbin', '/sbin']): string | undefined {
  const dirs = [...(process.env.PATH ?? '/usr/bin:/bin').split(':'), ...extraDirs];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      /* not here */
    }
  }
  return undefined;
}
