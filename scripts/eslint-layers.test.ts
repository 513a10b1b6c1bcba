// The layers hold because lint refuses a forbidden import: each probe below is linted with the project's
// own configuration (ESLint's Node API, as `npm run lint` runs it) at a path inside the layer it probes.
import { ESLint } from 'eslint';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');
let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT });
});

/** The layer rule's messages for `code` linted as the file at `file` (relative to the repo). */
async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const probe = 1;\n`, { filePath: path.join(ROOT, file) });
  return result!.messages.filter((m) => m.ruleId === 'layers/imports').map((m) => m.message);
}

describe('lint refuses a cross-layer import', () => {
  it.each([
    ['the host importing Electron', 'electron/host/probe.ts', "import { app } from 'electron';", /^host may not import the package electron/],
    ['the engine importing the host', 'electron/engine/probe.ts', "import { ApiHost } from '../host/api-host';", /^engine may not import host\/api-host/],
    ['the engine importing the CLI', 'electron/engine/probe.ts', "import { COMMANDS } from '../cli/commands';", /^engine may not import cli\/commands/],
    [
      'the engine importing the supervisor (the old control-protocol loop)',
      'electron/engine/probe.ts',
      "import { Supervisor } from '../supervisor/supervisor';",
      /^engine may not import supervisor\/supervisor/,
    ],
    ['the engine importing Electron', 'electron/engine/probe.ts', "import { app } from 'electron';", /^engine may not import the package electron/],
    [
      'the supervisor importing the machine service',
      'electron/supervisor/probe.ts',
      "import { startMachine } from '../engine/machines';",
      /^supervisor may not import engine\/machines/,
    ],
    [
      'the supervisor importing the profile store (zod)',
      'electron/supervisor/probe.ts',
      "import { loadProfile } from '../engine/profiles';",
      /^supervisor may not import engine\/profiles/,
    ],
    [
      'the supervisor importing the host',
      'electron/supervisor/probe.ts',
      "import { TerminalManager } from '../host/terminals';",
      /^supervisor may not import host\/terminals/,
    ],
    [
      'the preload importing the engine',
      'electron/preload/probe.ts',
      "import { BurrowError } from '../engine/errors';",
      /^preload may not import engine\/errors/,
    ],
    ['the preload importing the host', 'electron/preload/probe.ts', "import { dispatch } from '../host/dispatch';", /^preload may not import host\/dispatch/],
    ['the preload importing node:fs', 'electron/preload/probe.ts', "import * as fs from 'node:fs';", /^preload may not import Node's node:fs/],
    ['the preload importing the schemas', 'electron/preload/probe.ts', "import { parseCall } from '../contract/api';", /^preload may not import contract\/api/],
    [
      'the renderer importing the host',
      'renderer/components/Probe.tsx',
      "import { ApiHost } from '../../electron/host/api-host';",
      /^renderer may not import host\/api-host/,
    ],
    ['the renderer importing bare fs', 'renderer/components/Probe.tsx', "import * as fs from 'fs';", /^renderer may not import Node's fs/],
    [
      'the renderer importing child_process',
      'renderer/state/probe.ts',
      "import { spawn } from 'child_process';",
      /^renderer may not import Node's child_process/,
    ],
    [
      'the renderer importing engine types',
      'renderer/wizard/Probe.tsx',
      "import type { LaunchPlan } from '../../electron/engine/launch-plan';",
      /^renderer may not import engine\/launch-plan \(not even its types\)/,
    ],
    ['the renderer importing Electron', 'renderer/main.tsx', "import { ipcRenderer } from 'electron';", /^renderer may not import the package electron/],
    ['the contract importing node:path', 'electron/contract/probe.ts', "import * as path from 'node:path';", /^contract may not import Node's node:path/],
    [
      'the contract importing the engine',
      'electron/contract/probe.ts',
      "import { BurrowError } from '../engine/errors';",
      /^contract may not import engine\/errors/,
    ],
    ['main importing the CLI', 'electron/main/probe.ts', "import { main } from '../cli/burrow';", /^main may not import cli\/burrow/],
    ['the web host importing Electron', 'electron/web/probe.ts', "import { app } from 'electron';", /^web may not import the package electron/],
    ['the CLI importing the host directly', 'electron/cli/probe.ts', "import { ApiHost } from '../host/api-host';", /^cli may not import host\/api-host/],
    ['a lazy require across layers', 'electron/engine/probe.ts', "const h = require('../host/api-host');", /^engine may not import host\/api-host/],
    ['a dynamic import across layers', 'electron/engine/probe.ts', "void import('../web/server');", /^engine may not import web\/server/],
  ])('refuses %s', async (_what, file, code, message) => {
    const errors = await layerErrors(file, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  });

  it.each([
    [
      'the supervisor using the machine runtime',
      'electron/supervisor/probe.ts',
      "import { runtimeFiles } from '../engine/runtime-state';\nimport * as fs from 'node:fs';",
    ],
    [
      'the engine using the contract and Node',
      'electron/engine/probe.ts',
      "import { isLive } from '../contract/machine-state';\nimport { spawn } from 'node:child_process';",
    ],
    [
      'the preload using the channels and the API types',
      'electron/preload/probe.ts',
      "import { IPC_CALL } from '../contract/channels';\nimport type { BurrowApi } from '../contract/api';\nimport { ipcRenderer } from 'electron';",
    ],
    [
      'the renderer using the contract and React',
      'renderer/components/Probe.tsx',
      "import { describePort } from '../../electron/contract/describe';\nimport { useState } from 'react';",
    ],
    ['main using the host and Electron', 'electron/main/probe.ts', "import { ApiHost } from '../host/api-host';\nimport { app } from 'electron';"],
    ['a supervisor test driving its server with the client', 'electron/supervisor/probe.test.ts', "import { ControlClient } from '../engine/control-client';"],
  ])('allows %s', async (_what, file, code) => {
    expect(await layerErrors(file, code)).toEqual([]);
  });
});
