// A dropped file's real host path. Electron's preload exposes it (webUtils.getPathForFile); a browser
// never reveals host paths, so the wizard offers a path field with completion there instead.

export function droppedPath(file: File): string | undefined {
  return window.burrow?.pathForFile?.(file) || undefined;
}
