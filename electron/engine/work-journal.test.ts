import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { beginJob, isMovedAside, mayTouch, sweepAbandonedJobs } from './work-journal';

let home: string;
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-journal-'));
  process.env.XDG_DATA_HOME = home;
});
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

const jobs = () => path.join(home, 'burrow', 'jobs');

describe('work journal', () => {
  it('undoes what a job wrote down when it fails, newest first, and forgets it', () => {
    const made = path.join(home, 'burrow', 'overlays', '.web2.burrow-partial.1.2');
    fs.mkdirSync(made, { recursive: true });
    const job = beginJob();
    job.add({ remove: made });
    expect(fs.readdirSync(jobs())).toHaveLength(1);
    job.undo(() => undefined);
    expect(fs.existsSync(made)).toBe(false);
    expect(fs.readdirSync(jobs())).toEqual([]);
  });

  it('leaves what a completed job made', () => {
    const made = path.join(home, 'burrow', 'overlays', 'web2');
    fs.mkdirSync(made, { recursive: true });
    const job = beginJob();
    job.add({ remove: made, unlessMachine: 'web2' });
    job.done();
    sweepAbandonedJobs(() => undefined);
    expect(fs.existsSync(made)).toBe(true);
  });

  it('cleans up after a process that died: removes its partials, puts a swapped folder back, thaws its machine', () => {
    const partial = path.join(home, 'elsewhere', `.web.tar${'.burrow-partial.'}99999999.1`);
    const rootfs = path.join(home, 'rootfs');
    const aside = path.join(home, `.rootfs.burrow-old.99999999.1`);
    fs.mkdirSync(path.dirname(partial), { recursive: true });
    fs.writeFileSync(partial, 'half');
    fs.mkdirSync(aside);
    fs.mkdirSync(jobs(), { recursive: true });
    // pid 99999999 cannot exist (above pid_max): its owner is gone.
    fs.writeFileSync(
      path.join(jobs(), '99999999.1.json'),
      JSON.stringify({ entries: [{ remove: partial }, { moveBack: aside, to: rootfs }, { thaw: 'web' }] }),
    );
    const thawed: string[] = [];
    sweepAbandonedJobs((m) => thawed.push(m));
    expect(fs.existsSync(partial)).toBe(false);
    expect(fs.existsSync(rootfs)).toBe(true);
    expect(thawed).toEqual(['web']);
    expect(fs.readdirSync(jobs())).toEqual([]);
  });

  it('never lets a planted journal point the cleanup at anything else', () => {
    const precious = path.join(os.tmpdir(), `burrow-precious-${process.pid}`);
    fs.mkdirSync(precious, { recursive: true });
    try {
      fs.mkdirSync(jobs(), { recursive: true });
      fs.writeFileSync(
        path.join(jobs(), '99999999.1.json'),
        JSON.stringify({ entries: [{ remove: precious }, { remove: `${home}/burrow/../../..` }, { moveBack: precious, to: '/etc' }, { remove: 42 }] }),
      );
      sweepAbandonedJobs(() => undefined);
      expect(fs.existsSync(precious)).toBe(true);
    } finally {
      fs.rmSync(precious, { recursive: true, force: true });
    }
    expect(mayTouch('/home/u/.web.tar.burrow-partial.1.2')).toBe(true);
    expect(mayTouch('/home/u/web.tar')).toBe(false);
    expect(isMovedAside('/srv/.rootfs.burrow-old.1.2', '/srv/rootfs')).toBe(true);
    expect(isMovedAside('/srv/.rootfs.burrow-old.1.2', '/etc/rootfs')).toBe(false);
    expect(isMovedAside('/srv/.other.burrow-old.1.2', '/srv/rootfs')).toBe(false);
  });

  it('ignores a garbled journal file rather than failing every command', () => {
    fs.mkdirSync(jobs(), { recursive: true });
    fs.writeFileSync(path.join(jobs(), '99999999.1.json'), '{not json');
    expect(() => sweepAbandonedJobs(() => undefined)).not.toThrow();
  });
});
