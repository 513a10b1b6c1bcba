// How to run a Node script of ours (the supervisor, the CLI; later the ExecStart= of a systemd unit) on
// whatever runtime runs us, so that the packaged app needs no system Node, as VS Code's `code` command:
// - plain Node (the CLI from a checkout): that Node;
// - Electron (`npm start`, the .deb): the same binary in Node mode (ELECTRON_RUN_AS_NODE=1, which is why
//   the RunAsNode fuse stays on), with scripts from app.asar.unpacked: electron-builder.yml unpacks them
//   and the native modules they load, so they run without Electron's asar support;
// - an AppImage: the AppImage file itself, not the binary in its mount. The mount is at a new path every
//   launch and goes away when the launching process exits, so a supervisor that outlives the window must
//   hold a mount of its own. The AppImage's AppRun passes our arguments on, but prepends --no-sandbox
//   (which Node would reject) unless some argument already is --no-sandbox: we give one after `--`, where
//   Node hands it to the script, and a fixed one-line bootstrap drops it and runs the script as main.

import * as path from 'node:path';

export interface NodeRuntime {
  /** The running binary (node, or Electron's). */
  execPath: string;
  /** process.versions.electron, when Electron runs us (in its main process or in Node mode). */
  electron?: string;
  /** $APPIMAGE and $APPDIR, set by the AppImage runtime for everything started from an AppImage. */
  appImage?: string;
  appDir?: string;
}

export interface NodeCommand {
  /** What runs the script, and how the process is named in `ps` and in unit files. */
  runtime: 'node' | 'electron' | 'appimage';
  file: string;
  args: string[];
  /** Variables to set on top of the caller's environment. */
  env: Record<string, string>;
}

export const currentRuntime = (): NodeRuntime => ({
  execPath: process.execPath,
  electron: process.versions.electron,
  appImage: process.env.APPIMAGE,
  appDir: process.env.APPDIR,
});

/** Runs under Node mode from an AppImage: `node -e BOOT -- --no-sandbox RELATIVE_SCRIPT ARGS…` with APPDIR set. */
export const APPIMAGE_NODE_BOOT =
  "const p=require('path'),a=process.argv;if(a[1]==='--no-sandbox')a.splice(1,1);a[1]=p.join(process.env.APPDIR,a[1]);require('module').runMain()";

const ASAR = `${path.sep}app.asar${path.sep}`;

/** A script inside app.asar is run from its unpacked copy (electron-builder.yml: asarUnpack). */
export const unpackedPath = (script: string): string => script.replace(ASAR, `${path.sep}app.asar.unpacked${path.sep}`);

/** The one place that says how a Node script of ours is started. `script` is absolute (under dist/). */
export function nodeScriptCommand(script: string, args: readonly string[] = [], rt: NodeRuntime = currentRuntime()): NodeCommand {
  if (!rt.electron) return { runtime: 'node', file: rt.execPath, args: [script, ...args], env: {} };
  const env = { ELECTRON_RUN_AS_NODE: '1' };
  const unpacked = unpackedPath(script);
  const appDir = rt.appDir && path.resolve(rt.appDir) + path.sep;
  if (rt.appImage && appDir && rt.execPath.startsWith(appDir) && unpacked.startsWith(appDir)) {
    const relative = unpacked.slice(appDir.length);
    return { runtime: 'appimage', file: rt.appImage, args: ['-e', APPIMAGE_NODE_BOOT, '--', '--no-sandbox', relative, ...args], env };
  }
  return { runtime: 'electron', file: rt.execPath, args: [unpacked, ...args], env };
}
