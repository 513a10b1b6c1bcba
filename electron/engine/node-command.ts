// How to run one of Burrow's own Node scripts (the supervisor, the CLI) from whatever runs now: this Node,
// or, inside the desktop app, Electron's own binary in Node mode, so a packaged app needs no system Node.
import * as path from 'node:path';

export type BurrowScript = 'supervisor.js' | 'cli.js';

export interface NodeScriptCommand {
  file: string;
  args: string[];
  /** Variables the runtime needs besides the caller's (Electron's Node mode). */
  env: Record<string, string>;
}

/** The scripts sit beside the bundle that runs now (dist/). */
export function nodeScriptCommand(script: BurrowScript, distDir = __dirname, versions: NodeJS.ProcessVersions = process.versions, execPath = process.execPath): NodeScriptCommand {
  return { file: execPath, args: [path.join(distDir, script)], env: versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {} };
}
