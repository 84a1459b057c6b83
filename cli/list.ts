// `gre-conformance --list`: the rule catalogue, with how many vectors exercise each rule.
import { RULES, RULE_IDS } from '../spec/rules.ts';
import { VECTORS } from '../spec/vectors.ts';

export function listRules(reporter: 'text' | 'json'): string {
  const rows = RULE_IDS.map((id) => ({ id, ...RULES[id], vectors: VECTORS.filter((v) => v.rules.includes(id)).length }));
  if (reporter === 'json') return JSON.stringify(rows, null, 2);
  return rows.map((r) => `${r.id.padEnd(7)} ${r.statement}\n        ${r.sources.map((s) => `${s.file} ${s.where}`).join('; ')} [sheet ${r.ref}; ${r.vectors} vectors]`).join('\n');
}
