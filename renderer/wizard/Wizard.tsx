import { useEffect, useMemo, useState } from 'react';
import type { HostInfo, PlanView } from '../../electron/contract/api';
import { isLive } from '../../electron/contract/machine-state';
import type { MachineProfile } from '../../electron/contract/profile';
import { profileProblems, type SettingProblem } from '../../electron/contract/profile-problems';
import { getApi } from '../api/client';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { machineAction, refreshMachines } from '../state/actions';
import type { View, WizardStep } from '../state/route';
import { useStore } from '../state/store';
import { defaultImage, forgetDraft, imagePatch, initialDraft, saveDraft, type DraftState, type Source } from './draft';
import { CapabilitiesStep, NamespacesStep } from './IsolationSteps';
import { MountsStep } from './MountsStep';
import { NetworkStep } from './NetworkStep';
import { BasicsStep } from './BasicsStep';
import { CgroupStep } from './CgroupStep';
import { LimitsStep } from './LimitsStep';
import { ReviewStep } from './ReviewStep';
import { StorageStep } from './StorageStep';
import { StepNav } from './StepNav';

/** What an image archive looks like (a dropped file is imported as an image, a folder used as one). */
export const ARCHIVE_RE = /\.(tar|tgz|tar\.(gz|xz|zst|zstd|bz2)|oci|docker)$/i;

/** Settings whose problem waits until they were touched (or Review): a new wizard is not red before anyone typed. */
const QUIET_UNTIL_TOUCHED = ['name', 'image', 'rootfs'];

export interface StepProps {
  /** A tarball dropped onto the window: offered for import. */
  importSource?: string;
  draft: MachineProfile;
  update(patch: Partial<MachineProfile>): void;
  /** Problems to show at their fields, by setting (`mounts.2.dest`). */
  errors: Record<string, string>;
  plan?: PlanView;
  planError?: string;
  editing: boolean;
  host?: HostInfo;
  source?: Source;
  setSource?(s: Source): void;
  /** The image being made from this wizard, while it is (cancelling the wizard then asks). */
  onMaking?(name: string | undefined): void;
  touch?(setting: string): void;
  problems?: SettingProblem[];
  go?(step: WizardStep): void;
}

/** Which problems show: all on Review, else those of settings the user has touched or that are not quiet. */
export function visibleProblems(problems: SettingProblem[], touched: readonly string[], step: WizardStep): SettingProblem[] {
  if (step === 'review') return problems;
  return problems.filter((p) => !QUIET_UNTIL_TOUCHED.includes(p.setting) || touched.includes(p.setting));
}

export function Wizard({ view }: { view: Extract<View, { kind: 'wizard' }> }) {
  const editing = useStore((s) => (view.edit ? s.machines[view.edit] : undefined));
  const loaded = useStore((s) => s.loaded);
  if (view.edit && !editing) return <p className="pad">{loaded ? `There is no machine named ${view.edit}.` : 'Loading…'}</p>;
  return <WizardForm view={view} editing={editing?.profile} live={!!editing && isLive(editing.status)} />;
}

