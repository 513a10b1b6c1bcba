// @vitest-environment jsdom
// The mounts step's shared folders and display: shares edited into the draft with the schema's errors under
// them, the share user typed as a name or uid (fixed once a machine has one), and each display part with what
// it passes in and what it exposes.
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { DISPLAY_PART_INFO } from '../../electron/contract/display';
import { defaultProfile, type MachineProfile } from '../../electron/contract/profile';
import { DisplaySection } from './DisplaySection';
import { SharesSection } from './SharesSection';
import { profileProblems } from '../../electron/contract/profile-problems';

afterEach(cleanup);
/** The wizard's field errors for a draft: the contract's problems by setting. */
const fieldErrors = (draft: MachineProfile) => Object.fromEntries(profileProblems(draft, { source: 'folder' }).map((p) => [p.setting, p.message]));
const base = (): MachineProfile => defaultProfile({ name: 'dev', rootfs: '/images/dev', machineId: 'a'.repeat(32) });

/** Renders a section with a draft that updates as the wizard's does. */
function live(Section: typeof SharesSection, initial: MachineProfile, editing = false) {
  let draft = initial;
  const view = render(<Section draft={draft} update={() => undefined} errors={{}} editing={editing} />);
  const update = (patch: Partial<MachineProfile>) => {
    draft = { ...draft, ...patch };
    view.rerender(<Section draft={draft} update={update} errors={fieldErrors(draft)} editing={editing} />);
  };
  view.rerender(<Section draft={draft} update={update} errors={fieldErrors(draft)} editing={editing} />);
  return {
    get draft() {
      return draft;
    },
  };
}

describe('shared folders in the wizard', () => {
  it("adds a share, marks it read-only, and shows the schema's error for a share onto /proc", () => {
    const s = live(SharesSection, base());
    fireEvent.click(screen.getByRole('button', { name: '+ Share a folder' }));
    fireEvent.change(screen.getByLabelText('Share 1 host folder'), { target: { value: '/home/alice/project' } });
    fireEvent.change(screen.getByLabelText('Share 1 folder inside'), { target: { value: '/proc' } });
    expect(screen.getByRole('alert').textContent).toMatch(/cannot be \/proc: \/proc belongs to the machine's own workings/i);
    fireEvent.change(screen.getByLabelText('Share 1 folder inside'), { target: { value: '/work' } });
    fireEvent.click(screen.getByLabelText('Share 1 read-only'));
    expect(s.draft.shares).toEqual([{ source: '/home/alice/project', dest: '/work', readOnly: true }]);
    expect(screen.queryByRole('alert')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Remove share 1' }));
    expect(s.draft.shares).toBeUndefined();
  });

  it('takes the share user as a name or a uid, refuses root, and leaves it alone once the machine has one', () => {
    const s = live(SharesSection, base());
    const input = screen.getByLabelText('Your user inside (name or uid)');
    fireEvent.change(input, { target: { value: 'www-data' } });
    expect(s.draft.shareUser).toEqual({ name: 'www-data' });
    fireEvent.change(input, { target: { value: '0' } });
    expect(screen.getByRole('alert').textContent).toMatch(/0 is root, who is never you/);
    cleanup();
    live(SharesSection, { ...base(), shareUser: { name: 'alice', uid: 1000, gid: 1000 } }, true);
    expect((screen.getByLabelText('Your user inside (name or uid)') as HTMLInputElement).disabled).toBe(true);
    expect(screen.getByText(/uid 1000 \(alice\), fixed for this machine/)).toBeTruthy();
  });
});

describe('the display in the wizard', () => {
  it('turns on every part, says what each passes and exposes, and turns X11 off alone', () => {
    const s = live(DisplaySection as typeof SharesSection, base());
    fireEvent.click(screen.getByRole('checkbox', { name: /Show apps from this machine on your desktop/ }));
    expect(s.draft.display).toEqual({ wayland: true, x11: true, audio: true, gpu: true });
    const list = screen.getByRole('list', { name: 'What the display passes' });
    for (const info of Object.values(DISPLAY_PART_INFO)) {
      expect(list.textContent).toContain(info.passes);
      expect(list.textContent).toContain(info.exposes);
    }
    expect(list.textContent).toMatch(/sees only those: not the rest of the screen[\s\S]*can read the whole screen/);
    fireEvent.click(screen.getByRole('checkbox', { name: /X11 \(Xwayland\)/ }));
    expect(s.draft.display).toEqual({ wayland: true, x11: false, audio: true, gpu: true });
    fireEvent.click(screen.getByRole('checkbox', { name: /Show apps from this machine/ }));
    expect(s.draft.display).toBeUndefined();
  });
});
