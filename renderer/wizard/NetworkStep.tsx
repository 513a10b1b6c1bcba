import { DEFAULT_NETWORK_NAME } from '../../electron/contract/network-name';
import type { NetworkMode, PortForward } from '../../electron/contract/profile';
import type { StepProps } from './Wizard';

const MODES: { mode: NetworkMode; label: string; explain: string }[] = [
  { mode: 'nat', label: 'User-mode NAT (recommended)', explain: 'Own network with outbound access through pasta; reach its services through the port forwards below.' },
  { mode: 'isolated', label: 'Isolated', explain: 'Own network with loopback only: nothing goes in or out.' },
  { mode: 'host', label: "Host's network", explain: "Shares your network: services bind your ports directly, and ports below 1024 (apache's :80) cannot be bound." },
];

/** A free-looking host port for a new forward: 8080 for 80, else 10000 + guest port. */
function suggestHostPort(ports: PortForward[], guest: number): number {
  let port = guest === 80 ? 8080 : guest < 1024 ? 10000 + guest : guest;
  while (ports.some((p) => p.host === port)) port++;
  return port;
}

export function NetworkStep({ draft, update, errors, plan }: StepProps) {
  const { mode, ports, name } = draft.network;
  const setPorts = (next: PortForward[]) => update({ network: { ...draft.network, ports: next } });
  // The default network is no name at all in the profile, as `burrow create` stores it.
  const setName = (next: string) => update({ network: { mode, ports, ...(next && next !== DEFAULT_NETWORK_NAME ? { name: next } : {}) } });
  const change = (i: number, patch: Partial<PortForward>) => setPorts(ports.map((p, j) => (j === i ? { ...p, ...patch } : p)));
  const portNumber = (value: string) => (value === '' ? 0 : Number(value));
  return (
    <div>
      <fieldset>
        <legend>Network</legend>
        {MODES.map((m) => (
          <label key={m.mode} className="radio">
            <input type="radio" name="network" checked={mode === m.mode} onChange={() => update({ network: { mode: m.mode, ports: m.mode === 'nat' ? ports : [] } })} /> <strong>{m.label}</strong>
            <span className="hint"> {m.explain}</span>
          </label>
        ))}
      </fieldset>
      {mode === 'nat' && (
        <fieldset>
          <legend>User network</legend>
          <label>
            Network name <input aria-label="Network name" placeholder={DEFAULT_NETWORK_NAME} value={name ?? ''} onChange={(e) => setName(e.target.value)} />
          </label>
          <span className="hint"> Machines on the same network reach each other by machine name; a machine on another network, or on none (name it none), cannot reach them.</span>
          {errors['network.name'] && (
            <p className="error-text" role="alert">
              {errors['network.name']}
            </p>
          )}
        </fieldset>
      )}
      {mode === 'nat' && (
        <fieldset>
          <legend>Port forwards (host → machine)</legend>
          {errors['network.ports'] && (
            <p className="error-text" role="alert">
              {errors['network.ports']}
            </p>
          )}
          {ports.length === 0 && <p className="hint">No ports forwarded: the machine can reach out, nothing can reach in.</p>}
          <table className="mount-table" aria-label="Port forwards">
            <thead>
              <tr>
                <th scope="col">Host port</th>
                <th scope="col">Machine port</th>
                <th scope="col">Protocol</th>
                <th scope="col">Listen on</th>
                <th scope="col" />
              </tr>
            </thead>
            <tbody>
              {ports.map((p, i) => {
                const err = errors[`network.ports.${i}.host`] ?? errors[`network.ports.${i}.guest`] ?? errors[`network.ports.${i}`];
                return (
                  <tr key={i} className={err ? 'invalid' : undefined}>
                    <td>
                      <input type="number" min={1} max={65535} aria-label={`Forward ${i + 1} host port`} value={p.host || ''} onChange={(e) => change(i, { host: portNumber(e.target.value) })} />
                    </td>
                    <td>
                      <input type="number" min={1} max={65535} aria-label={`Forward ${i + 1} machine port`} value={p.guest || ''} onChange={(e) => change(i, { guest: portNumber(e.target.value) })} />
                    </td>
                    <td>
                      <select aria-label={`Forward ${i + 1} protocol`} value={p.protocol} onChange={(e) => change(i, { protocol: e.target.value as PortForward['protocol'] })}>
                        <option value="tcp">TCP</option>
                        <option value="udp">UDP</option>
                      </select>
                    </td>
                    <td>
                      <select aria-label={`Forward ${i + 1} address`} value={p.address} onChange={(e) => change(i, { address: e.target.value as PortForward['address'] })}>
                        <option value="loopback">127.0.0.1 (this computer)</option>
                        <option value="all">all interfaces (your network)</option>
                      </select>
                      {err && (
                        <div className="error-text" role="alert">
                          {err}
                        </div>
                      )}
                    </td>
                    <td>
                      <button aria-label={`Remove forward ${i + 1}`} onClick={() => setPorts(ports.filter((_, j) => j !== i))}>
                        ✕
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <div className="presets" role="group" aria-label="Port presets">
            <button onClick={() => setPorts([...ports, { host: suggestHostPort(ports, 80), guest: 80, protocol: 'tcp', address: 'loopback' }])}>+ Web (80)</button>
            <button onClick={() => setPorts([...ports, { host: suggestHostPort(ports, 22), guest: 22, protocol: 'tcp', address: 'loopback' }])}>+ SSH (22)</button>
            <button onClick={() => setPorts([...ports, { host: suggestHostPort(ports, 8000), guest: 8000, protocol: 'tcp', address: 'loopback' }])}>+ Another port</button>
          </div>
        </fieldset>
      )}
      {plan?.network.helper && (
        <p className="hint">
          Once PID 1 runs, Burrow configures its network with <code>{plan.network.helper}</code> (PID 1 waits until it is ready).
        </p>
      )}
    </div>
  );
}
