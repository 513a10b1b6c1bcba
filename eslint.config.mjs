// Lint, with the layers that keep the runtimes apart (after VS Code's code-layering): every folder has an
// allow-list of what it may import (scripts/eslint-layers.mjs), and lint refuses anything else.
import tseslint from 'typescript-eslint';
import { layersPlugin } from './scripts/eslint-layers.mjs';

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
);
