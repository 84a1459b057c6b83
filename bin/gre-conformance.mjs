#!/usr/bin/env node
// Entry point: the CLI from its bundle (bundle-cache.mjs: one file, made once per change of the
// sources), else from the sources through tsx. GRE_CONFORMANCE_FROM_SOURCES=1 forces the
// sources. `gre-conformance --version` says which one runs.
const main = new URL('../cli/main.ts', import.meta.url);
const START = Symbol.for('gre-conformance.start');

let bundle;
try {
  const { cachedBundle } = await import('./bundle-cache.mjs');
  bundle = (await cachedBundle(main, { name: 'cli' })).url;
  globalThis[START] = { from: 'bundle', file: bundle.pathname };
} catch (e) {
  // No esbuild, a cache that cannot be written, GRE_CONFORMANCE_FROM_SOURCES set: the sources.
  globalThis[START] = { from: 'sources', why: e?.message ?? String(e) };
}
if (bundle) {
  // Stack traces name the sources' files and lines, not the bundle's.
  process.setSourceMapsEnabled(true);
  await import(bundle.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(main.href);
}
