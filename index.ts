// gre-conformance as a library: the contract, the oracle, the generators, and the suite.
export * from './spec/contract.ts';
export { RULES, RULE_IDS, isRuleId, type RuleId, type RuleInfo } from './spec/rules.ts';
export { VECTORS } from './spec/vectors.ts';
export { normalizeAddress, parseAddress } from './spec/address.ts';
export * from './oracles/index.ts';
export * from './generators/index.ts';
export { checkConformance, assertConformance, ConformanceError, type CheckOptions } from './runner/check.ts';
export type { Report, Counterexample, RuleRow, HarnessFailure } from './runner/report.ts';
export { exitCodeOf } from './runner/report.ts';
export { formatText } from './report/text.ts';
export { formatJson } from './report/json.ts';
export type { CaseSpace } from './runner/case-space.ts';
export { answersAgree, diffAnswers, type TupleField } from './runner/compare.ts';
export { renderReport, type ReporterName } from './report/render.ts';
export * from './capture/index.ts';
export { runSuite, type SuiteOptions, type SuiteVector } from './runner/suite.ts';
export { runMetamorphic } from './runner/metamorphic.ts';
export { RELATIONS, type Relation } from './generators/relations.ts';