function WizardForm({ view, editing, live }: { view: Extract<View, { kind: 'wizard' }>; editing?: MachineProfile; live: boolean }) {
  const key = editing ? `edit:${editing.name}` : `new:${view.image ?? view.rootfs ?? ''}`;
  const importSource = view.rootfs && ARCHIVE_RE.test(view.rootfs) ? view.rootfs : undefined;
  const host = useStore((s) => s.host);
  const machines = useStore((s) => s.machines);
  const images = useStore((s) => s.images);
  const taken = useMemo(() => (editing ? [] : Object.keys(machines)), [editing, machines]);
  const [state, setState] = useState<DraftState>(() =>
    initialDraft({ key, editing, image: view.image, rootfs: importSource ? undefined : view.rootfs, images, taken }),
  );
  const { draft, source, touched } = state;
  // Opened by its address (a reload on #/new), the wizard may come before the image list: the newest image
  // is chosen once the list arrives, unless the user has chosen or typed something by then.
  useEffect(() => {
    const image = defaultImage(images, view.image);
    if (editing || !image) return;
    setState((s) =>
      s.source !== 'image' || s.draft.image || s.touched.length ? s : { ...s, draft: { ...s.draft, ...imagePatch(s.draft, image, taken, !s.draft.name) } },
    );
  }, [images, editing, view.image, taken]);
  const step: WizardStep = view.step ?? 'basics';
  const [plan, setPlan] = useState<PlanView>();
  const [planError, setPlanError] = useState<string>();
  const [saving, setSaving] = useState(false);
  const [making, setMaking] = useState<string>();
  const [leaving, setLeaving] = useState(false);

  const problems = useMemo(() => profileProblems(draft, { source, taken, portStart: host?.portStart }), [draft, source, taken, host?.portStart]);
  const shown = visibleProblems(problems, touched, step);
  const errors = Object.fromEntries(shown.map((p) => [p.setting, p.message]));
  useEffect(() => saveDraft(key, state), [key, state]);

  // The exact command, recomputed as you type (debounced): what Create and start will run.
  useEffect(() => {
    if (problems.length) {
      setPlan(undefined);
      setPlanError(undefined);
      return;
    }
    const t = setTimeout(() => {
      getApi()
        .invoke('machines.plan', draft)
        .then(
          (p) => (setPlan(p), setPlanError(undefined)),
          (e: Error) => (setPlan(undefined), setPlanError(e.message)),
        );
    }, 250);
    return () => clearTimeout(t);
  }, [draft, problems.length]);

  const update = (patch: Partial<MachineProfile>) =>
    setState((s) => ({ ...s, draft: { ...s.draft, ...patch }, touched: [...new Set([...s.touched, ...Object.keys(patch)])] }));
  const setSource = (next: Source) =>
    setState((s) => ({
      ...s,
      source: next,
      draft: next === 'folder' ? { ...s.draft, image: undefined, rootfs: '', storage: 'direct' } : { ...s.draft, rootfs: '' },
    }));
  const touch = (setting: string) => setState((s) => (s.touched.includes(setting) ? s : { ...s, touched: [...s.touched, setting] }));
  const go = (next: WizardStep) => useStore.getState().show({ ...view, step: next }, { replace: true });
  const canSave = !problems.length && !!plan && !planError && !saving;

  const leave = () => {
    forgetDraft();
    useStore.getState().show(editing ? { kind: 'machine', name: editing.name } : { kind: 'home' });
  };
  const cancel = () => (making ? setLeaving(true) : leave());

  const save = async () => {
    setSaving(true);
    try {
      const api = getApi();
      if (editing) {
        const r = await api.invoke('machines.update', draft);
        const news = r.changed.length ? `Saved ${draft.name}: ${r.changed.join(', ')} changed` : `No changes to ${draft.name}`;
        useStore.getState().notify('info', r.restartNeeded ? `${news}; they apply when it next starts.` : `${news}.`);
      } else await api.invoke('machines.create', draft);
      forgetDraft();
      await refreshMachines();
      useStore.getState().show({ kind: 'machine', name: draft.name });
      if (!editing) void machineAction(draft.name, 'start');
    } catch (e) {
      setPlanError((e as Error).message);
    } finally {
      setSaving(false);
    }
  };

  const props: StepProps = {
    draft,
    update,
    errors,
    plan,
    planError,
    editing: !!editing,
    importSource,
    host,
    source,
    setSource,
    onMaking: setMaking,
    touch,
    problems,
    go,
  };
  // The bar says what stands between the user and a machine: the problems shown (loud), then what is
  // simply not filled in yet (a hint, not an error: nobody typed there).
  const waiting = problems.filter((p) => !shown.includes(p));
  const loud =
    shown.length === 1
      ? `${shown[0]!.label} needs a change.`
      : shown.length
        ? `${shown.length} settings need a change: ${shown.map((p) => p.label).join(', ')}.`
        : '';
  const status =
    [loud, ...waiting.map((p) => p.message)].filter(Boolean).join(' ') ||
    planError ||
    (plan ? (editing && live ? 'Ready. A running machine takes the changes when it next starts.' : 'Ready.') : 'Checking…');
  const statusIsError = !!shown.length || (!problems.length && !!planError);
  return (
    <section className="wizard" aria-label={editing ? `Edit ${editing.name}` : 'New machine'}>
      <h2>{editing ? `Edit ${editing.name}` : 'New machine'}</h2>
      <div className="wizard-body">
        <StepNav step={step} problems={shown} go={go} />
        <div className="step-body">
          {step === 'basics' && <BasicsStep {...props} />}
          {step === 'storage' && <StorageStep {...props} />}
          {step === 'network' && <NetworkStep {...props} />}
          {step === 'limits' && <LimitsStep {...props} />}
          {step === 'mounts' && <MountsStep {...props} />}
          {step === 'capabilities' && <CapabilitiesStep {...props} />}
          {step === 'namespaces' && <NamespacesStep {...props} />}
          {step === 'cgroups' && <CgroupStep {...props} />}
          {step === 'review' && <ReviewStep {...props} />}
        </div>
      </div>
      <div className="wizard-nav">
        <button onClick={cancel}>Cancel</button>
        <p className={`wizard-status ${statusIsError ? 'error-text' : 'hint'}`} role="status" aria-live="polite">
          {status}
        </p>
        {step !== 'review' && <button onClick={() => go('review')}>Review</button>}
        <button className="primary" disabled={!canSave} onClick={() => void save()}>
          {saving ? (editing ? 'Saving…' : 'Creating…') : editing ? 'Save changes' : 'Create and start'}
        </button>
      </div>
      {leaving && making && (
        <ConfirmDialog
          title={`Image ${making} is still being made`}
          cancelLabel="Stay here"
          onCancel={() => setLeaving(false)}
          choices={[
            { label: 'Keep making it', onChoose: leave },
            {
              label: 'Stop and leave',
              danger: true,
              onChoose: () => {
                void getApi()
                  .invoke('images.cancel', making)
                  .catch(() => undefined);
                leave();
              },
            },
          ]}
        >
          <p>
            It can go on without the wizard: it stays in the task area at the bottom of the window, with its progress and Cancel, and says when it is ready.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
