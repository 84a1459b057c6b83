/** The cache directory of this package (node_modules/.cache/gre-conformance). */
export declare const CACHE_DIR: string;

/**
 * The bundle of `entry` as a file: the cached one when every file it was made from is unchanged,
 * else made now (esbuild) and cached. Throws when esbuild cannot be loaded or the cache cannot
 * be written.
 */
export declare function cachedBundle(entry: URL, o: { name: string; dir?: string }): Promise<{ url: URL; built: boolean }>;
