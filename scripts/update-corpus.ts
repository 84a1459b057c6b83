// npm run corpus:update [-- --check]: re-pins every capture of ../shared/captures and corpus/
// with the oracle's answers now, rewrites the expected files, corpus/manifest.json and the table
// in corpus/README.md, and prints a unified diff of what changed for review (like tcpdump's
// tests/update-test.sh). Exit 0 with "no changes", 1 with the diff (written unless --check),
// 3 when it could not run.
import { applyPlan, changedFiles, planCorpusUpdate, planDiff } from '../corpus-tools/update.ts';

const check = process.argv.includes('--check');
try {
  const plan = await planCorpusUpdate();
  const changed = changedFiles(plan);
  for (const n of plan.notes) process.stderr.write(`note: ${n}\n`);
  if (changed.length === 0) {
    process.stdout.write(`no changes (${plan.manifest.captures.length} captures, ${plan.manifest.captures.reduce((n, c) => n + c.gre, 0)} GRE datagrams pinned)\n`);
    process.exitCode = 0;
  } else {
    process.stdout.write(planDiff(plan));
    if (!check) applyPlan(plan);
    process.stderr.write(`${changed.length} file${changed.length === 1 ? '' : 's'} ${check ? 'would change (--check: nothing written)' : 'changed: review the diff above, then commit'}\n`);
    process.exitCode = 1;
  }
} catch (e) {
  process.stderr.write(`corpus:update: ${(e as Error).message}\n`);
  process.exitCode = 3;
}
