// The analysis in words (for people) and as JSON (for tools). Pure.
import type { Tuple } from '../spec/contract.ts';
import type { Analysis, Flow } from './analyze.ts';
import { notrackAdvice, type NotrackAdvice } from './analyze-advice.ts';

const hex = (n: number, w: number) => `0x${n.toString(16).padStart(w, '0')}`;

function flowLabel(f: Flow): string {
  const what = f.version === 0
    ? `GRE v0 ${f.key === null ? 'no key' : f.key === undefined ? 'key (cut by the snapshot length)' : `key ${hex(f.key, 8)}`}`
    : f.version === 1 ? `GRE v1 (PPTP) call id ${f.callId === undefined ? '(not captured)' : hex(f.callId, 4)}`
      : f.version === undefined ? 'GRE header not readable (cut short, or a non-first fragment)' : `GRE v${f.version}`;
  return `${f.src} > ${f.dst}  ${what}`;
}

function outcomesText(o: Flow['outcomes']): string {
  return Object.entries(o).map(([k, v]) => `${v} ${k}`).join(', ');
}

function tupleText(t: Tuple): string {
  return t.proto === 47 ? `src=${t.src} dst=${t.dst} srckey=${hex(t.srckey, 1)} dstkey=${hex(t.dstkey, 1)}` : `proto ${t.proto} src=${t.src} dst=${t.dst}`;
}

export interface AnalysisJson extends Omit<Analysis, 'packets'> {
  readonly packets: Analysis['packets'];
  readonly advice: NotrackAdvice[];
}

export function analysisJson(a: Analysis): string {
  const out: AnalysisJson = { ...a, advice: a.collisions.map(notrackAdvice) };
  return JSON.stringify(out, null, 2);
}

export function formatAnalysisText(a: Analysis, opts: { packets?: boolean } = {}): string {
  const out: string[] = [];
  out.push(`${a.file}: ${a.records} records, ${a.ipDatagrams} IP datagrams, ${a.greDatagrams} GRE datagrams`);
  if (a.greDatagrams === 0) {
    out.push('', 'No GRE datagrams: nothing for GRE conntrack to do here.');
    return out.join('\n');
  }
  out.push('', 'GRE flows (outer source > destination, GRE version, RFC 2890 key or PPTP call id):');
  for (const f of a.flows) {
    const protos = f.protocols.map((p) => hex(p, 4)).join(', ') || '-';
    const span = f.firstRecord === f.lastRecord ? `record ${f.firstRecord}` : `records ${f.firstRecord}-${f.lastRecord}`;
    out.push(`  flow ${f.id}: ${flowLabel(f)}`);
    out.push(`    ${f.packets} packet${f.packets === 1 ? '' : 's'} (${span}), protocol ${protos}; ${outcomesText(f.outcomes)}`);
    for (const t of f.tuples) out.push(`    conntrack tuple: ${tupleText(t)}${f.entries.length ? `  -> entry ${f.entries.join(', ')}` : ''}`);
  }
  out.push('', `Conntrack entries (as conntrack -L shows them; ${a.entries.length}):`);
  if (a.entries.length === 0) out.push('  none: no GRE datagram here creates an entry');
  for (const e of a.entries) {
    out.push(`  entry ${e.id}: ${e.conntrackL}`);
    out.push(`    ${e.packets} packet${e.packets === 1 ? '' : 's'} from flow${e.flows.length === 1 ? '' : 's'} ${e.flows.join(', ')}${e.replied ? ', both directions' : ', one direction only'}` +
      (e.unconfirmed ? `; ${e.unconfirmed} built but never confirmed (dropped by the IP layer after PREROUTING, rule L3-5)` : ''));
  }
  out.push('');
  if (a.collisions.length === 0) {
    out.push('Collisions: none (no two tunnels between the same hosts share an entry).');
  } else {
    out.push(`COLLISIONS: ${a.collisions.length} conntrack entr${a.collisions.length === 1 ? 'y carries' : 'ies carry'} more than one tunnel.`);
    for (const c of a.collisions) {
      const adv = notrackAdvice(c);
      const e = a.entries[c.entry - 1]!;
      out.push('', `  entry ${c.entry} (${tupleText(e.tuple)}) carries:`);
      for (const f of c.flows) out.push(`    flow ${f.flow}: ${f.src} > ${f.dst} ${f.key === null ? 'no key' : `key ${hex(f.key, 8)}`}`);
      out.push(`  ${adv.why}`);
      out.push('  If these tunnels must be kept apart, stop tracking GRE between the two hosts:');
      for (const l of adv.iptables) out.push(`    ${l}`);
      out.push('  or with nftables:');
      for (const l of adv.nft) out.push(`    ${l}`);
      out.push(`  The cost: ${adv.cost}`);
    }
  }
  const keyed = a.keyedV0Flows.filter((id) => !a.collisions.some((c) => c.flows.some((f) => f.flow === id)));
  if (keyed.length > 0) {
    const keys = [...new Set(keyed.map((id) => a.flows[id - 1]!.key as number))].map((k) => hex(k, 8));
    out.push('', `Note: flow${keyed.length === 1 ? '' : 's'} ${keyed.join(', ')} carr${keyed.length === 1 ? 'ies' : 'y'} an RFC 2890 key (${keys.join(', ')}) that conntrack ignores (GRE version 0: keys 0/0, rule GRE-2). ` +
      'Another tunnel between the same hosts with a different key would share the same entry.');
  }
  if (a.invalidFlows.length > 0) {
    out.push('', `Invalid: flow${a.invalidFlows.length === 1 ? '' : 's'} ${a.invalidFlows.join(', ')}: conntrack looks at these datagrams and attaches no entry (the conntrack -S "invalid" counter goes up; a rule dropping ct state invalid drops them).`);
    for (const id of a.invalidFlows) out.push(`  flow ${id}: ${firstReason(a, id, 'invalid')}`);
  }
  if (a.unseenFlows.length > 0) {
    out.push('', `Never seen by conntrack: flow${a.unseenFlows.length === 1 ? '' : 's'} ${a.unseenFlows.join(', ')} (dropped or held by the IP layer first).`);
    for (const id of a.unseenFlows) out.push(`  flow ${id}: ${firstReason(a, id, 'not-seen')}`);
  }
  if (a.unknownFlows.length > 0) {
    out.push('', `Cannot be known: flow${a.unknownFlows.length === 1 ? '' : 's'} ${a.unknownFlows.join(', ')} ha${a.unknownFlows.length === 1 ? 's' : 've'} datagrams cut by the snapshot length before bytes the kernel reads.`);
    for (const id of a.unknownFlows) out.push(`  flow ${id}: ${firstReason(a, id, 'unknown')}`);
  }
  if (opts.packets) {
    out.push('', 'Packets:');
    for (const p of a.packets) {
      out.push(`  #${p.index} flow ${p.flow}: ${p.outcome}${p.tuple ? ` ${tupleText(p.tuple)}` : ''}${p.decidedBy ? ` [${p.decidedBy}]` : ''} - ${p.reason}`);
    }
  }
  return out.join('\n');
}

function firstReason(a: Analysis, flow: number, outcome: string): string {
  const p = a.packets.find((x) => x.flow === flow && x.outcome === outcome);
  return p ? `record ${p.index}: ${p.reason}${p.decidedBy ? ` (${p.decidedBy})` : ''}` : '';
}
