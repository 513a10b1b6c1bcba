// Vitest runs the sources as ES modules; the few modules that load a dependency lazily with require()
// (the profile schema in engine/profiles.ts, the web host and image tools in the CLI: see why there)
// need Node's require to read TypeScript too, as tsx does for the integration tests and esbuild does in
// the build. Not in the DOM tests (jsdom's globals upset esbuild; nothing there requires lazily).
if (typeof window === 'undefined') {
  const { register } = await import('tsx/cjs/api');
  register();
}

export {};
