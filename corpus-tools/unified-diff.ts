// A unified diff of two texts, line by line (the `diff -u` layout, 3 lines of context), so the
// corpus update can be reviewed the way tcpdump's update-test.sh output is. Pure.

/** The unified diff of `a` (old) and `b` (new), or '' when they are equal. */
export function unifiedDiff(a: string, b: string, oldName: string, newName: string, context = 3): string {
  if (a === b) return '';
  const x = splitLines(a);
  const y = splitLines(b);
  const ops = editScript(x, y);
  const hunks: string[] = [];
  // Group the script into hunks: changes with up to 2*context equal lines between them.
  let i = 0;
  while (i < ops.length) {
    while (i < ops.length && ops[i]!.op === ' ') i++;
    if (i >= ops.length) break;
    let start = i;
    let ctx = 0;
    while (start > 0 && ctx < context && ops[start - 1]!.op === ' ') { start--; ctx++; }
    let end = i;
    for (;;) {
      while (end < ops.length && ops[end]!.op !== ' ') end++;
      let run = 0;
      while (end + run < ops.length && ops[end + run]!.op === ' ') run++;
      if (end + run < ops.length && run <= 2 * context) { end += run; continue; }
      end += Math.min(run, context);
      break;
    }
    const slice = ops.slice(start, end);
    const oldStart = slice[0]!.ai, newStart = slice[0]!.bi;
    const oldLen = slice.filter((o) => o.op !== '+').length;
    const newLen = slice.filter((o) => o.op !== '-').length;
    hunks.push(`@@ -${range(oldStart, oldLen)} +${range(newStart, newLen)} @@`);
    for (const o of slice) hunks.push(o.op + o.text);
    i = end;
  }
  return [`--- ${oldName}`, `+++ ${newName}`, ...hunks].join('\n') + '\n';
}

function range(start: number, len: number): string {
  // diff -u numbers lines from 1; an empty range names the line before it.
  const first = len === 0 ? start : start + 1;
  return len === 1 ? `${first}` : `${first},${len}`;
}

function splitLines(s: string): string[] {
  if (s === '') return [];
  const lines = s.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  else lines[lines.length - 1] += '\n\\ No newline at end of file';
  return lines;
}

interface Op { op: ' ' | '-' | '+'; text: string; ai: number; bi: number }

/** Shortest edit script by Myers' O(ND) algorithm, after trimming the common head and tail. */
function editScript(a: string[], b: string[]): Op[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const A = a.slice(head, a.length - tail), B = b.slice(head, b.length - tail);
  const mid = myers(A, B);
  const ops: Op[] = [];
  for (let k = 0; k < head; k++) ops.push({ op: ' ', text: a[k]!, ai: k, bi: k });
  let ai = head, bi = head;
  for (const m of mid) {
    if (m === ' ') ops.push({ op: ' ', text: a[ai]!, ai: ai++, bi: bi++ });
    else if (m === '-') ops.push({ op: '-', text: a[ai]!, ai: ai++, bi });
    else ops.push({ op: '+', text: b[bi]!, ai, bi: bi++ });
  }
  for (let k = 0; k < tail; k++) ops.push({ op: ' ', text: a[ai]!, ai: ai++, bi: bi++ });
  return ops;
}

function myers(a: string[], b: string[]): (' ' | '-' | '+')[] {
  const n = a.length, m = b.length, max = n + m;
  // Frontiers cost O(D * (N + M)) memory; past this size a whole replacement is readable enough.
  if (max > 20000) return [...a.map(() => '-' as const), ...b.map(() => '+' as const)];
  const off = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  search: for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1]! < v[off + k + 1]!) ? v[off + k + 1]! : v[off + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) { x++; y++; }
      v[off + k] = x;
      if (x >= n && y >= m) break search;
    }
  }
  // Walk back from (n, m) through the frontier saved before each step.
  const script: (' ' | '-' | '+')[] = [];
  let x = n, y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const prev = trace[d]!;
    const k = x - y;
    const pk = k === -d || (k !== d && prev[off + k - 1]! < prev[off + k + 1]!) ? k + 1 : k - 1;
    const px = prev[off + pk]!, py = px - pk;
    while (x > px && y > py) { script.push(' '); x--; y--; }
    if (d > 0) script.push(x === px ? '+' : '-');
    x = px; y = py;
  }
  return script.reverse();
}
