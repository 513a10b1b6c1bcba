import { describe, expect, it } from 'vitest';
import { EXIT_HALT, EXIT_REBOOT, exitVerdict, type ExitFacts } from './exit-verdict';

const facts = (f: Partial<ExitFacts>): ExitFacts => ({ exitCode: 1, stopRequested: false, killRequested: false, wasReady: true, ...f });

describe('what the end of bwrap means', () => {
  it('boots again after a reboot nobody asked to stop', () => {
    expect(exitVerdict(facts({ exitCode: EXIT_REBOOT }))).toEqual({ relaunch: true, note: 'the machine rebooted; starting it again' });
    expect(exitVerdict(facts({ exitCode: EXIT_REBOOT, wasReady: false }))).toMatchObject({ relaunch: true });
  });

  it('ends a reboot that raced a stop', () => {
    expect(exitVerdict(facts({ exitCode: EXIT_REBOOT, stopRequested: true }))).toEqual({
      relaunch: false,
      state: 'exited',
      message: 'stopped on request',
      exitCode: EXIT_REBOOT,
    });
  });

  it('reads a halt inside as a clean end', () => {
    expect(exitVerdict(facts({ exitCode: EXIT_HALT }))).toEqual({
      relaunch: false,
      state: 'exited',
      message: 'the machine halted (poweroff or halt inside)',
      exitCode: EXIT_HALT,
    });
    expect(exitVerdict(facts({ exitCode: 0 }))).toMatchObject({ state: 'exited' });
  });

  it('tells a stop from a kill: asked for, or SIGKILL seen', () => {
    expect(exitVerdict(facts({ exitCode: EXIT_HALT, stopRequested: true }))).toMatchObject({ state: 'exited', message: 'stopped on request' });
    expect(exitVerdict(facts({ exitCode: 0, signal: 9, stopRequested: true }))).toMatchObject({ state: 'exited', message: 'killed on request' });
    expect(exitVerdict(facts({ exitCode: 137, stopRequested: true, killRequested: true }))).toMatchObject({
      state: 'exited',
      message: 'killed on request',
      exitCode: 137,
    });
  });

  it('calls an unasked end after READY=1 a crash of PID 1, with the exit code and signal', () => {
    expect(exitVerdict(facts({ exitCode: 1 }))).toEqual({ relaunch: false, state: 'crashed', message: 'PID 1 ended unexpectedly (exit 1)', exitCode: 1 });
    expect(exitVerdict(facts({ exitCode: 139, signal: 11 }))).toMatchObject({ state: 'crashed', message: 'PID 1 ended unexpectedly (exit 139, signal 11)' });
  });

  it('calls an unasked end before READY=1 a failed boot and points at the console', () => {
    expect(exitVerdict(facts({ exitCode: 1, wasReady: false }))).toEqual({
      relaunch: false,
      state: 'crashed',
      message: "the machine failed to boot (exit 1); the console's last lines say why",
      exitCode: 1,
    });
  });

  it('says only the launch failure when the launch failed, however bwrap then ended', () => {
    const launchFailure = 'host port 127.0.0.1:8080 → 80/tcp cannot be bound: another program already uses it.';
    for (const exitCode of [0, 1, EXIT_HALT, EXIT_REBOOT, 137]) {
      expect(exitVerdict(facts({ exitCode, launchFailure, stopRequested: true, killRequested: true, wasReady: false }))).toEqual({
        relaunch: false,
        state: 'crashed',
        message: launchFailure,
        exitCode: undefined,
      });
    }
  });
});
