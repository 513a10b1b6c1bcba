// Live terminals, kept outside the state store (after Hyper's terms registry): each owns an xterm
// instance, its host terminal id and its element. createTerminal() makes one; whoever makes one disposes
// it (sessions.ts: a machine's console and shells, per launch, and its last console once it stopped).
// Host events find them by host id here.
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { Terminal } from '@xterm/xterm';
import { FLOW_ACK_CHARS } from '../../electron/contract/api';
import { getApi } from '../api/client';
import { loadWebgl, wantedRenderer } from './renderer-choice';
import { followTheme } from './terminal-theme';

export type TerminalKind = 'console' | 'shell' | 'journal';

export interface LiveTerminal {
  key: string;
  machine: string;
  kind: TerminalKind;
  term: Terminal;
  fit: FitAddon;
  search: SearchAddon;
  element: HTMLDivElement;
  hostId?: string;
  ended: boolean;
  /** A record (a stopped machine's last console), not a session: nothing typed goes anywhere. */
  readOnly: boolean;
  /** Called once its element is in the document: the renderer is chosen then (WebGL measures the page). */
  attached(): void;
  /** Called once it is fitted to its pane: the host session opens then, at that size. */
  start(): void;
  dispose(): void;
}

const byHostId = new Map<string, LiveTerminal>();
let wired = false;

function wireEvents(): void {
  if (wired) return;
  wired = true;
  const api = getApi();
  api.on('terminal.data', ({ id, data }) => {
    const t = byHostId.get(id);
    if (!t) return;
    // Acknowledge only what xterm has actually parsed: the host pauses its source when we fall behind.
    t.term.write(data, () => ack(t, data.length));
  });
  api.on('terminal.exit', ({ id, code }) => {
    const t = byHostId.get(id);
    if (!t) return;
    t.ended = true;
    t.term.write(`\r\n\x1b[2m[${t.kind === 'console' ? 'console closed' : `exited with ${code}`}]\x1b[0m\r\n`);
  });
}

const pendingAcks = new WeakMap<LiveTerminal, number>();
function ack(t: LiveTerminal, chars: number): void {
  const total = (pendingAcks.get(t) ?? 0) + chars;
  if (total >= FLOW_ACK_CHARS && t.hostId) {
    pendingAcks.set(t, 0);
    void getApi()
      .invoke('terminal.ack', t.hostId, total)
      .catch(() => undefined);
  } else pendingAcks.set(t, total);
}

export interface TerminalOptions {
  /**
   * A record to show instead of a host session (a stopped machine's last console): fetched once the terminal
   * is shown, written, and read-only.
   */
  record?: () => Promise<string>;
}

/**
 * A new terminal; the caller owns it and must dispose it. Its host session (a console attached, a shell
 * started) opens only once start() is called with the terminal fitted to its pane: a pty made at xterm's
 * default 80x24 and resized later leaves programs inside (a shell's first prompt, `stty size`) at 80x24.
 */
