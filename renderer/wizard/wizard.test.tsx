// @vitest-environment jsdom
// The wizard in a DOM with a stand-in host: two fields to a machine, each mistake said at its field as it is
// typed, the step that holds it marked, Create held back until the machine is valid.
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HostInfo, ImageListItem, PlanView } from '../../electron/contract/api';
import { useStore } from '../state/store';
import { Wizard } from './Wizard';

const host = vi.hoisted(() => ({ calls: [] as unknown[][], planError: undefined as string | undefined }));
vi.mock('../api/client', () => ({
  getApi: () => ({
    invoke: async (...args: unknown[]) => {
      host.calls.push(args);
      if (args[0] === 'machines.plan') {
        if (host.planError) throw new Error(host.planError);
        return PLAN;
      }
      if (args[0] === 'images.list') return useStore.getState().images;
      if (args[0] === 'machines.list') return { machines: [], broken: [] };
      if (args[0] === 'machines.create') return {};
      return null;
    },
    on: () => () => undefined,
  }),
  transport: () => 'web',
}));

const PLAN: PlanView = {
  commandLine: 'unshare … bwrap …',
  mounts: [],
  cgroup: { presentation: 'hybrid', reason: 'systemd 252', hostLayout: 'hybrid', dirs: [] },
  idMapping: { mode: 'auto', description: 'root is you' },
  warnings: [],
  risks: [],
  rootfs: { rootfs: '/images/deb12', ownership: [] },
  network: { mode: 'nat', ports: [] },
  limits: { writes: [] },
};
const INFO: HostInfo = {
  user: 'u',
  home: '/home/u',
  transport: 'web',
  platform: 'Linux',
  portStart: 1024,
  limits: { memory: 'this host runs cgroup v1 controllers' },
};
const image = (name: string, createdAt: string): ImageListItem => ({
  image: {
    version: 1,
    name,
    rootfs: `/images/${name}`,
    inPlace: false,
    source: { kind: 'tarball' },
    createdAt,
    distro: 'Debian GNU/Linux 12 (bookworm)',
    systemdVersion: 252,
  },
  machines: [],
});

/** Lets the debounced plan call and its answer land. */
async function settle() {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(300);
  });
}

