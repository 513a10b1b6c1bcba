// @vitest-environment jsdom
// Components in a DOM, without a host: the wizard's network step and review, the journal's virtual list, the
// facts strip, the machine view's risks.
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { defaultProfile, type MachineProfile } from '../../electron/contract/profile';
import { profileProblems } from '../../electron/contract/profile-problems';
import type { PlanView } from '../../electron/contract/api';
import { useStore } from '../state/store';
import { CAPABILITY_PRESETS } from '../../electron/contract/capabilities';
import { CapabilitiesStep } from '../wizard/IsolationSteps';
import { NetworkStep } from '../wizard/NetworkStep';
import { ReviewStep } from '../wizard/ReviewStep';
import { MachineFacts } from './MachineFacts';
import { MachineView } from './MachineView';
import { VirtualList } from './VirtualList';

const api = vi.hoisted(() => ({ calls: [] as unknown[][] }));
vi.mock('../api/client', () => ({
  getApi: () => ({
    invoke: async (...args: unknown[]) => (
      api.calls.push(args),
      args[0] === 'machines.list' ? { machines: [], broken: [] } : args[0] === 'images.list' ? [] : { autostart: true, notes: [] }
    ),
    on: () => () => undefined,
  }),
  transport: () => 'web',
}));

beforeAll(() => {
  // jsdom has no layout: a ResizeObserver that reports nothing is enough here.
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  } as unknown as typeof ResizeObserver;
  // A stopped machine's view shows the console of its last boot: xterm and the terminal theme ask for media queries.
  window.matchMedia ??= ((query: string) => ({
    matches: false,
    media: query,
    addEventListener() {},
    removeEventListener() {},
    addListener() {},
    removeListener() {},
  })) as unknown as typeof window.matchMedia;
});
afterEach(cleanup);

const base = () => defaultProfile({ name: 'web', rootfs: '/images/web', machineId: 'a'.repeat(32) });
/** The wizard's field errors for a draft: the contract's problems by setting. */
const fieldErrors = (draft: MachineProfile) => Object.fromEntries(profileProblems(draft, { source: 'folder' }).map((p) => [p.setting, p.message]));

/** Renders a step with a draft that updates like the wizard's own. */
function renderStep(initial: MachineProfile) {
  let draft = initial;
  const view = render(<NetworkStep draft={draft} update={() => undefined} errors={{}} editing={false} />);
  const update = (patch: Partial<MachineProfile>) => {
    draft = { ...draft, ...patch };
    view.rerender(<NetworkStep draft={draft} update={update} errors={fieldErrors(draft)} editing={false} />);
  };
  view.rerender(<NetworkStep draft={draft} update={update} errors={fieldErrors(draft)} editing={false} />);
  return {
    get draft() {
      return draft;
    },
  };
}

