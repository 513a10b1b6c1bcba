// `npm run format:check`: prettier --check over the files in the project's format (scripts/formatted.mjs),
// or over the whole tree once FORMATTED is 'all'.
import { execFileSync } from 'node:child_process';
import { FORMATTED } from './formatted.mjs';

const files = FORMATTED === 'all' ? ['.'] : FORMATTED;
try {
  execFileSync(process.execPath, ['node_modules/prettier/bin/prettier.cjs', '--check', ...files], { stdio: 'inherit' });
} catch {
  process.stderr.write('format:check: run npx prettier --write on the files listed above\n');
  process.exit(1);
}