beforeEach(() => {
  vi.useFakeTimers();
  sessionStorage.clear();
  host.calls.length = 0;
  host.planError = undefined;
  useStore.setState({ machines: {}, images: [], loaded: true, host: INFO, view: { kind: 'wizard' }, notices: [], showing: [] });
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const createButton = () => screen.getByRole('button', { name: 'Create and start' }) as HTMLButtonElement;
const stepButton = (name: RegExp) => within(screen.getByRole('navigation', { name: 'Steps' })).getByRole('button', { name });

describe('the wizard', () => {
  it('chooses the newest image and a free name, so two filled fields make a machine in one click', async () => {
    useStore.setState({ images: [image('old', '2026-01-01T00:00:00Z'), image('deb12', '2026-11-01T00:00:00Z')] });
    useStore.getState().setMachines([], []);
    render(<Wizard view={{ kind: 'wizard' }} />);
    expect((screen.getByLabelText('Machine name') as HTMLInputElement).value).toBe('deb12');
    expect((screen.getByLabelText('Image', { selector: 'select' }) as HTMLSelectElement).value).toBe('deb12');
    await settle();
    expect(createButton().disabled).toBe(false);
    await act(async () => void fireEvent.click(createButton()));
    const created = host.calls.find((c) => c[0] === 'machines.create')![1] as { name: string; image: string; storage: string };
    expect(created).toMatchObject({ name: 'deb12', image: 'deb12', storage: 'persistent' });
    // Created, then started: the window goes to the machine.
    expect(host.calls.map((c) => c[0])).toContain('machines.start');
    expect(useStore.getState().view).toEqual({ kind: 'machine', name: 'deb12' });
  });

  it('chooses the newest image when the image list arrives after the wizard opened (a reload on #/new)', async () => {
    render(<Wizard view={{ kind: 'wizard' }} />);
    await settle(); // the wizard's own look at the store finds no image yet
    await act(async () => void useStore.setState({ images: [image('deb12', '2026-11-01T00:00:00Z')] }));
    expect((screen.getByLabelText('Image', { selector: 'select' }) as HTMLSelectElement).value).toBe('deb12');
    expect((screen.getByLabelText('Machine name') as HTMLInputElement).value).toBe('deb12');
  });

  it('leaves a name the user typed before the image list arrived', async () => {
    render(<Wizard view={{ kind: 'wizard' }} />);
    await settle();
    fireEvent.change(screen.getByLabelText('Machine name'), { target: { value: 'mine' } });
    await act(async () => void useStore.setState({ images: [image('deb12', '2026-11-01T00:00:00Z')] }));
    expect((screen.getByLabelText('Machine name') as HTMLInputElement).value).toBe('mine');
  });

  it('is not red before anyone typed; says what is missing in the bar instead, with Create held back', async () => {
    render(<Wizard view={{ kind: 'wizard' }} />);
    await settle();
    expect(screen.queryAllByRole('alert')).toEqual([]);
    expect(screen.getByLabelText('Machine name').getAttribute('aria-invalid')).toBe('false');
    expect(stepButton(/Basics/).textContent).not.toContain('!');
    expect(screen.getByRole('status', { name: '' }).textContent).toBe('Give the machine a name. Choose an image, or build or import one.');
    expect(createButton().disabled).toBe(true);
  });

  it('says a bad name at the field as it is typed, marks Basics, and never mentions a hostname', async () => {
    useStore.setState({ images: [image('deb12', '2026-11-01T00:00:00Z')] });
    render(<Wizard view={{ kind: 'wizard' }} />);
    fireEvent.change(screen.getByLabelText('Machine name'), { target: { value: 'My Machine!' } });
    await settle();
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toBe('Use 1-63 lowercase letters, digits, "-" or "_", starting with a letter or digit: "my-machine" would do.');
    expect(screen.getByLabelText('Machine name').getAttribute('aria-invalid')).toBe('true');
    expect(stepButton(/Basics/).textContent).toContain('!');
    expect(document.body.textContent).not.toMatch(/hostname:/i);
    expect(createButton().disabled).toBe(true);
    // Not a single call with the bad name reached the host.
    expect(host.calls.filter((c) => c[0] === 'machines.plan')).toEqual([]);
    fireEvent.change(screen.getByLabelText('Machine name'), { target: { value: '' } });
    expect(screen.getByRole('alert').textContent).toBe('Give the machine a name.');
    fireEvent.change(screen.getByLabelText('Machine name'), { target: { value: 'my-machine' } });
    await settle();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(createButton().disabled).toBe(false);
  });

  it('refuses a host port below the host’s lowest at its row, marks Network, and lists it on Review with the way back', async () => {
    useStore.setState({ images: [image('deb12', '2026-11-01T00:00:00Z')] });
    const view = render(<Wizard view={{ kind: 'wizard', step: 'network' }} />);
    expect(screen.getByText('What this changes:')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: '+ Web (80)' }));
    expect((screen.getByLabelText('Forward 1 host port') as HTMLInputElement).value).toBe('8080');
    fireEvent.change(screen.getByLabelText('Forward 1 host port'), { target: { value: '80' } });
    await settle();
    expect(screen.getByRole('alert').textContent).toBe('Host port 80 is below 1024, the lowest port you may use on this host: 8080 would do.');
    expect(screen.getByLabelText('Forward 1 host port').getAttribute('aria-invalid')).toBe('true');
    expect(stepButton(/Network/).textContent).toContain('!');
    expect(createButton().disabled).toBe(true);
    view.rerender(<Wizard view={{ kind: 'wizard', step: 'review' }} />);
    const list = screen.getByRole('group', { name: 'Needs a change' });
    expect(list.textContent).toContain('Forward 1, host port: Host port 80 is below 1024');
    fireEvent.click(within(list).getByRole('button', { name: 'Go to Network' }));
    expect(useStore.getState().view).toEqual({ kind: 'wizard', step: 'network' });
  });

  it('says at the field when this host cannot apply a limit, and the review’s summary says it again', async () => {
    useStore.setState({ images: [image('deb12', '2026-11-01T00:00:00Z')] });
    const view = render(<Wizard view={{ kind: 'wizard', step: 'limits' }} />);
    fireEvent.change(screen.getByLabelText('Memory'), { target: { value: '512m' } });
    expect(screen.getByText(/Not applied on this host: this host runs cgroup v1 controllers/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Memory'), { target: { value: '10M' } });
    expect(screen.getByRole('alert').textContent).toBe('Memory must be at least 32M: systemd and its journal alone need about 10M.');
    fireEvent.change(screen.getByLabelText('Memory'), { target: { value: '512M' } });
    await settle();
    view.rerender(<Wizard view={{ kind: 'wizard', step: 'review' }} />);
    const summary = screen.getByLabelText('Summary');
    expect(summary.textContent).toContain('Namedeb12');
    expect(summary.textContent).toContain('Sourceimage deb12: Debian GNU/Linux 12 (bookworm), systemd 252');
    expect(summary.textContent).toContain('memory 512Mnot applied on this host (this host runs cgroup v1 controllers); the machine boots without them');
    // The exact command stays, below the summary.
    expect(screen.getByLabelText('The exact command').textContent).toBe('unshare … bwrap …');
  });

  it('checks a new image’s name at its field, so the host never answers "invalid arguments for images.import"', async () => {
    render(<Wizard view={{ kind: 'wizard' }} />);
    fireEvent.change(screen.getByLabelText('Image name'), { target: { value: 'Not An Image' } });
    fireEvent.change(screen.getByLabelText(/Tarball/), { target: { value: '/tmp/x.tar' } });
    expect(screen.getByRole('alert').textContent).toContain('"not-an-image" would do.');
    expect((screen.getByRole('button', { name: 'Import' }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByRole('button', { name: 'Build Debian image' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByLabelText(/Tarball/), { target: { value: 'relative.tar' } });
    fireEvent.change(screen.getByLabelText('Image name'), { target: { value: 'good' } });
    expect(screen.getByRole('alert').textContent).toBe('The path starts with / (it is a path on the host running Burrow).');
    expect(host.calls.filter((c) => c[0] === 'images.import')).toEqual([]);
  });

  it('keeps what was typed over a reload of the same wizard', async () => {
    useStore.setState({ images: [image('deb12', '2026-11-01T00:00:00Z')] });
    render(<Wizard view={{ kind: 'wizard' }} />);
    fireEvent.change(screen.getByLabelText('Machine name'), { target: { value: 'kept' } });
    cleanup();
    render(<Wizard view={{ kind: 'wizard', step: 'basics' }} />);
    expect((screen.getByLabelText('Machine name') as HTMLInputElement).value).toBe('kept');
    // Garbage in the saved copy (another version, a bug) starts afresh instead of breaking the page.
    cleanup();
    sessionStorage.setItem('burrow.wizard', JSON.stringify({ key: 'new:', state: { draft: { name: 1, mounts: 'x' }, source: 'image', touched: [] } }));
    render(<Wizard view={{ kind: 'wizard' }} />);
    expect((screen.getByLabelText('Machine name') as HTMLInputElement).value).toBe('deb12');
  });

  it('shows a host refusal of the plan in the bar and holds Create back', async () => {
    useStore.setState({ images: [image('deb12', '2026-11-01T00:00:00Z')] });
    host.planError = 'pasta is not installed\n  fix: sudo apt install passt';
    render(<Wizard view={{ kind: 'wizard' }} />);
    await settle();
    expect(screen.getByRole('status', { name: '' }).textContent).toContain('pasta is not installed');
    expect(createButton().disabled).toBe(true);
  });
});
