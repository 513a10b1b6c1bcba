// Lint, with the layering rules that keep the runtimes apart (after VS Code's code-layering):
// - engine, supervisor, CLI and contract are plain Node and never import electron;
// - the renderer talks to the host only through the contract (no Node, no engine);
// - the contract imports nothing from the layers above it.
import tseslint from 'typescript-eslint';

const noElectron = { name: 'electron', message: 'The engine is plain Node: it must run in the CLI, the web host and tests.' };

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'e2e/artifacts/**', 'test-results/**', 'bench/results/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['electron/engine/**', 'electron/supervisor/**', 'electron/cli/**', 'electron/web/**', 'electron/contract/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [noElectron] }] },
  },
  {
    files: ['electron/contract/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [noElectron], patterns: [{ group: ['../engine/*', '../main/*', '../supervisor/*', '../cli/*', '../web/*', 'node:*'], message: 'The contract is shared by every layer: types and schemas only.' }] }],
    },
  },
  {
    files: ['renderer/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [noElectron], patterns: [{ group: ['node:*', '**/electron/engine/**', '**/electron/main/**', '**/electron/supervisor/**', '**/electron/cli/**', '**/electron/web/**'], message: 'The renderer reaches the host only through the contract (window.burrow).' }] }],
    },
  },
);