export function createTerminal(key: string, machine: string, kind: TerminalKind, opts: TerminalOptions = {}): LiveTerminal {
  wireEvents();
  const readOnly = !!opts.record;
  const term = new Terminal({
    fontFamily: 'ui-monospace, "DejaVu Sans Mono", monospace',
    fontSize: 13,
    scrollback: 10000,
    allowProposedApi: false,
    screenReaderMode: false,
    disableStdin: readOnly,
  });
  const unfollowTheme = followTheme(term);
  const fit = new FitAddon();
  const search = new SearchAddon();
  term.loadAddon(fit);
  term.loadAddon(search);
  term.loadAddon(new WebLinksAddon((_e, uri) => window.open(uri, '_blank', 'noopener')));
  const element = document.createElement('div');
  element.className = 'xterm-host';
  term.open(element);
  // Ctrl+Shift+C / Ctrl+Shift+V copy and paste, as terminal users expect.
  term.attachCustomKeyEventHandler((e) => {
    if (e.type === 'keydown' && e.ctrlKey && e.shiftKey && e.code === 'KeyC') {
      void copySelection(term);
      return false;
    }
    if (e.type === 'keydown' && e.ctrlKey && e.shiftKey && e.code === 'KeyV') {
      if (!readOnly) void pasteClipboard(term);
      return false;
    }
    return true;
  });
  let disposed = false;
  let rendered = false;
  let started = false;
  const live: LiveTerminal = {
    key,
    machine,
    kind,
    term,
    fit,
    search,
    element,
    readOnly,
    ended: readOnly,
    attached: () => {
      if (rendered) return;
      rendered = true;
      element.dataset.renderer = 'dom';
      if (wantedRenderer() === 'webgl') void loadWebgl(term).then((ok) => ok && !disposed && (element.dataset.renderer = 'webgl'));
    },
    start: () => {
      if (started || disposed) return;
      started = true;
      if (opts.record) showRecord(live, opts.record);
      else openOnHost(live, () => disposed);
    },
    dispose: () => {
      if (disposed) return;
      disposed = true;
      live.ended = true;
      unfollowTheme();
      if (live.hostId) {
        byHostId.delete(live.hostId);
        void getApi()
          .invoke('terminal.close', live.hostId)
          .catch(() => undefined);
      }
      element.remove();
      term.dispose();
    },
  };
  term.onData(
    (data) =>
      live.hostId &&
      !live.ended &&
      void getApi()
        .invoke('terminal.input', live.hostId, data)
        .catch(() => undefined),
  );
  term.onResize(
    ({ cols, rows }) =>
      live.hostId &&
      !live.ended &&
      void getApi()
        .invoke('terminal.resize', live.hostId, cols, rows)
        .catch(() => undefined),
  );
  return live;
}

/** Opens the host session at the terminal's size now; a resize while it opens is sent once it is open. */
function openOnHost(live: LiveTerminal, disposed: () => boolean): void {
  const { term, machine, kind } = live;
  const size = { cols: Math.max(term.cols, 2), rows: Math.max(term.rows, 2) };
  void getApi()
    .invoke('terminal.open', { machine, kind, ...size })
    .then(({ id }) => {
      live.hostId = id;
      // Disposed while the host was opening it: the host's terminal goes too.
      if (disposed())
        return void getApi()
          .invoke('terminal.close', id)
          .catch(() => undefined);
      byHostId.set(id, live);
      if (term.cols !== size.cols || term.rows !== size.rows)
        void getApi()
          .invoke('terminal.resize', id, term.cols, term.rows)
          .catch(() => undefined);
    })
    .catch((e: Error) => {
      live.ended = true;
      if (!disposed()) term.write(`\x1b[31m${e.message}\x1b[0m\r\n`);
    });
}

function showRecord(live: LiveTerminal, record: () => Promise<string>): void {
  record().then(
    (text) => live.term.write(text || '\x1b[2m(nothing was kept of its console)\x1b[0m'),
    (e: Error) => live.term.write(`\x1b[31m${e.message}\x1b[0m\r\n`),
  );
}

/** The selection to the clipboard; false where the browser refuses (no permission, not a secure page). */
export async function copySelection(term: Terminal): Promise<boolean> {
  const text = term.getSelection();
  if (!text) return false;
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** The clipboard typed into the terminal (bracketed paste where the program asked for it). */
export async function pasteClipboard(term: Terminal): Promise<boolean> {
  try {
    const text = await navigator.clipboard.readText();
    if (text) term.paste(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The last lines that terminals of `kind` hold, as parsed (for the benchmarks: the WebGL renderer draws on a
 * canvas, so the text is not in the page's DOM).
 */
export function terminalTail(kind: TerminalKind, lines = 5): string {
  const out: string[] = [];
  for (const t of byHostId.values()) {
    if (t.kind !== kind) continue;
    const buffer = t.term.buffer.active;
    const end = buffer.baseY + buffer.cursorY + 1; // up to the cursor's line: below it the screen is empty
    for (let y = Math.max(0, end - lines); y < end; y++) out.push(buffer.getLine(y)?.translateToString(true) ?? '');
  }
  return out.join('\n');
}
