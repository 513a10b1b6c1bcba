// Which xterm renderer draws a terminal: its DOM renderer, or its WebGL one (a texture atlas drawn by the
// GPU: much less work per frame in a flood). WebGL where the browser has it on a real GPU; the DOM where
// it has none, or only a software one (SwiftShader: headless and GPU-less browsers), where WebGL draws no
// faster (bench/README.md has both figures). `localStorage['burrow.terminalRenderer'] = 'dom' | 'webgl'`
// chooses by hand (the bench uses it). A lost WebGL context (too many at once, a GPU reset) falls back to
// the DOM for that terminal.
import type { Terminal } from '@xterm/xterm';

export type TerminalRenderer = 'dom' | 'webgl';

let gpu: 'hardware' | 'software' | 'none' | undefined;

/** Whether this browser's WebGL2 runs on a GPU (asked once). */
function webglKind(): 'hardware' | 'software' | 'none' {
  if (gpu) return gpu;
  try {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) return (gpu = 'none');
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const name = String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return (gpu = /swiftshader|llvmpipe|software/i.test(name) ? 'software' : 'hardware');
  } catch {
    return (gpu = 'none');
  }
}

export function wantedRenderer(): TerminalRenderer {
  let chosen: string | null = null;
  try {
    chosen = localStorage.getItem('burrow.terminalRenderer');
  } catch {
    /* storage refused: the default */
  }
  if (chosen === 'dom') return 'dom';
  if (chosen === 'webgl') return webglKind() === 'none' ? 'dom' : 'webgl';
  return webglKind() === 'hardware' ? 'webgl' : 'dom';
}

/** Loads xterm's WebGL renderer into `term` (opened, and in the document); false where it cannot run. */
export async function loadWebgl(term: Terminal): Promise<boolean> {
  try {
    const { WebglAddon } = await import('@xterm/addon-webgl');
    const addon = new WebglAddon();
    addon.onContextLoss(() => addon.dispose());
    term.loadAddon(addon);
    return true;
  } catch {
    return false;
  }
}
