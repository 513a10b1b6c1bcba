// Layers by where code runs, after VS Code's code-layering rule: every folder says what it MAY import (an
// allow-list), and lint refuses the rest, type-only imports included. What a layer may import:
// - its own folder, the layers (or single modules) in `may`, and in `types` for type-only imports;
// - npm packages in `packages` (a trailing / allows a scope), Node's built-in modules where `node` is true.
// Tests next to the code (*.test.ts[x]) run in vitest on Node: they may also use node:*, TEST_PACKAGES and
// their layer's `testMay`.
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The engine modules the supervisor may use: the runtime of one running machine, which the starter and
 * the supervisor share (its record and runtime files, its cgroups, its overlay, the control protocol,
 * the readiness datagram socket, the exec used for the failed-units check, the console log it writes as the
 * console prints, the ephemeral machine's journal it keeps before its changes go, the machine's membership
 * of its user network, and the holder of that network, whose entry point lives beside the supervisor's).
 * Each is plain Node and free of zod (electron/supervisor/bundle.test.ts checks the whole bundle); anything else in the engine
 * (profiles, planning, images, the machine service) is the starter's business, not the supervisor's.
 */
const SUPERVISOR_ENGINE = [
  'engine/cgroups',
  'engine/console-log',
  'engine/control-protocol',
  'engine/disposable',
  'engine/ephemeral-journal',
  'engine/exec',
  'engine/launch-plan-types',
  'engine/machine-cgroup',
  'engine/network-plan',
  'engine/overlay',
  'engine/runtime-state',
  'engine/unix-datagram',
  'engine/user-network-client',
  'engine/user-network-holder',
];

export const LAYERS = [
  {
    name: 'contract',
    dir: 'electron/contract',
    may: [],
    packages: ['zod'],
    node: false,
    why: 'the contract is shared by every layer, the window included: types, schemas and pure rules, no Node and nothing above it',
  },
  {
    name: 'engine',
    dir: 'electron/engine',
    may: ['contract'],
    packages: ['@burrow/unix-dgram'],
    node: true,
    why: 'the engine is plain Node under the CLI, the host, the supervisor and the tests: it never reaches up into them, nor into Electron',
  },
  {
    name: 'supervisor',
    dir: 'electron/supervisor',
    may: ['contract', ...SUPERVISOR_ENGINE],
    packages: ['node-pty', '@burrow/unix-dgram'],
    node: true,
    // Its tests talk to its control server the way a starter does.
    testMay: ['engine/control-client'],
    why:
      'the supervisor starts with every machine and outlives every window: ' +
      'Node, node-pty, the contract and the machine-runtime modules of the engine (scripts/eslint-layers.mjs lists them)',
  },
  {
    name: 'host',
    dir: 'electron/host',
    may: ['contract', 'engine'],
    packages: ['node-pty'],
    node: true,
    // Its tests stand in for a running machine's supervisor with the real control server.
    testMay: ['supervisor/control-server'],
    why: 'the host answers the contract for the Electron window and the web host alike: no Electron, no transport, no front end',
  },
  {
    name: 'web',
    dir: 'electron/web',
    may: ['contract', 'engine', 'host'],
    packages: ['ws'],
    node: true,
    // Its tests stand in for a running machine's supervisor with the real control server.
    testMay: ['supervisor/control-server'],
    why: 'the web host is a transport for the host: it serves the window over HTTP and a WebSocket, nothing of Electron or the CLI',
  },
  {
    name: 'cli',
    dir: 'electron/cli',
    // `burrow serve` runs the web host; `burrow unit-run` runs a supervisor in its own process.
    may: ['contract', 'engine', 'web', 'supervisor/run-supervisor'],
    packages: [],
    node: true,
    why: "the CLI is a front end of the engine (and starts the web host and a unit's supervisor): no Electron, no window",
  },
  {
    name: 'main',
    dir: 'electron/main',
    may: ['contract', 'engine', 'host'],
    packages: ['electron'],
    node: true,
    why: "Electron's main process is thin: app lifecycle, windows, menus and IPC over the host; no CLI, web host or supervisor",
  },
  {
    name: 'preload',
    dir: 'electron/preload',
    may: ['contract/channels'],
    types: ['contract'],
    packages: ['electron'],
    node: false,
    why: "the preload runs sandboxed in every window: Electron's bridge and the contract's channel names (types from the contract), nothing else",
  },
  {
    name: 'renderer',
    dir: 'renderer',
    may: ['contract'],
    packages: ['react', 'react-dom', 'zustand', '@xterm/'],
    node: false,
    why: 'the window is a web page: it reaches the host only through the contract (the API object), never Node, Electron or the engine',
  },
  {
    name: 'integration tests',
    dir: 'test',
    may: ['contract', 'engine'],
    packages: ['vitest', 'node-pty', '@burrow/unix-dgram', 'playwright-core'],
    node: true,
    why: 'integration tests drive the real CLI as a user would, with the engine for setup and checks',
  },
  {
    name: 'bench',
    dir: 'bench',
    // The stand-in machine: a real supervisor running a shell, for what supervisors cost without machines.
    may: ['contract', 'engine', 'test', 'supervisor/stand-in-machine'],
    // ws: the window's figures talk to the web host as the page does.
    packages: ['node-pty', '@burrow/unix-dgram', 'playwright-core', 'ws'],
    node: true,
    why: 'benchmarks drive the real CLI and supervisor, with the test harness and the engine for setup and measuring',
  },
  {
    name: 'e2e',
    dir: 'e2e',
    may: ['contract', 'test'],
    // electron: the runtime's path, to launch the real app.
    packages: ['@playwright/test', '@axe-core/playwright', 'playwright-core', 'electron'],
    node: true,
    why: 'end-to-end tests drive the real window and CLI from outside',
  },
];

/** What a test next to the code may use besides its layer's allowance (packaging tests read electron-builder's schema). */
const TEST_PACKAGES = ['vitest', '@testing-library/', 'esbuild', 'jsdom', 'ws', 'react', 'react-dom', 'ajv', 'js-yaml', 'app-builder-lib'];

const NODE_BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith('_')));

