// Worker threads started on one bundled script instead of on modules. A worker started on a
// TypeScript module loads it through tsx (ts-worker.mjs): tsx's loader thread starts, then each
// module is resolved, read and transformed in turn. For `corpus generate` that was about 200 ms
// before a worker could take its first chunk, with a loader thread beside it warming up its
// own JIT. Bundled by esbuild (the compiler tsx itself runs) into one ES module, the same code
// is ready in about 50 ms.
//
// The bundle is a file of the package's cache (bin/bundle-cache.mjs), made again only when a
// source changes. Made at every start instead (esbuild in its own process), it was ready only
// about 0.4 s into a million-packet run on the 2-CPU bench machine, the generating thread and
// the JIT's threads competing with esbuild; from the cache the worker starts at once.
import { bundleInMemory, cachedBundle } from '../bin/bundle-cache.mjs';

/**
 * `entry` and every module it imports, node_modules included, as a script a Worker starts on:
 * the cached bundle (a file), else, where the cache cannot be written, a bundle made now (a
 * data: URL). Throws when neither can be made, or GRE_CONFORMANCE_FROM_SOURCES is set: the
 * workers then start on their modules through tsx.
 */
export async function bundledScript(entry: URL): Promise<URL> {
  try {
    return (await cachedBundle(entry)).url;
  } catch {
    return bundleInMemory(entry);
  }
}

/** Where a worker was started from: the bundle, or its modules through tsx (and why). */
export type WorkerStart = { readonly from: 'bundle' } | { readonly from: 'modules'; readonly why: string };
