// Where things are, relative to the repository (never to /work): the project's corpus/ and the
// third-party captures in ../shared/captures beside the checkout (as CI has them).
import { resolve } from 'node:path';
import { statSync } from 'node:fs';

export const REPO_ROOT = resolve(import.meta.dirname, '..');

export function corpusDir(repoRoot = REPO_ROOT): string {
  return resolve(repoRoot, 'corpus');
}

export function sharedCapturesDir(repoRoot = REPO_ROOT): string {
  return resolve(repoRoot, '..', 'shared', 'captures');
}

export function isDirectory(p: string): boolean {
  try { return statSync(p).isDirectory(); } catch { return false; }
}

export function isFile(p: string): boolean {
  try { return statSync(p).isFile(); } catch { return false; }
}

export const CAPTURE_FILE = /\.(pcap|pcapng)$/i;
