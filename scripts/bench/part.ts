// One part of the benchmark, in a process of its own so that parts do not share a heap, JIT
// state or peak RSS: `tsx scripts/bench/part.ts NAME OPTIONS-JSON`. Progress goes to stderr;
// the rows go to stdout as one line `BENCH-ROWS <json>`.
import { PARTS, type PartName, type PartOptions } from './options.ts';
import type { Row } from './table.ts';

const [name, json] = process.argv.slice(2);
if (!PARTS.includes(name as PartName) || json === undefined) {
  process.stderr.write(`usage: part.ts (${PARTS.join('|')}) OPTIONS-JSON\n`);
  process.exit(3);
}
const opts = JSON.parse(json) as PartOptions;
const mod = (await import(`./${name}.ts`)) as { run(o: PartOptions): Promise<Row[]> };
const rows = await mod.run(opts);
process.stdout.write(`BENCH-ROWS ${JSON.stringify(rows)}\n`);
// Adapters and the lab are closed by their parts; anything left (a stray timer) must not keep us.
process.exit(0);
