// `gre-conformance oracle`: the Linux oracle as an implementation of the NDJSON protocol
// (CONTRACT.md section 5), so any tool in any language can ask it. Answers stream as requests
// arrive. A bad request line gets an `error` answer naming the line, and the stream goes on.
import { createInterface } from 'node:readline';
import { linuxVerdict } from '../oracles/index.ts';
import { CONTRACT_VERSION } from '../spec/contract.ts';
import { keymapShapeError } from '../spec/answer-shape.ts';
import { fromHex } from '../runner/hex.ts';

export async function oracleServer(explain: boolean, input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stdout): Promise<number> {
  let pending: string[] = [JSON.stringify({ contract: CONTRACT_VERSION })];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending.length === 0) return;
    const text = pending.join('\n') + '\n';
    pending = [];
    output.write(text);
  };
  const emit = (line: string) => {
    pending.push(line);
    if (!scheduled) { scheduled = true; setImmediate(flush); }
  };
  flush();
  const rl = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  let errors = 0;
  for await (const line of rl) {
    lineNo++;
    if (line.trim() === '') continue;
    let req: { id?: unknown; packet?: unknown; keymap?: unknown };
    try { req = JSON.parse(line); } catch (e) {
      errors++;
      emit(JSON.stringify({ id: null, error: `line ${lineNo}: not JSON: ${(e as Error).message}` }));
      continue;
    }
    const id = typeof req?.id === 'number' ? req.id : null;
    const packet = typeof req?.packet === 'string' ? fromHex(req.packet) : undefined;
    const keymap = req?.keymap ?? [];
    const kmErr = keymapShapeError(keymap);
    if (id === null || !packet || kmErr) {
      errors++;
      const what = id === null ? 'id must be a number' : !packet ? 'packet must be hex' : kmErr;
      emit(JSON.stringify({ id, error: `line ${lineNo}: ${what}` }));
      continue;
    }
    const v = linuxVerdict(packet, { keymap: keymap as never });
    emit(JSON.stringify(explain
      ? { id, tuple: v.tuple, outcome: v.outcome, decidedBy: v.decidedBy, rules: [...new Set(v.rules)], reason: v.reason }
      : { id, tuple: v.tuple }));
  }
  flush();
  return errors > 0 ? 3 : 0;
}
