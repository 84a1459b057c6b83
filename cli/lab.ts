// `gre-conformance lab nat` and `lab pptp` (placeholder while being built).
export async function labCommand(argv: string[]): Promise<number> {
  process.stderr.write(`gre-conformance lab: ${argv.join(' ')}: not yet\n`);
  return 3;
}
