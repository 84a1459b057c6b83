// An entry module and everything it imports as one ES module file, made by esbuild (the compiler
// tsx itself runs) and kept until a file it was made from changes. Plain JavaScript: the CLI's
// entry point uses it before any TypeScript can load.
//
// Why: started through tsx, the CLI resolved, read and transformed some 180 modules one by one
// (with tsx's loader thread beside it) before doing anything; `corpus generate --count 1` took
// 0.28 s from spawn to exit, 0.12 s from the bundle. A worker's bundle made at every start
// (esbuild in its own process, about 60 ms of its CPU) was ready only about 0.4 s into a
// million-packet run, with the machine's two CPUs busy; from the cache it is ready at once.
//
// The cache is valid while every input has the size and modification time it had when esbuild
// read it (each file is stat'ed before it is read, so an edit during a build makes the next
// start rebuild). It lives in the package's node_modules/.cache, so that the bundle's own
// imports (esbuild and tsx, left out of it) resolve as they would from the sources.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Bumped when what a bundle holds or how it is made changes (this file is an input as well). */
const FORMAT = 1;
const SELF = fileURLToPath(import.meta.url);

/** The cache directory of this package. */
export const CACHE_DIR = fileURLToPath(new URL('../node_modules/.cache/gre-conformance/', import.meta.url));

const LOADERS = { '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.json': 'json' };

/**
 * The bundle of `entry` as a file: the cached one when it is current, else made now and cached.
 * `built` says which. `name` defaults to the entry's folder and file name
 * (corpus-tools-generate-worker). Throws when esbuild cannot be loaded or the bundle cannot be
 * written, or GRE_CONFORMANCE_FROM_SOURCES is set (callers fall back to the sources).
 * @param {URL} entry
 * @param {{ name?: string, dir?: string }} [o]
 * @returns {Promise<{ url: URL, built: boolean }>}
 */
export async function cachedBundle(entry, { name = cacheName(entry), dir = CACHE_DIR } = {}) {
  refuseWhenFromSources();
  const file = join(dir, `${name}.mjs`);
  const manifest = join(dir, `${name}.json`);
  const source = fileURLToPath(entry);
  if (isCurrent(manifest, source)) return { url: pathToFileURL(file), built: false };
  const { code, map, inputs } = await bundle(source, file);
  mkdirSync(dir, { recursive: true });
  // Written under temporary names, then renamed: a process starting meanwhile reads either the
  // old pair or the new files, never a part of one. The map first, as the bundle names it.
  replace(`${file}.map`, map);
  replace(file, code);
  replace(manifest, JSON.stringify({ format: FORMAT, entry: source, inputs }));
  return { url: pathToFileURL(file), built: true };
}

/**
 * The bundle of `entry` made now and kept nowhere, as a data: URL: for where the cache cannot be
 * written (a worker can still start on one script). No source map. Throws as cachedBundle does.
 * @param {URL} entry
 * @returns {Promise<URL>}
 */
export async function bundleInMemory(entry) {
  refuseWhenFromSources();
  const source = fileURLToPath(entry);
  const { code } = await bundle(source, join(dirname(source), 'in-memory.mjs'), false);
  return new URL(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}

/** The command's switch to run everything from the sources (bin/gre-conformance.mjs). */
function refuseWhenFromSources() {
  if (process.env.GRE_CONFORMANCE_FROM_SOURCES) throw new Error('GRE_CONFORMANCE_FROM_SOURCES is set');
}

function cacheName(entry) {
  return fileURLToPath(entry).split(/[\\/]/).slice(-2).join('-').replace(/\.[^.]*$/, '');
}

function replace(path, data) {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Whether the manifest is this format's, for `source`, and every input is as it was read. */
function isCurrent(manifest, source) {
  let m;
  try {
    m = JSON.parse(readFileSync(manifest, 'utf8'));
  } catch {
    return false;
  }
  if (m?.format !== FORMAT || m.entry !== source || !Array.isArray(m.inputs)) return false;
  try {
    return m.inputs.every(([path, size, mtimeMs]) => {
      const s = statSync(path);
      return s.size === size && s.mtimeMs === mtimeMs;
    });
  } catch {
    return false; // an input is gone
  }
}

/**
 * Packages left out of bundles, imported from node_modules where a bundle needs them: esbuild
 * (a native binary's front end) and tsx (a loader: it registers hooks by its own files' URLs).
 */
const EXTERNAL = ['esbuild', 'tsx'];

/**
 * esbuild's bundle of `source` (ES module for node, with a linked source map when `maps`) and
 * the inputs it read, each as [path, size, mtimeMs] before it was read.
 */
async function bundle(source, outfile, maps = true) {
  const esbuild = await import('esbuild');
  const inputs = new Map([[SELF, statSync(SELF)]]);
  const read = {
    name: 'read-and-record',
    setup(b) {
      b.onLoad({ filter: /.*/, namespace: 'file' }, async ({ path }) => {
        const loader = LOADERS[extname(path)];
        if (loader === undefined) return undefined; // esbuild's own way; recorded below
        const s = await stat(path);
        let contents = await readFile(path, 'utf8');
        inputs.set(path, s);
        // A bundle runs from the cache directory: each module's import.meta.url (and dirname,
        // filename) is written as the module's own, so files found beside a module (package.json,
        // worker scripts, the lab's Python) are still found.
        if (loader !== 'json' && contents.includes('import.meta.')) {
          contents = contents
            .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(path).href))
            .replaceAll('import.meta.dirname', JSON.stringify(dirname(path)))
            .replaceAll('import.meta.filename', JSON.stringify(path));
        }
        return { contents, loader };
      });
    },
  };
  const out = await answered(esbuild, esbuild.build({
    entryPoints: [source], outfile, bundle: true, write: false, format: 'esm', platform: 'node', target: 'node20',
    sourcemap: maps ? 'linked' : false, sourcesContent: false, external: EXTERNAL, plugins: [read], metafile: true, logLevel: 'silent',
  }));
  // Inputs esbuild read itself (a kind of file the plugin leaves to it), stat'ed now. Its paths
  // are relative to the working directory; a virtual module is no file and cannot change.
  for (const path of Object.keys(out.metafile.inputs)) {
    const abs = join(process.cwd(), path);
    if (inputs.has(abs)) continue;
    try {
      inputs.set(abs, statSync(abs));
    } catch {
      // not a file
    }
  }
  const code = out.outputFiles.find((f) => f.path === outfile)?.contents;
  const map = out.outputFiles.find((f) => f.path === `${outfile}.map`)?.contents;
  if (!code || (maps && !map)) throw new Error(`esbuild gave no bundle for ${source}`);
  return { code, map, inputs: [...inputs].map(([path, s]) => [path, s.size, s.mtimeMs]) };
}

/**
 * The build's result, or an error after BUILD_TIMEOUT_MS with esbuild's service stopped: a
 * bundler that never answers must not hang the command's start (its caller falls back to the
 * sources). A cold build takes a few hundred milliseconds.
 */
export const BUILD_TIMEOUT_MS = 30_000;
export function answered(esbuild, build, ms = BUILD_TIMEOUT_MS) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => {
      esbuild.stop?.();
      reject(new Error(`esbuild did not answer within ${ms / 1000} s`));
    }, ms);
  });
  return Promise.race([build, late]).finally(() => clearTimeout(timer));
}
