// Picks the adapter for what the user named (CONTRACT.md sections 4 and 5): a module file or a
// package folder runs in a worker thread; any other executable file, or a --cmd string, speaks NDJSON.
import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { MODULE_EXTENSIONS, hasModuleExtension, moduleEntry } from './module-entry.ts';
import { openModuleAdapter } from './module.ts';
import { openProcessAdapter } from './process.ts';
import type { Adapter, AdapterOptions } from './types.ts';

export type Target = { readonly path: string } | { readonly cmd: string };

/**
 * Opens the implementation. Rejects with a plain Error when the target names nothing usable (a
 * usage error), with ImplementationError kind 'load' when the implementation itself fails to start.
 */
export async function openAdapter(target: Target, opts: AdapterOptions): Promise<Adapter> {
  if ('cmd' in target) {
    if (target.cmd.trim() === '') throw new Error('--cmd needs a command to run');
    return openProcessAdapter({ shell: target.cmd }, opts);
  }
  const abs = resolve(opts.cwd ?? process.cwd(), target.path);
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(abs);
  } catch {
    throw new Error(`${target.path}: no such file or folder`);
  }
  if (st.isDirectory()) {
    if (moduleEntry(abs)) return openModuleAdapter(abs, opts);
    throw new Error(`${target.path} is a folder without a package.json entry (main or exports) or an index.js`);
  }
  if (!st.isFile()) throw new Error(`${target.path} is neither a file nor a folder`);
  if (hasModuleExtension(abs)) return openModuleAdapter(abs, opts);
  if (isExecutable(abs)) return openProcessAdapter([abs], opts);
  throw new Error(
    `${target.path} is neither a module (${MODULE_EXTENSIONS.join(', ')}) nor an executable file: ` +
      `make it executable (chmod +x) or name its interpreter with --cmd, e.g. --cmd "python3 ${target.path}"`,
  );
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
