/** The cache directory of this package (node_modules/.cache/gre-conformance). */
export declare const CACHE_DIR: string;

/**
 * The bundle of `entry` as a file: the cached one when every file it was made from is unchanged,
 * else made now (esbuild) and cached. `name` defaults to the entry's folder and file name.
 * Throws when esbuild cannot be loaded, the cache cannot be written, or
 * GRE_CONFORMANCE_FROM_SOURCES is set.
 */
export declare function cachedBundle(entry: URL, o?: { name?: string; dir?: string }): Promise<{ url: URL; built: boolean }>;

/** The bundle of `entry` made now and kept nowhere, as a data: URL (where the cache cannot be written). */
export declare function bundleInMemory(entry: URL): Promise<URL>;

/** How long a build may take before it is given up (the caller falls back to the sources). */
export declare const BUILD_TIMEOUT_MS: number;

/** `build`'s result, or an error after `ms` with `esbuild.stop()` called: a bundler that never answers does not hang a start. */
export declare function answered<T>(esbuild: { stop?: () => void }, build: Promise<T>, ms?: number): Promise<T>;
