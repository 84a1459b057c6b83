// The CLI: the only place that reads argv, prints, and sets the exit code.
import { readFileSync } from 'node:fs';
import { parseCli, UsageError, USAGE } from './args.ts';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

async function main(argv: string[]): Promise<number> {
  const args = parseCli(argv);
  switch (args.command) {
    case 'help': process.stdout.write(USAGE + '\n'); return 0;
    case 'version': process.stdout.write(`gre-conformance ${pkg.version}\n${startedFrom()}`); return 0;
    case 'list': { const { listRules } = await import('./list.ts'); process.stdout.write(listRules(args.reporter) + '\n'); return 0; }
    case 'oracle': { const { oracleServer } = await import('./oracle-server.ts'); return oracleServer(args.explain); }
    case 'run': { const { runCommand } = await import('./run.ts'); return runCommand(args); }
    case 'tool': {
      if (args.tool === 'corpus') { const { corpusCommand } = await import('./corpus.ts'); return corpusCommand(args.argv); }
      if (args.tool === 'kernel') { const { kernelCommand } = await import('./kernel.ts'); return kernelCommand(args.argv); }
      if (args.tool === 'lab') { const { labCommand } = await import('./lab.ts'); return labCommand(args.argv); }
      if (args.tool === 'replay') { const { replayFileCommand } = await import('./replay-file.ts'); return replayFileCommand(args.argv); }
      const { analyzeCommand } = await import('./analyze.ts'); return analyzeCommand(args.argv);
    }
  }
}

/** What bin/gre-conformance.mjs started: the CLI's bundle, or its sources (and why). */
function startedFrom(): string {
  const s = (globalThis as Record<symbol, unknown>)[Symbol.for('gre-conformance.start')] as { from: string; file?: string; why?: string } | undefined;
  if (s?.from === 'bundle') return `started from its bundle ${s.file}\n`;
  if (s?.from === 'sources') return `started from its sources through tsx (${s.why})\n`;
  return '';
}

function finish(code: number): void {
  // Let stdout drain before leaving, even when it is a pipe.
  process.stdout.write('', () => process.exit(code));
}

main(process.argv.slice(2)).then(finish, (e: unknown) => {
  if (e instanceof UsageError) {
    process.stderr.write(`gre-conformance: ${e.message}\n(run with --help for usage)\n`);
  } else {
    process.stderr.write(`gre-conformance: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
  }
  finish(3);
});
