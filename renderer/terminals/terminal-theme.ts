// Terminal colours follow the window's theme live: read from the page's CSS variables (--term-*), and
// applied again to every open terminal when the colour scheme changes (the system's light or dark
// preference, or a class or attribute a theme switch sets on the document). Before, a terminal kept
// the colours it was made with: dark mode left the terminals white.
import type { ITheme, Terminal } from '@xterm/xterm';

const open = new Set<Terminal>();
let watching = false;

/** The theme the page's CSS gives terminals now. */
export function terminalTheme(): ITheme {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  const background = v('--term-bg', '#fbfbfa');
  return {
    background,
    foreground: v('--term-fg', '#1d1f21'),
    cursor: v('--term-cursor', '#1d1f21'),
    cursorAccent: background,
    selectionBackground: v('--term-selection', 'rgba(47, 93, 80, 0.3)'),
  };
}

function reapply(): void {
  const theme = terminalTheme();
  for (const term of open) term.options.theme = theme;
}

function watch(): void {
  if (watching) return;
  watching = true;
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', reapply);
  new MutationObserver(reapply).observe(document.documentElement, { attributes: true, attributeFilter: ['class', 'data-theme', 'style'] });
}

/** Keeps `term` in the window's colours until the returned function is called (at its disposal). */
export function followTheme(term: Terminal): () => void {
  watch();
  open.add(term);
  term.options.theme = terminalTheme();
  return () => open.delete(term);
}
