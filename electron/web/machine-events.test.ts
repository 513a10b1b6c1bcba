// State reaches every window as it changes: three web connections, one machine whose supervisor (a real
// control server over a real state.json, as a supervisor keeps them) passes through a whole boot and stop
// faster than any poll. Each connection must see every transition, in order, within 100 ms.
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MachineState, MachineStatus } from '../contract/machine-state';
import { defaultProfile } from '../contract/profile';
import { createProfile } from '../engine/profiles';
import { processStartTime, runtimeFiles, writeRecord, type RuntimeRecord } from '../engine/runtime-state';
import { ControlServer } from '../supervisor/control-server';
import { connectApi, startTestHost, type ApiClient, type TestHost } from './web-test-helpers';

let host: TestHost;
beforeAll(async () => {
  host = await startTestHost();
});
afterAll(() => host.cleanup());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The machine states a connection is told of, with when each arrived. */
function listen(api: ApiClient): { name: string; state: string; at: number }[] {
  const seen: { name: string; state: string; at: number }[] = [];
  api.ws.on('message', (data) => {
    const msg = JSON.parse(data.toString()) as { event?: string; payload?: MachineStatus };
    if (msg.event === 'machines.changed') seen.push({ name: msg.payload!.name, state: msg.payload!.state, at: performance.now() });
  });
  return seen;
}

describe('machine state to the windows', () => {
  it('reaches every connection, every transition in order, within 100 ms', async () => {
    createProfile(defaultProfile({ name: 'fast', rootfs: '/nonexistent', machineId: 'b'.repeat(32) }));
    const windows = await Promise.all([0, 1, 2].map(() => connectApi(host)));
    const seen = windows.map(listen);
    for (const w of windows) await w.call('machines.list'); // as the page does when it opens
    await sleep(100);
    // A supervisor: its record first, then its control socket, then each change written and broadcast.
    let record: RuntimeRecord = { name: 'fast', state: 'stopped', supervisorPid: process.pid, supervisorStartTime: processStartTime(process.pid) };
    const { supervisorStartTime: _s, ...status } = record;
    void _s;
    const files = runtimeFiles('fast');
    fs.mkdirSync(files.dir, { recursive: true, mode: 0o700 });
    const states: MachineState[] = ['starting', 'running', 'stopping', 'exited'];
    const sent: number[] = [];
    const change = (state: MachineState, server?: ControlServer) => {
      record = { ...record, state };
      writeRecord(record);
      server?.broadcast({ event: 'status', status: { ...status, state } });
      sent.push(performance.now());
    };
    change('starting');
    await sleep(30); // the supervisor listens on its control socket after writing its first record
    const server = new ControlServer(files.control, {
      status: () => ({ ...status, state: record.state }),
      history: () => [],
      input: () => undefined,
      resize: () => undefined,
      stop: () => undefined,
      kill: () => undefined,
      setPaused: () => undefined,
    });
    try {
      await sleep(30);
      // running, stopping and exited within a few milliseconds: the flaky case of a machine that boots between two polls.
      for (const state of states.slice(1)) {
        change(state, server);
        await sleep(2);
      }
      await sleep(150);
      for (const got of seen) {
        const mine = got.filter((s) => s.name === 'fast');
        expect(mine.map((s) => s.state)).toEqual(states);
        mine.forEach((s, i) => expect(s.at - sent[i]!).toBeLessThan(100));
      }
    } finally {
      server.dispose();
      windows.forEach((w) => w.ws.close());
    }
  });
});
