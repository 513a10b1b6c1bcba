import { useEffect, useMemo, useState } from 'react';
import type { PlanView } from '../../electron/contract/api';
import { defaultProfile, profileSchema, type MachineProfile } from '../../electron/contract/profile';
import { getApi } from '../api/client';
import { refreshMachines } from '../state/actions';
import { useStore } from '../state/store';
import { CapabilitiesStep, NamespacesStep } from './IsolationSteps';
import { MountsStep } from './MountsStep';
import { NetworkStep } from './NetworkStep';
import { CgroupStep, ReviewStep } from './ReviewSteps';
import { RootfsStep } from './RootfsStep';

const STEPS = ['Rootfs', 'Namespaces', 'Capabilities', 'Mounts', 'Network', 'cgroups', 'Review'] as const;
export type StepName = (typeof STEPS)[number];

function newMachineId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Field errors from the schema, keyed by dotted path (mounts.2.dest). */
export function fieldErrors(draft: MachineProfile): Record<string, string> {
  const parsed = profileSchema.safeParse(draft);
  if (parsed.success) return {};
  return Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.'), i.message]));
}

/** What a dropped or picked file must look like to be imported as an image rather than used as a folder. */
export const ARCHIVE_RE = /\.(tar|tgz|tar\.(gz|xz|zst|zstd|bz2)|oci|docker)$/i;

export interface StepProps {
  /** A tarball dropped onto the window: offered for import. */
  importSource?: string;
  draft: MachineProfile;
  update(patch: Partial<MachineProfile>): void;
  errors: Record<string, string>;
  plan?: PlanView;
  planError?: string;
  editing: boolean;
}

export function Wizard({ editing, initialRootfs, initialImage }: { editing?: MachineProfile; initialRootfs?: string; initialImage?: string }) {
  const importSource = initialRootfs && ARCHIVE_RE.test(initialRootfs) ? initialRootfs : undefined;
  const [draft, setDraft] = useState<MachineProfile>(() => {
    if (editing) return editing;
    const fresh = defaultProfile({ name: '', rootfs: importSource ? '' : (initialRootfs ?? ''), machineId: newMachineId() });
    const image = initialImage && useStore.getState().images.find((i) => i.image.name === initialImage)?.image;
    return image ? { ...fresh, image: image.name, rootfs: image.rootfs, storage: 'persistent' } : fresh;
  });
  const [step, setStep] = useState<StepName>('Rootfs');
  const [plan, setPlan] = useState<PlanView>();
  const [planError, setPlanError] = useState<string>();
  const [saving, setSaving] = useState(false);
  const errors = useMemo(() => fieldErrors(draft), [draft]);
  const taken = useStore((s) => !editing && !!draft.name && !!s.machines[draft.name]);
  const allErrors = taken ? { ...errors, name: `a machine named "${draft.name}" already exists` } : errors;

  // The exact command, recomputed as you type (debounced): what Start will run.
  useEffect(() => {
    if (Object.keys(errors).length) {
      setPlan(undefined);
      setPlanError(undefined);
      return;
    }
    const t = setTimeout(() => {
      getApi()
        .invoke('machines.plan', draft)
        .then(
          (p) => {
            setPlan(p);
            setPlanError(undefined);
          },
          (e: Error) => {
            setPlan(undefined);
            setPlanError(e.message);
          },
        );
    }, 250);
    return () => clearTimeout(t);
  }, [draft, errors]);

  const update = (patch: Partial<MachineProfile>) => setDraft((d) => ({ ...d, ...patch }));
  const index = STEPS.indexOf(step);
  const canSave = !Object.keys(allErrors).length && !!plan && !planError;

  const save = async () => {
    setSaving(true);
    try {
      const api = getApi();
      if (editing) {
        const r = await api.invoke('machines.update', draft);
        useStore.getState().notify('info', r.changed.length ? `Saved ${draft.name}: ${r.changed.join(', ')} changed${r.restartNeeded ? '. Restart the machine to apply.' : '.'}` : `No changes to ${draft.name}.`);
      } else {
        await api.invoke('machines.create', draft);
        useStore.getState().notify('info', `Created ${draft.name}. Start it when you are ready.`);
      }
      await refreshMachines();
      useStore.getState().show({ kind: 'machine', name: draft.name });
    } catch (e) {
      setPlanError((e as Error).message);
    } finally {
      setSaving(false);
    }
  };

  const props: StepProps = { draft, update, errors: allErrors, plan, planError, editing: !!editing, importSource };
  return (
    <section className="wizard" aria-label={editing ? `Edit ${editing.name}` : 'New machine'}>
      <h2>{editing ? `Edit ${editing.name}` : 'New machine'}</h2>
      <ol className="steps" aria-label="Steps">
        {STEPS.map((s, i) => (
          <li key={s}>
            <button aria-current={s === step ? 'step' : undefined} onClick={() => setStep(s)}>
              <span className="num">{i + 1}</span> {s}
            </button>
          </li>
        ))}
      </ol>
      <div className="step-body">
        {step === 'Rootfs' && <RootfsStep {...props} />}
        {step === 'Namespaces' && <NamespacesStep {...props} />}
        {step === 'Capabilities' && <CapabilitiesStep {...props} />}
        {step === 'Mounts' && <MountsStep {...props} />}
        {step === 'Network' && <NetworkStep {...props} />}
        {step === 'cgroups' && <CgroupStep {...props} />}
        {step === 'Review' && <ReviewStep {...props} />}
      </div>
      {/* The Rootfs step shows problems with the folder in its own field; Review lists everything. */}
      {planError && step !== 'Review' && step !== 'Rootfs' && (
        <p className="error-text" role="alert">
          {planError}
        </p>
      )}
      <div className="wizard-nav">
        <button onClick={() => useStore.getState().show(editing ? { kind: 'machine', name: editing.name } : { kind: 'home' })}>Cancel</button>
        <span className="spacer" />
        {index > 0 && <button onClick={() => setStep(STEPS[index - 1]!)}>Back</button>}
        {index < STEPS.length - 1 && (
          <button className="primary" onClick={() => setStep(STEPS[index + 1]!)}>
            Next
          </button>
        )}
        {index === STEPS.length - 1 && (
          <button className="primary" disabled={!canSave || saving} onClick={() => void save()}>
            {editing ? 'Save changes' : 'Create machine'}
          </button>
        )}
      </div>
    </section>
  );
}
