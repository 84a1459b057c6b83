// The contract, the rule catalogue and its vectors: what implementations are held to.
export * from './contract.ts';
export { RULES, RULE_IDS, isRuleId, ruleOrder, type RuleId, type RuleInfo, type RuleSource } from './rules.ts';
export { VECTORS, vectorCases } from './vectors.ts';
export { normalizeAddress, parseAddress, formatIPv4, formatIPv6 } from './address.ts';
export { answerShapeError } from './answer-shape.ts';
