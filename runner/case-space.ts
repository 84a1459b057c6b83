// What the suite generates from: an arbitrary of structured cases, how to turn one into the
// contract's input, and how to remove one rule's feature from it (for blame). The default is
// generators/; library users may pass their own.
import type fc from 'fast-check';
import type { KeymapEntry } from '../spec/contract.ts';
import type { RuleId } from '../spec/rules.ts';
import type { DescriptionSink } from '../generators/index.ts';
import type { ParsedKeymapEntry } from '../oracles/index.ts';

export interface CaseSpace<T> {
  readonly arbitrary: fc.Arbitrary<T>;
  encode(c: T): { packet: Uint8Array; keymap: KeymapEntry[] };
  describe?(c: T): string;
  /** encode and describe at once, where that is cheaper than both (corpus generate does both for every case). */
  encodeDescribed?(c: T): { packet: Uint8Array; keymap: KeymapEntry[]; description: string };
  /**
   * encodeDescribed with the description written into `out` (corpus generate writes it into the
   * expected line), and, optionally, the keymap as parseKeymap would parse it (then it is not
   * parsed again).
   */
  encodeDescribedInto?(c: T, out: DescriptionSink): { packet: Uint8Array; keymap: KeymapEntry[]; parsedKeymap?: readonly ParsedKeymapEntry[] };
  readonly neutralizers?: { readonly [R in RuleId]?: (c: T) => T | undefined };
  /**
   * Where a worker thread finds this same space (a module URL and the export's name), so cases
   * can be drawn in parallel (runner/case-source.ts). Spaces without it are drawn in the
   * suite's own thread.
   */
  readonly workerModule?: { readonly url: string; readonly exportName: string };
}
