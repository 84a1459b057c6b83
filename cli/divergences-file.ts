// Reading a --known-divergences file for any command that runs an implementation.
import { readFile } from 'node:fs/promises';
import { parseDivergences, DivergenceFileError, type Divergence } from '../runner/divergences.ts';
import { UsageError } from './args.ts';

export async function readDivergences(file: string | undefined): Promise<Divergence[]> {
  if (file === undefined) return [];
  let text: string;
  try { text = await readFile(file, 'utf8'); } catch (e) { throw new UsageError(`--known-divergences ${file}: ${(e as Error).message}`); }
  try { return parseDivergences(text, file); } catch (e) {
    if (e instanceof DivergenceFileError) throw new UsageError(e.message);
    throw e;
  }
}
