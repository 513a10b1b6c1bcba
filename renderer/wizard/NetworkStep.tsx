import { Fragment } from 'react';
import { DEFAULT_NETWORK_NAME } from '../../electron/contract/network-name';
import { suggestHostPort } from '../../electron/contract/plain';
import type { NetworkMode, PortForward } from '../../electron/contract/profile';
import { NETWORK_CHOICES } from '../../electron/contract/profile-summary';
import { StepIntro } from './StepIntro';
import type { StepProps } from './Wizard';

const MODES: NetworkMode[] = ['nat', 'isolated', 'host'];

/** Own network with outbound access (and forwards in), loopback only, or the host's; with the forwards as a table. */
export function NetworkStep({ draft, update, errors, plan, host }: StepProps) {
  const { mode, ports, name } = draft.network;
  const setPorts = (next: PortForward[]) => update({ network: { ...draft.network, ports: next } });
  // The default network is no name at all in the profile, as `burrow create` stores it.
  const setName = (next: string) => update({ network: { mode, ports, ...(next && next !== DEFAULT_NETWORK_NAME ? { name: next } : {}) } });
  const change = (i: number, patch: Partial<PortForward>) => setPorts(ports.map((p, j) => (j === i ? { ...p, ...patch } : p)));
  const portNumber = (value: string) => (value === '' ? 0 : Number(value));
  const add = (guest: number) =>
    setPorts([
      ...ports,
      {
        host: suggestHostPort(
          guest,
          ports.map((p) => p.host),
          host?.portStart,
        ),
        guest,
        protocol: 'tcp',
        address: 'loopback',
      },
    ]);
  return (
    <div>
      <StepIntro id="network" />
      <fieldset>
        <legend>Network</legend>
        {MODES.map((m) => (
          <label key={m} className="radio">
            <input type="radio" name="network" checked={mode === m} onChange={() => update({ network: { mode: m, ports: m === 'nat' ? ports : [] } })} />{' '}
            <strong>{NETWORK_CHOICES[m].label}</strong>
            <span className="hint"> {NETWORK_CHOICES[m].explain}</span>
          </label>
        ))}
      </fieldset>
      {mode === 'nat' && (
        <fieldset>
          <legend>User network</legend>
          <label>
            Network name <input aria-label="Network name" placeholder={DEFAULT_NETWORK_NAME} value={name ?? ''} onChange={(e) => setName(e.target.value)} />
          </label>
          <span className="hint">
            {' '}
            Machines on the same network reach each other by machine name; a machine on another network, or on none (name it none), cannot reach them.
          </span>
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
          <div className="table-scroll">
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
                  const hostErr = errors[`network.ports.${i}.host`];
                  const guestErr = errors[`network.ports.${i}.guest`];
                  const err = hostErr ?? guestErr ?? errors[`network.ports.${i}`];
                  return (
                    <Fragment key={i}>
                      <tr className={err ? 'invalid' : undefined}>
                        <td>
                          <input
                            type="number"
                            min={1}
                            max={65535}
                            aria-label={`Forward ${i + 1} host port`}
                            aria-invalid={!!(hostErr ?? errors[`network.ports.${i}`])}
                            aria-describedby={err ? `forward-${i}-error` : undefined}
                            value={p.host || ''}
                            onChange={(e) => change(i, { host: portNumber(e.target.value) })}
                          />
                        </td>
                        <td>
                          <input
                            type="number"
                            min={1}
                            max={65535}
                            aria-label={`Forward ${i + 1} machine port`}
                            aria-invalid={!!guestErr}
                            value={p.guest || ''}
                            onChange={(e) => change(i, { guest: portNumber(e.target.value) })}
                          />
                        </td>
                        <td>
                          <select
                            aria-label={`Forward ${i + 1} protocol`}
                            value={p.protocol}
                            onChange={(e) => change(i, { protocol: e.target.value as PortForward['protocol'] })}
                          >
                            <option value="tcp">TCP</option>
                            <option value="udp">UDP</option>
                          </select>
                        </td>
                        <td>
                          <select
                            aria-label={`Forward ${i + 1} address`}
                            value={p.address}
                            onChange={(e) => change(i, { address: e.target.value as PortForward['address'] })}
                          >
                            <option value="loopback">this computer only</option>
                            <option value="all">your network too</option>
                          </select>
                        </td>
                        <td>
                          <button aria-label={`Remove forward ${i + 1}`} onClick={() => setPorts(ports.filter((_, j) => j !== i))}>
                            ✕
                          </button>
                        </td>
                      </tr>
                      {err && (
                        <tr className="row-error">
                          <td colSpan={5} className="error-text" id={`forward-${i}-error`} role="alert">
                            {err}
                          </td>
                        </tr>
                      )}
                    </Fragment>
                  );
                })}
              </tbody>
            </table>
          </div>
          <div className="presets" role="group" aria-label="Port presets">
            <button onClick={() => add(80)}>+ Web (80)</button>
            <button onClick={() => add(22)}>+ SSH (22)</button>
            <button onClick={() => add(8000)}>+ Another port</button>
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
