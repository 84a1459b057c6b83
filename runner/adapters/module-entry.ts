// Which file a module target loads (CONTRACT.md section 4): a .js/.mjs/.cjs/.ts/.mts/.cts file, or
// a package folder whose package.json names it (exports, then main), or whose index.js exists.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, isAbsolute, join, relative } from 'node:path';

export const MODULE_EXTENSIONS: readonly string[] = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'];
const TYPESCRIPT_EXTENSIONS: readonly string[] = ['.ts', '.mts', '.cts'];
const CONDITIONS: readonly string[] = ['import', 'node', 'default', 'require'];

export function hasModuleExtension(file: string): boolean {
  return MODULE_EXTENSIONS.includes(extname(file).toLowerCase());
}

export function isTypeScript(file: string): boolean {
  return TYPESCRIPT_EXTENSIONS.includes(extname(file).toLowerCase());
}

/**
 * The file to import for `path` (absolute), or undefined when `path` is not a module: not a file
 * with a module extension, nor a folder with a package.json entry or an index.js.
 */
export function moduleEntry(path: string): string | undefined {
  const st = statOrUndefined(path);
  if (!st) return undefined;
  if (st.isFile()) return hasModuleExtension(path) ? path : undefined;
  if (!st.isDirectory()) return undefined;
  const pkgFile = join(path, 'package.json');
  if (existsSync(pkgFile)) {
    let pkg: Record<string, unknown> | undefined;
    try {
      pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as Record<string, unknown>;
    } catch {
      pkg = undefined;
    }
    for (const rel of [fromExports(pkg?.exports), typeof pkg?.main === 'string' ? pkg.main : undefined]) {
      if (rel === undefined) continue;
      const file = withIndex(join(path, rel));
      if (file) return file;
    }
  }
  return withIndex(join(path, 'index.js'));
}

/** The "." entry of a package.json "exports" value, following the import/node/default conditions. */
function fromExports(exp: unknown): string | undefined {
  if (typeof exp === 'string') return exp;
  if (Array.isArray(exp)) {
    for (const e of exp) {
      const r = fromExports(e);
      if (r !== undefined) return r;
    }
    return undefined;
  }
  if (!exp || typeof exp !== 'object') return undefined;
  const o = exp as Record<string, unknown>;
  if ('.' in o) return fromExports(o['.']);
  if (Object.keys(o).some((k) => k.startsWith('.'))) return undefined;
  for (const c of CONDITIONS) {
    if (c in o) {
      const r = fromExports(o[c]);
      if (r !== undefined) return r;
    }
  }
  return undefined;
}

/** `file` itself, with a module extension added, or its index.js (CommonJS "main" may omit both). */
function withIndex(file: string): string | undefined {
  const st = statOrUndefined(file);
  if (st?.isFile()) return file;
  if (st?.isDirectory()) {
    const idx = join(file, 'index.js');
    return statOrUndefined(idx)?.isFile() ? idx : undefined;
  }
  for (const ext of MODULE_EXTENSIONS) {
    if (statOrUndefined(file + ext)?.isFile()) return file + ext;
  }
  return undefined;
}

function statOrUndefined(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** `file` as the user would type it from `cwd`: "./x.mjs" inside it, the absolute path outside. */
export function displayPath(cwd: string, file: string): string {
  const rel = relative(cwd, file);
  return rel.startsWith('..') || isAbsolute(rel) ? file : `./${rel}`;
}
