// The suite's default case space: the project's generators.
import { greCase, encodeCase, describeCase, encodeAndDescribeCase, encodeAndDescribeCaseInto, NEUTRALIZERS, type GreCase } from '../generators/index.ts';
import type { CaseSpace } from './case-space.ts';

export const defaultSpace: CaseSpace<GreCase> = {
  arbitrary: greCase(),
  encode: encodeCase,
  describe: describeCase,
  encodeDescribed: encodeAndDescribeCase,
  encodeDescribedInto: encodeAndDescribeCaseInto,
  neutralizers: NEUTRALIZERS,
  workerModule: { url: import.meta.url, exportName: 'defaultSpace' },
};
