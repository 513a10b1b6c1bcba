// A machine enabled with `burrow enable` comes up by itself when the user's systemd starts again (a
// logout and login, or with linger a boot). Two phases around a restart of the user manager, which only
// root can do: scripts/vm/guest.sh runs this file with BURROW_AUTOSTART_PHASE=enable, restarts
// user@UID.service, then runs it with BURROW_AUTOSTART_PHASE=check. Anywhere else it skips.
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSandbox, imageTar, ok, waitFor } from './harness';

const phase = process.env.BURROW_AUTOSTART_PHASE;
const ROOT = path.join(os.homedir(), 'burrow-autostart-test');
const skip = phase ? undefined : 'runs in two phases around a restart of the user manager (scripts/vm/guest.sh)';

describe('a machine that starts at login', () => {
  it('is enabled, and left stopped', (ctx) => {
    if (skip) return ctx.skip(skip);
    if (phase !== 'enable') return ctx.skip('this phase ran before the user manager restarted');
    const sb = createSandbox('autostart', { root: ROOT });
    ok(sb.burrow(['image', 'import', 'deb12', imageTar('debian12')], { timeoutMs: 600_000 }));
    ok(sb.burrow(['create', 'autoboot', '--image', 'deb12', '--network', 'isolated']));
    expect(ok(sb.burrow(['enable', 'autoboot']))).toMatch(/autoboot starts at login/);
    expect(JSON.parse(ok(sb.burrow(['status', 'autoboot', '--json']))).state).toBe('stopped');
  }, 900_000);

  it('is running after the user manager started again, as its unit', async (ctx) => {
    if (skip) return ctx.skip(skip);
    if (phase !== 'check') return ctx.skip('this phase runs after the user manager restarted');
    const sb = createSandbox('autostart', { root: ROOT });
    const state = () => JSON.parse(ok(sb.burrow(['status', 'autoboot', '--json'])));
    try {
      await waitFor(() => ['running', 'degraded'].includes(state().state), 180_000, 'autoboot to come up by itself');
      expect(state().unit).toBe('burrow-autoboot.service');
      ok(sb.burrow(['disable', 'autoboot', '--now']));
      expect(state().state).toBe('exited');
    } finally {
      sb.cleanup();
    }
  }, 300_000);
});
