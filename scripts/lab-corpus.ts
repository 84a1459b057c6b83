// Records the project's own captures on the live kernel (corpus/lab/, lab/lab-corpus.ts):
//   npx tsx scripts/lab-corpus.ts            root on Linux, with tcpdump
// Runs the scripted PPTP session and the NAT scenario's conntrack variants (A: MASQUERADE,
// D: PPTP through MASQUERADE) with tcpdump on the router, then writes for each capture
// corpus/lab/<name>.pcap, <name>.kernel.ndjson (the kernel's tuple per GRE datagram, the pinned
// truth) and, through the corpus tools, <name>.expected.ndjson, the manifest entry and the
// README table. Prints what changed; review it like any corpus update.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, release } from 'node:os';
import { join, relative } from 'node:path';
import { labAvailable } from '../lab/available.ts';
import { tcpdumpPath } from '../lab/capture.ts';
import { PptpLab } from '../lab/pptp-lab.ts';
import { runPptpSession } from '../lab/pptp-scenario.ts';
import { runNatScenarios } from '../lab/nat-scenario.ts';
import { formatKernelLines, kernelLines, kernelVersusOracle, type Observed } from '../lab/lab-corpus.ts';
import { applyPlan, changedFiles, planCorpusUpdate } from '../corpus-tools/update.ts';
import { formatManifest, parseManifest, type ManifestEntry } from '../corpus-tools/manifest.ts';
import { REPO_ROOT, corpusDir } from '../corpus-tools/paths.ts';

const avail = await labAvailable();
if (!avail.ok) { console.error(`lab-corpus: ${avail.reason}; ${avail.install}`); process.exit(3); }
if (!tcpdumpPath()) { console.error('lab-corpus: tcpdump is needed (apt-get install -y tcpdump)'); process.exit(3); }

const tmp = mkdtempSync(join(tmpdir(), 'grec-corpus-'));
const out = join(corpusDir(), 'lab');
mkdirSync(out, { recursive: true });
const kernel = release();
const SOURCE = (how: string) => `recorded by gre-conformance (scripts/lab-corpus.ts) on Linux ${kernel}: ${how}; tcpdump -i any -Q in on the router`;

const captures: { name: string; file: string; observed: Observed[]; source: string; why: string }[] = [];
try {
  const pptpFile = join(tmp, 'pptp-session.pcap');
  const lab = await PptpLab.open({ capture: pptpFile });
  let session;
  try { session = await runPptpSession(lab); } finally { await lab.close(); }
  captures.push({
    name: 'pptp-session', file: pptpFile,
    observed: session.steps.flatMap((s) => (s.kind === 'data' ? [{ id: s.id, what: `call ${s.call}: ${s.from} -> ${s.to}, call ID 0x${s.callId.toString(16)}`, keymap: s.keymap, record: s.kernel }] : [])),
    source: SOURCE('lab/pptp-scenario.ts (PNS 10.1.0.2/10.1.0.3, router with the pptp helper, PAC 10.2.0.2)'),
    why: 'Real PPTP through the kernel\'s helper: three calls at once (two from one PNS address with the same PAC call ID), GRE v1 data both ways, a Call-Disconnect-Notify and a deletion of the data entries. Srckeys come from the keymap (GRE-6, first match KM-3); the keymap of each datagram is pinned from the model, the kernel\'s tuples in pptp-session.kernel.ndjson.',
  });
  const nat = await runNatScenarios({ variants: ['A', 'D'], captureDir: tmp });
  for (const v of nat.scenarios) {
    const name = v.id === 'A' ? 'nat-masquerade' : 'nat-pptp';
    captures.push({
      name, file: v.capture!,
      observed: v.datagrams.map((d) => ({ id: d.id, what: d.what, keymap: d.keymap, record: d.kernel })),
      source: SOURCE(`lab/nat-scenario.ts variant ${v.id} (hosts 10.0.1.2 and 10.0.2.2 masqueraded as 192.0.2.1, server 192.0.2.2)`),
      why: v.id === 'A'
        ? 'The seed\'s scenario: two keyed GRE v0 tunnels from two hosts through MASQUERADE to one server, as the router received them. Keys 0/0 whatever the key (GRE-2); host B\'s datagrams, dropped at confirm by the NAT clash (NAT-4), still have the tuple conntrack built; the server\'s datagrams for tunnel 2 match host A\'s entry.'
        : 'PPTP from two hosts through MASQUERADE with the helper, both with PNS call ID 0xa0a: the router\'s keymap holds the NATed call IDs (NAT-6), so the server\'s replies get srckeys and distinct tuples.',
    });
  }

  let problems = 0;
  for (const c of captures) {
    const lines = await kernelLines(c.file, c.observed);
    for (const l of lines) {
      const d = kernelVersusOracle(l);
      if (d) { problems++; console.error(`${c.name}: ${d}`); }
    }
    copyFileSync(c.file, join(out, `${c.name}.pcap`));
    writeFileSync(join(out, `${c.name}.kernel.ndjson`), formatKernelLines(lines));
    // The keymap is input to the pinned answers: the expected file carries it, the update keeps it.
    const keymapFile = lines.map((l) => JSON.stringify({ index: l.index, packet: l.packet, keymap: l.keymap, expected: l.kernel.tuple, outcome: l.kernel.outcome, rules: [] }) + '\n').join('');
    writeFileSync(join(out, `${c.name}.expected.ndjson`), keymapFile);
    console.log(`${c.name}: ${lines.length} GRE datagrams, ${readFileSync(c.file).length} bytes`);
  }

  // The manifest notes of these captures, then the corpus tools write the rest.
  const manifestPath = join(corpusDir(), 'manifest.json');
  const m = parseManifest(readFileSync(manifestPath, 'utf8'), manifestPath);
  const mine = new Set(captures.map((c) => `lab/${c.name}.pcap`));
  const notes = captures.map((c) => ({
    capture: `lab/${c.name}.pcap`, location: 'corpus' as const, source: c.source, licence: 'MIT (the project\'s own)', why: c.why,
    expected: `lab/${c.name}.expected.ndjson`, linkTypes: [], records: 0, truncated: 0, ip: 0, gre: 0, unknown: 0, outcomes: {}, rules: [],
  } satisfies ManifestEntry));
  writeFileSync(manifestPath, formatManifest({ captures: [...notes, ...m.captures.filter((c) => !(c.location === 'corpus' && mine.has(c.capture)))] }));
  const plan = await planCorpusUpdate();
  const changed = changedFiles(plan).map((f) => f.path);
  const foreign = changed.filter((p) => !p.startsWith('corpus/lab/') && p !== 'corpus/manifest.json' && p !== 'corpus/README.md');
  if (foreign.length > 0) {
    console.error(`lab-corpus: the corpus update would also change ${foreign.join(', ')}; run npm run corpus:update and review it first`);
    process.exitCode = 1;
  } else {
    applyPlan(plan);
    console.log(`written: ${changed.map((p) => relative('.', join(REPO_ROOT, p))).join(', ')}`);
  }
  for (const n of plan.notes) console.log(`note: ${n}`);
  if (problems > 0) { console.error(`${problems} datagrams where the kernel and the oracle disagree`); process.exitCode = 1; }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