describe('the capabilities step', () => {
  it("writes the contract's presets, the same as burrow create --caps, and toggles in the preset's form", () => {
    let draft = base();
    const update = (patch: Partial<MachineProfile>) => {
      draft = { ...draft, ...patch };
      view.rerender(<CapabilitiesStep draft={draft} update={update} errors={{}} editing={false} />);
    };
    const view = render(<CapabilitiesStep draft={draft} update={update} errors={{}} editing={false} />);
    expect(screen.getByRole('button', { name: 'All but audit control' }).getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(screen.getByRole('button', { name: 'Minimal for systemd' }));
    expect(draft.capabilities).toEqual(CAPABILITY_PRESETS.systemd.choice());
    expect(screen.getByRole('button', { name: 'Minimal for systemd' }).getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(screen.getByRole('checkbox', { name: /CAP_SYS_TIME/ }));
    expect(draft.capabilities).toEqual({ add: [...CAPABILITY_PRESETS.systemd.choice().add, 'CAP_SYS_TIME'], drop: [] });
    expect(screen.getByRole('button', { name: 'Minimal for systemd' }).getAttribute('aria-pressed')).toBe('false');
  });
});

describe('the network step', () => {
  it('adds a web forward on a free host port, refuses a duplicate inline, and drops forwards outside nat', () => {
    const step = renderStep(base());
    fireEvent.click(screen.getByRole('button', { name: '+ Web (80)' }));
    expect(step.draft.network.ports).toEqual([{ host: 8080, guest: 80, protocol: 'tcp', address: 'loopback' }]);
    fireEvent.click(screen.getByRole('button', { name: '+ Web (80)' }));
    expect(step.draft.network.ports.map((p) => p.host)).toEqual([8080, 8081]);
    fireEvent.change(screen.getByLabelText('Forward 2 host port'), { target: { value: '8080' } });
    expect(screen.getByRole('alert').textContent).toMatch(/Host port 8080\/tcp is forwarded twice/);
    fireEvent.click(screen.getByRole('radio', { name: /Isolated/ }));
    expect(step.draft.network).toEqual({ mode: 'isolated', ports: [] });
    expect(screen.queryByRole('table', { name: 'Port forwards' })).toBeNull();
  });
});

describe("the network step's user network", () => {
  it('names the network a nat machine joins, keeps it while ports change, refuses a hostile name inline, and drops it outside nat', () => {
    const step = renderStep(base());
    fireEvent.change(screen.getByLabelText('Network name'), { target: { value: 'lab' } });
    fireEvent.click(screen.getByRole('button', { name: '+ Web (80)' }));
    expect(step.draft.network).toEqual({ mode: 'nat', ports: [{ host: 8080, guest: 80, protocol: 'tcp', address: 'loopback' }], name: 'lab' });
    fireEvent.change(screen.getByLabelText('Network name'), { target: { value: 'default' } });
    expect(step.draft.network.name).toBeUndefined();
    fireEvent.change(screen.getByLabelText('Network name'), { target: { value: '../lab' } });
    expect(screen.getByRole('alert').textContent).toMatch(/a network name is 1-31 lowercase letters/i);
    fireEvent.click(screen.getByRole('radio', { name: /Isolated/ }));
    expect(step.draft.network).toEqual({ mode: 'isolated', ports: [] });
    expect(screen.queryByLabelText('Network name')).toBeNull();
  });
});

describe('the virtual list', () => {
  it('keeps the DOM small with 100,000 rows', () => {
    const items = Array.from({ length: 100_000 }, (_, i) => ({ id: i, text: `entry ${i}` }));
    render(<VirtualList items={items} rowHeight={20} label="Journal" render={(i) => i.text} rowKey={(i) => String(i.id)} />);
    const log = screen.getByRole('log', { name: 'Journal' });
    expect((log.firstChild as HTMLElement).style.height).toBe(`${100_000 * 20}px`);
    const rows = log.firstChild!.childNodes.length;
    expect(rows).toBeGreaterThan(0);
    expect(rows).toBeLessThan(60);
    expect(screen.getByText('entry 0')).toBeTruthy();
    // Scrolled to the middle: the rows there are rendered, the first ones are not.
    act(() => {
      log.scrollTop = 50_000 * 20;
      fireEvent.scroll(log);
    });
    expect(screen.getByText('entry 50000')).toBeTruthy();
    expect(screen.queryByText('entry 0')).toBeNull();
  });
});

describe('the machine facts strip', () => {
  it('links tcp forwards while the machine is up and says why limits were not applied', () => {
    const profile = {
      ...base(),
      network: {
        mode: 'nat' as const,
        ports: [
          { host: 8080, guest: 80, protocol: 'tcp' as const, address: 'loopback' as const },
          { host: 5353, guest: 53, protocol: 'udp' as const, address: 'all' as const },
        ],
      },
      limits: { memory: '1G' },
    };
    const status = { name: 'web', state: 'running' as const, limits: { applied: [], unavailable: 'no controller is delegated' } };
    render(<MachineFacts item={{ profile, status }} up />);
    expect(screen.getByRole('link', { name: '127.0.0.1:8080 → 80/tcp' }).getAttribute('href')).toBe('http://127.0.0.1:8080/');
    expect(screen.queryByRole('link', { name: /5353/ })).toBeNull();
    expect(screen.getByText('0.0.0.0:5353 → 53/udp')).toBeTruthy();
    // The limits asked for and that they are not applied read as one phrase; why is one click away.
    expect(screen.getByRole('group', { name: 'Network and resources' }).textContent).toContain('limits memory 1G (not applied on this host)');
    fireEvent.click(screen.getByRole('button', { name: 'Why?' }));
    expect(screen.getByRole('note').textContent).toBe('Limits are not applied because no controller is delegated. The machine runs without them.');
    cleanup();
    render(<MachineFacts item={{ profile, status: { name: 'web', state: 'exited' } }} up={false} />);
    expect(screen.queryByRole('link')).toBeNull();
  });

  it('names who you are inside, the shared folders and the display', () => {
    const profile = {
      ...base(),
      shareUser: { name: 'alice', uid: 1000, gid: 1000 },
      shares: [{ source: '/home/alice/docs', dest: '/docs', readOnly: true }],
      display: { wayland: true, x11: false, audio: true, gpu: false },
    };
    render(<MachineFacts item={{ profile, status: { name: 'web', state: 'stopped' } }} up={false} />);
    expect(screen.getByRole('group').textContent).toMatch(/you inside alice.*share \/docs \(read-only\).*display wayland, audio/);
  });
});

describe('risky choices', () => {
  const risky = (): MachineProfile => ({
    ...base(),
    mounts: [
      ...base().mounts,
      { type: 'bind', source: '/home/alice/', dest: '/mnt/home' },
      { type: 'ro-bind', source: '/home/alice/.ssh', dest: '/root/.ssh' },
    ],
    network: { mode: 'host', ports: [] },
  });
  const setMachine = (profile: MachineProfile) =>
    act(() => {
      useStore.getState().setMachines([{ profile, status: { name: 'web', state: 'stopped' } }], []);
      useStore.getState().setHost({ user: 'alice', home: '/home/alice', transport: 'web', platform: 'Linux', portStart: 1024, limits: {} });
    });

  it('the machine view shows them for as long as the setting is on', () => {
    setMachine(risky());
    render(<MachineView name="web" />);
    const risks = screen.getByRole('group', { name: 'Risks' });
    expect(risks.className).toContain('risk');
    expect(risks.textContent).toContain('Risky choices: root in this machine can act as you');
    const items = [...risks.querySelectorAll('li')].map((li) => li.textContent);
    expect(items).toEqual([
      expect.stringMatching(/^Risk: your home folder \/home\/alice is writable in the machine: root in the machine can then act as you: read your keys/),
      expect.stringMatching(/^Risk: host networking: .*abstract unix sockets such as X11's/),
      'Note: /home/alice/.ssh is readable in the machine: root in it can read the keys and tokens there and copy them out.',
    ]);
    // The home bind made read-only and the network isolated: only the note stays, milder.
    setMachine({
      ...risky(),
      mounts: risky().mounts.map((m) => (m.type === 'bind' ? { ...m, type: 'ro-bind' as const } : m)),
      network: { mode: 'isolated', ports: [] },
    });
    expect(screen.getByRole('group', { name: 'Risks' }).className).not.toContain('risk');
    setMachine(base());
    expect(screen.queryByRole('group', { name: 'Risks' })).toBeNull();
  });

  it("the review shows the plan's risks apart from its warnings, before anything is saved", () => {
    const plan: PlanView = {
      commandLine: 'bwrap …',
      mounts: [],
      cgroup: { presentation: 'hybrid', reason: 'test', hostLayout: 'hybrid', dirs: [] },
      idMapping: { mode: 'auto', description: 'root is you' },
      warnings: ['resource limits will not be applied: no controller is delegated.'],
      risks: [{ level: 'danger', text: "dev-bind /dev/fuse gives the machine the host's device nodes there." }],
      rootfs: { rootfs: '/images/web', ownership: [] },
      network: { mode: 'nat', ports: [] },
      limits: { writes: [] },
    };
    render(<ReviewStep draft={base()} update={() => undefined} errors={{}} editing={false} plan={plan} />);
    const risks = screen.getByRole('group', { name: 'Risks' });
    expect(risks.className).toContain('risk');
    expect(risks.querySelector('li')!.textContent).toBe("Risk: dev-bind /dev/fuse gives the machine the host's device nodes there.");
    expect(screen.getByRole('list', { name: 'Warnings' }).textContent).toBe('resource limits will not be applied: no controller is delegated.');
  });
});

describe('the machine view', () => {
  it('offers "Start at login" where the host can, among its actions, and asks the host to enable it', async () => {
    const profile = base();
    useStore.getState().setMachines([{ profile, status: { name: 'web', state: 'exited' }, autostart: false }], []);
    render(<MachineView name="web" />);
    fireEvent.click(screen.getByRole('button', { name: 'More actions' }));
    const toggle = screen.getByRole('menuitemcheckbox', { name: /Start at login/ });
    expect(toggle.getAttribute('aria-checked')).toBe('false');
    api.calls.length = 0;
    await act(async () => void fireEvent.click(toggle));
    expect(api.calls[0]).toEqual(['machines.setAutostart', 'web', true]);
    cleanup();
    useStore.getState().setMachines([{ profile, status: { name: 'web', state: 'exited' } }], []);
    render(<MachineView name="web" />);
    fireEvent.click(screen.getByRole('button', { name: 'More actions' }));
    expect(screen.queryByRole('menuitemcheckbox', { name: /Start at login/ })).toBeNull();
  });
});
