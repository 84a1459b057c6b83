// Worker threads started on one bundled script instead of on modules. A worker started on a
// TypeScript module loads it through tsx (ts-worker.mjs): tsx's loader thread starts, then each
// module is resolved, read and transformed in turn. For `corpus generate` that was about 200 ms
// before a worker could take its first chunk, with a loader thread beside it warming up its
// own JIT. Bundled by esbuild (the compiler tsx itself runs) into one ES module, the same code
// is ready in about 50 ms. The bundle is made from the sources as they are, at each start
// (about 60 ms, in esbuild's own process, while the calling thread works on).
import { fileURLToPath } from 'node:url';

/** `entry` and every module it imports, node_modules included, as a data: URL a Worker starts on. */
export async function bundledScript(entry: URL): Promise<URL> {
  // Imported here, not at the top: only a run that starts workers pays for loading esbuild.
  const { build } = await import('esbuild');
  const out = await build({
    entryPoints: [fileURLToPath(entry)], bundle: true, write: false, format: 'esm', platform: 'node', target: 'node20', logLevel: 'silent',
  });
  const code = out.outputFiles[0]?.contents;
  if (!code) throw new Error(`esbuild gave no output for ${entry.href}`);
  return new URL(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}

/** Where a worker was started from: the bundle, or its modules through tsx (and why). */
export type WorkerStart = { readonly from: 'bundle' } | { readonly from: 'modules'; readonly why: string };
