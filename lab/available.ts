// Can this machine run the lab? Says what is missing and how to get it, never throws: the lab
// tests skip with this reason and the lab commands refuse with it.
import { run, which } from './exec.ts';
import { newName } from './netns.ts';

export type LabAvailability = { ok: true } | { ok: false; reason: string; install: string };

export const INSTALL_HINT = 'run as root on Linux with: apt-get install -y iproute2 nftables conntrack python3';

/** The executables the lab runs. python3 runs the AF_PACKET injector (lab/injector.py). */
export const TOOLS = ['ip', 'nft', 'conntrack', 'python3'] as const;
export type Tools = Record<(typeof TOOLS)[number], string>;

const PACKAGE_OF: Record<(typeof TOOLS)[number], string> = { ip: 'iproute2', nft: 'nftables', conntrack: 'conntrack', python3: 'python3' };

export function findTools(): { tools?: Tools; missing: string[] } {
  const found: Partial<Tools> = {};
  const missing: string[] = [];
  for (const t of TOOLS) {
    const p = which(t);
    if (p) found[t] = p;
    else missing.push(t);
  }
  return missing.length ? { missing } : { tools: found as Tools, missing };
}

let cached: Promise<LabAvailability> | undefined;

export function labAvailable(): Promise<LabAvailability> {
  cached ??= probe();
  return cached;
}

async function probe(): Promise<LabAvailability> {
  if (process.platform !== 'linux') return { ok: false, reason: `the kernel lab needs Linux (this is ${process.platform})`, install: INSTALL_HINT };
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return { ok: false, reason: 'the kernel lab needs root (it creates network namespaces and nft tables)', install: INSTALL_HINT };
  }
  const { tools, missing } = findTools();
  if (!tools) {
    const pkgs = missing.map((m) => PACKAGE_OF[m as keyof typeof PACKAGE_OF]);
    return { ok: false, reason: `missing ${missing.join(', ')}`, install: `apt-get install -y ${pkgs.join(' ')}` };
  }
  // A namespace with a conntrack-enabling table proves netns, nf_tables and nf_conntrack at once.
  const ns = newName('probe');
  try {
    const add = await run(tools.ip, ['netns', 'add', ns]);
    if (add.code !== 0) return { ok: false, reason: `cannot create a network namespace: ${add.stderr.trim()}`, install: INSTALL_HINT };
    const nft = await run(tools.ip, ['netns', 'exec', ns, tools.nft, '-f', '-'], {
      input: 'table inet grecprobe {\n chain pre {\n  type filter hook prerouting priority -150;\n  ct state new counter\n }\n}\n',
    });
    if (nft.code !== 0) return { ok: false, reason: `nft cannot switch conntrack on in a namespace: ${nft.stderr.trim()}`, install: INSTALL_HINT };
    const ct = await run(tools.ip, ['netns', 'exec', ns, tools.conntrack, '-L']);
    if (ct.code !== 0) return { ok: false, reason: `conntrack -L fails: ${ct.stderr.trim()}`, install: INSTALL_HINT };
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: `lab probe failed: ${(e as Error).message}`, install: INSTALL_HINT };
  } finally {
    await run(tools.ip, ['netns', 'del', ns]).catch(() => undefined);
  }
}
