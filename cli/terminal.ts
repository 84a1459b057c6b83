// Terminal facts the CLI needs: whether to color, and a progress line on a TTY only (never in CI logs).
export function useColor(stream: NodeJS.WriteStream): boolean {
  if ('NO_COLOR' in process.env && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return !!stream.isTTY && process.env.TERM !== 'dumb';
}

export function progressLine(stream: NodeJS.WriteStream): ((text: string) => void) & { clear(): void } {
  const enabled = !!stream.isTTY && !process.env.CI;
  let last = 0;
  const f = ((text: string) => {
    if (!enabled) return;
    const now = Date.now();
    if (now - last < 100) return;
    last = now;
    stream.write(`\r\x1b[K${text}`);
  }) as ((text: string) => void) & { clear(): void };
  f.clear = () => { if (enabled) stream.write('\r\x1b[K'); };
  return f;
}

/** Quote one argument for a POSIX shell, only when needed. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
