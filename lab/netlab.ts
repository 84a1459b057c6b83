// Several network namespaces joined by veth pairs, for the lab's scenarios with more than a
// sender and a receiver (pptp-lab.ts, nat-lab.ts). Same rules as the two-namespace lab:
// names grec-<role>-<owner pid>-<n> (netns.ts), a cleanup registered before anything exists
// that ends every process the scenario started and deletes every namespace on close, exit,
// SIGINT, SIGTERM and SIGHUP; after SIGKILL the next lab sweeps them (sweepStale).
import { spawn, type ChildProcess } from 'node:child_process';
import { findTools, INSTALL_HINT, type Tools } from './available.ts';
import { killAndWaitSync, registerCleanup } from './cleanup.ts';
import { runOk } from './exec.ts';
import { deleteNamespaceSync, newName, sweepStale } from './netns.ts';
import { NsShell } from './ns-shell.ts';
import { LabError } from './types.ts';

export interface Link {
  /** role:ifname:address/prefix of each end; address optional. */
  readonly a: { role: string; ifname: string; addrs?: readonly string[] };
  readonly b: { role: string; ifname: string; addrs?: readonly string[] };
}

export class NetLab {
  readonly names = new Map<string, string>();
  private readonly shells = new Map<string, NsShell>();
  private readonly children = new Set<ChildProcess>();
  private readonly unregister: () => void;
  private closed = false;

  private constructor(readonly tools: Tools, roles: readonly string[]) {
    for (const r of roles) {
      if (!/^[a-z]+$/.test(r)) throw new LabError(`role ${JSON.stringify(r)}: lowercase letters only`);
      this.names.set(r, newName(r));
    }
    this.unregister = registerCleanup(() => this.destroySync());
  }

  /** Creates one namespace per role, each with lo up and a shell in it. */
  static async open(roles: readonly string[]): Promise<NetLab> {
    const { tools, missing } = findTools();
    if (!tools) throw new LabError(`kernel lab: missing ${missing.join(', ')}; ${INSTALL_HINT}`);
    if (process.platform !== 'linux' || process.getuid?.() !== 0) throw new LabError(`kernel lab: needs root on Linux; ${INSTALL_HINT}`);
    await sweepStale(tools.ip);
    const lab = new NetLab(tools, roles);
    try {
      for (const [role, ns] of lab.names) {
        await runOk(tools.ip, ['netns', 'add', ns]);
        const sh = new NsShell(tools.ip, ns);
        lab.shells.set(role, sh);
        await sh.ok(`${tools.ip} link set lo up`);
      }
    } catch (e) {
      await lab.close();
      throw e;
    }
    return lab;
  }

  ns(role: string): string {
    const n = this.names.get(role);
    if (!n) throw new LabError(`no namespace for role ${role}`);
    return n;
  }

  shell(role: string): NsShell {
    const s = this.shells.get(role);
    if (!s) throw new LabError(`no shell for role ${role}`);
    return s;
  }

  /** The pid whose /proc/<pid>/net shows the namespace (its shell). */
  pid(role: string): number {
    return this.shell(role).pid;
  }

  /** Runs a shell command in a namespace; throws with its output when it fails. */
  sh(role: string, command: string): Promise<string> {
    return this.shell(role).ok(command);
  }

  /** A veth pair between two namespaces, addresses assigned, both ends up. */
  async link(l: Link): Promise<void> {
    const ip = this.tools.ip;
    await runOk(ip, ['-n', this.ns(l.a.role), 'link', 'add', l.a.ifname, 'type', 'veth', 'peer', 'name', l.b.ifname, 'netns', this.ns(l.b.role)]);
    for (const end of [l.a, l.b]) {
      const cmds = [
        ...(end.addrs ?? []).map((a) => `${ip} addr add ${a} dev ${end.ifname}`),
        `${ip} link set ${end.ifname} up`,
      ];
      await this.sh(end.role, cmds.join(' && '));
    }
  }

  /** Loads an nft ruleset in a namespace. */
  async nft(role: string, ruleset: string): Promise<void> {
    await this.sh(role, `${this.tools.nft} -f - <<'GREC_EOF'\n${ruleset}\nGREC_EOF`);
  }

  /** Writes sysctls through /proc/sys (no procps needed). */
  async sysctl(role: string, settings: Record<string, string | number>): Promise<void> {
    await this.sh(role, Object.entries(settings).map(([k, v]) => `echo ${v} > /proc/sys/${k.replaceAll('.', '/')}`).join(' && '));
  }

  /** Starts a long-lived process in a namespace; it is ended on close. */
  spawn(role: string, argv: readonly string[]): ChildProcess {
    if (this.closed) throw new LabError('lab is closed');
    const child = spawn(this.tools.ip, ['netns', 'exec', this.ns(role), ...argv], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return child;
  }

  /** Ends the processes, the shells and the namespaces (their links and nft tables go with them). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.unregister();
  }

  private destroySync(): void {
    this.closed = true;
    killAndWaitSync([...[...this.children].flatMap((c) => (c.pid !== undefined ? [c.pid] : [])), ...[...this.shells.values()].map((s) => s.pid)]);
    for (const ns of this.names.values()) deleteNamespaceSync(this.tools.ip, ns);
  }
}
