// Calls that change state, with their errors turned into notices a person can read.
import { hasEnded } from '../../electron/contract/machine-state';
import { getApi } from '../api/client';
import { useStore } from './store';

export async function refreshMachines(): Promise<void> {
  const { machines, broken } = await getApi().invoke('machines.list');
  useStore.getState().setMachines(machines, broken);
  // Which machines use which image changes with the machines.
  await refreshImages();
}

export async function refreshImages(): Promise<void> {
  useStore.getState().setImages(await getApi().invoke('images.list'));
}

export async function refreshDoctor(): Promise<void> {
  useStore.getState().setDoctor(await getApi().invoke('host.doctor'));
}

/** Who and where the user is: the machine view judges binds against the home folder. */
export async function refreshHost(): Promise<void> {
  useStore.getState().setHost(await getApi().invoke('host.info'));
}

/** Runs a machine action, marking the machine busy and reporting failure as a notice. */
export async function machineAction(name: string, action: 'start' | 'stop' | 'kill' | 'restart' | 'remove'): Promise<void> {
  const s = useStore.getState();
  s.setBusy(name, action);
  try {
    const api = getApi();
    if (action === 'remove') {
      await api.invoke('machines.remove', name);
      s.show({ kind: 'home' });
    } else {
      const status = await api.invoke(`machines.${action}`, name);
      s.applyStatus(status);
      if (action === 'start' || action === 'restart') {
        if (hasEnded(status)) s.notify('error', `${name} failed to boot: ${status.message ?? status.state}`);
      }
    }
    await refreshMachines();
  } catch (e) {
    s.notify('error', (e as Error).message);
  } finally {
    useStore.getState().setBusy(name, undefined);
  }
}

/** Discards a persistent machine's changes on top of its image. */
export async function resetToImage(name: string): Promise<void> {
  const s = useStore.getState();
  try {
    const { discarded } = await getApi().invoke('machines.reset', name);
    s.notify('info', discarded ? `${name} is back to its image.` : `${name} had no changes to discard.`);
  } catch (e) {
    s.notify('error', (e as Error).message);
  }
}

/** Starts the machine at login (a unit of the user's systemd), or stops doing so. */
export async function setAutostart(name: string, on: boolean): Promise<void> {
  const s = useStore.getState();
  try {
    const { notes } = await getApi().invoke('machines.setAutostart', name, on);
    s.notify('info', on ? `${name} starts at login${notes.length ? `: ${notes.join('; ')}` : ''}.` : `${name} no longer starts at login.`);
    await refreshMachines();
  } catch (e) {
    s.notify('error', (e as Error).message);
  }
}
