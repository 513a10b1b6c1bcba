import {
  CAPABILITY_GROUPS,
  CAPABILITY_PRESET_IDS,
  CAPABILITY_PRESETS,
  dropCapability,
  grantCapability,
  grantedCapabilities,
  presetOf,
  SYSTEMD_CAPABILITIES,
  type Capability,
} from '../../electron/contract/capabilities';
import type { MachineProfile } from '../../electron/contract/profile';
import { defaultProfile } from '../../electron/contract/profile';
import { StepIntro } from './StepIntro';
import type { StepProps } from './Wizard';

const NAMESPACES: { key: keyof MachineProfile['namespaces']; label: string; flag: string; explain: string; systemd: boolean }[] = [
  { key: 'pid', label: 'Process IDs', flag: '--unshare-pid', explain: 'The machine sees only its own processes, and systemd runs as PID 1.', systemd: true },
  {
    key: 'cgroup',
    label: 'cgroups',
    flag: '--unshare-cgroup',
    explain: "The machine's own cgroup appears as the root of /sys/fs/cgroup, so systemd can manage it.",
    systemd: true,
  },
  { key: 'ipc', label: 'IPC', flag: '--unshare-ipc', explain: 'Own System V IPC and POSIX message queues.', systemd: false },
  { key: 'uts', label: 'Hostname', flag: '--unshare-uts', explain: 'Own hostname and domain name.', systemd: false },
];

export function NamespacesStep({ draft, update }: StepProps) {
  const defaults = defaultProfile({ name: 'x', rootfs: '/', machineId: '0'.repeat(32) }).namespaces;
  return (
    <>
      <StepIntro id="namespaces" />
      <fieldset className="toggles">
        <legend>Namespaces</legend>
        <div className="toggle-row static">
          <div>
            <strong>Users</strong> <code>unshare --map-auto</code> <span className="chip">systemd needs this</span>
            <p>Always on: root inside is you, other users are your subordinate ids. Nothing inside can act as your real root.</p>
          </div>
        </div>
        {NAMESPACES.map((n) => (
          <div className="toggle-row" key={n.key}>
            <label>
              <input
                type="checkbox"
                role="switch"
                checked={draft.namespaces[n.key]}
                onChange={(e) => update({ namespaces: { ...draft.namespaces, [n.key]: e.target.checked } })}
              />
              <strong>{n.label}</strong> <code>{n.flag}</code> {n.systemd && <span className="chip">systemd needs this</span>}
            </label>
            <p>{n.explain}</p>
          </div>
        ))}
        <button onClick={() => update({ namespaces: defaults })}>Reset namespaces</button>
      </fieldset>
    </>
  );
}

const EXPLAIN: Partial<Record<Capability, string>> = {
  CAP_SYS_ADMIN: 'mount file systems, set hostname: systemd needs it to boot',
  CAP_SETUID: 'switch user: services with User=',
  CAP_SETGID: 'switch group: services with Group=',
  CAP_NET_BIND_SERVICE: 'bind ports below 1024 (apache on :80)',
  CAP_AUDIT_WRITE: 'write audit records (dbus asks for it; grants nothing in a user namespace)',
  CAP_AUDIT_CONTROL: 'configure the audit subsystem (not namespaced)',
  CAP_AUDIT_READ: 'read the audit log (not namespaced)',
  CAP_CHOWN: 'change file owners',
  CAP_KILL: "signal other users' processes",
  CAP_NET_ADMIN: "configure the machine's network",
  CAP_SYS_PTRACE: 'trace processes (debuggers)',
  CAP_MKNOD: 'create device nodes (the kernel still refuses most)',
};

/** The presets are `burrow create --caps ID`'s, and a toggle keeps the choice's form, as --cap-add/--cap-drop do. */
export function CapabilitiesStep({ draft, update, errors }: StepProps) {
  const on = grantedCapabilities(draft.capabilities);
  const current = presetOf(draft.capabilities);
  const toggle = (c: Capability, value: boolean) => update({ capabilities: (value ? grantCapability : dropCapability)(draft.capabilities, c) });
  return (
    <>
      <StepIntro id="capabilities" />
      <fieldset className="toggles caps">
        <legend>Capabilities (inside the machine's user namespace only)</legend>
        <div className="presets" role="group" aria-label="Capability presets">
          {CAPABILITY_PRESET_IDS.map((id) => (
            <button key={id} aria-pressed={current === id} onClick={() => update({ capabilities: CAPABILITY_PRESETS[id].choice() })}>
              {CAPABILITY_PRESETS[id].label}
            </button>
          ))}
        </div>
        {errors['capabilities.add'] && (
          <p className="error-text" role="alert">
            {errors['capabilities.add']}
          </p>
        )}
        {CAPABILITY_GROUPS.map((g) => (
          <div key={g.label} className="cap-group">
            <h4>{g.label}</h4>
            {g.caps.map((c) => (
              <label key={c} className="cap">
                <input type="checkbox" checked={on.has(c)} onChange={(e) => toggle(c, e.target.checked)} />
                <code>{c}</code> {SYSTEMD_CAPABILITIES.includes(c) && <span className="chip">systemd needs this</span>}
                {EXPLAIN[c] && <span className="explain">{EXPLAIN[c]}</span>}
              </label>
            ))}
          </div>
        ))}
      </fieldset>
    </>
  );
}
