// Lint, with the layers that keep the runtimes apart (after VS Code's code-layering): every folder has an
// allow-list of what it may import (scripts/eslint-layers.mjs), and lint refuses anything else.
import tseslint from 'typescript-eslint';
import { layersPlugin } from './scripts/eslint-layers.mjs';
import { FORMATTED } from './scripts/formatted.mjs';

// Lines of code at most 160 characters: a long user-facing message is split, or built by a small helper.
// Tests may keep long fixtures (a shell script, a captured log line) in one string.
const lineLength = (strings) => ['error', { code: 160, ignoreUrls: true, ignoreRegExpLiterals: true, ignoreStrings: strings, ignoreTemplateLiterals: strings }];
const formatted = FORMATTED === 'all' ? ['**/*.{ts,tsx,mjs,mts}'] : FORMATTED;
const formattedTests = FORMATTED === 'all' ? ['**/*.test.{ts,tsx}'] : FORMATTED.filter((f) => /\.test\.tsx?$/.test(f));

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'e2e/artifacts/**', 'test-results/**', 'bench/results/**'] },
  ...tseslint.configs.recommended,
  {
    plugins: { layers: layersPlugin },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      'layers/imports': 'error',
    },
  },
  { files: formatted, rules: { 'max-len': lineLength(false) } },
  { files: formattedTests, rules: { 'max-len': lineLength(true) } },
);