const layerOfPath = (rel) => LAYERS.find((l) => rel === l.dir || rel.startsWith(`${l.dir}/`));

/** A module's id as the allow-lists name it: `engine/cgroups`, `contract/api`, `renderer/state/store`. */
const moduleId = (rel) => rel.replace(/^electron\//, '').replace(/\.(d\.ts|tsx?|mjs|cjs|js)$/, '');

const packageName = (spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);

const allowsPackage = (list, name) => list.some((p) => (p.endsWith('/') ? name.startsWith(p) : name === p));

/** Why `spec` may not be imported from the file at `rel`, or undefined where it may. */
export function refusal(rel, spec, typeOnly) {
  const layer = layerOfPath(rel);
  if (!layer) return undefined;
  const isTest = /\.test\.tsx?$/.test(rel);
  if (spec.startsWith('.')) {
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(rel), spec));
    const targetLayer = layerOfPath(target);
    if (targetLayer === layer) return undefined;
    const id = moduleId(target);
    const allowed = [...layer.may, ...(typeOnly ? (layer.types ?? []) : []), ...(isTest ? (layer.testMay ?? []) : [])];
    if (allowed.some((a) => id === a || id.startsWith(`${a}/`) || (targetLayer && moduleId(targetLayer.dir) === a))) return undefined;
    return `${layer.name} may not import ${id}${typeOnly ? ' (not even its types)' : ''}: ${layer.why}`;
  }
  const bare = spec.startsWith('node:') ? spec.slice(5) : spec;
  if (spec.startsWith('node:') || NODE_BUILTINS.has(packageName(bare))) {
    return layer.node || isTest ? undefined : `${layer.name} may not import Node's ${spec}: ${layer.why}`;
  }
  const name = packageName(spec);
  if (allowsPackage(layer.packages, name) || (isTest && allowsPackage(TEST_PACKAGES, name))) return undefined;
  return `${layer.name} may not import the package ${name}: ${layer.why}`;
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'each folder imports only what its layer allows (scripts/eslint-layers.mjs)' },
    schema: [],
  },
  create(context) {
    const rel = path.relative(ROOT, context.filename).split(path.sep).join('/');
    if (rel.startsWith('..')) return {};
    const check = (node, source, typeOnly = false) => {
      if (!source || typeof source.value !== 'string') return;
      const why = refusal(rel, source.value, typeOnly);
      if (why) context.report({ node: source, message: why });
    };
    const allTypes = (node) =>
      node.importKind === 'type' ||
      node.exportKind === 'type' ||
      (node.specifiers?.length > 0 && node.specifiers.every((s) => s.importKind === 'type' || s.exportKind === 'type'));
    return {
      ImportDeclaration: (node) => check(node, node.source, allTypes(node)),
      ExportNamedDeclaration: (node) => check(node, node.source, allTypes(node)),
      ExportAllDeclaration: (node) => check(node, node.source, node.exportKind === 'type'),
      ImportExpression: (node) => check(node, node.source),
      TSImportType: (node) => check(node, node.argument?.literal ?? node.argument, true),
      TSExternalModuleReference: (node) => check(node, node.expression),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments[0]?.type === 'Literal') check(node, node.arguments[0]);
      },
    };
  },
};

export const layersPlugin = { rules: { imports: rule } };
