// The kernel lab: the live Linux kernel as an implementation, so the oracle can be checked
// against it. Only this folder (with the CLI and scripts) touches namespaces and processes.
export { labAvailable, INSTALL_HINT, type LabAvailability } from './available.ts';
export { openLab } from './lab.ts';
export { LabError, type Lab, type LabOptions, type LabStats, type KernelObservation } from './types.ts';
export { compareWithOracle, type LabDisagreement } from './compare.ts';
export { REFERENCE_ROWS, type ReferenceRow } from './reference-rows.ts';
import { which } from './exec.ts';
import { listNamespaces, ownNamespaces } from './netns.ts';

/** Namespace names of the lab's pattern (grec-<role>-<owner pid>-<n>). */
export const NAMESPACE_PREFIX = 'grec-';

/** Every network namespace name, or [] without `ip`. */
export async function labNamespaces(): Promise<string[]> {
  const ip = which('ip');
  return ip ? listNamespaces(ip) : [];
}

/** Lab namespaces this process created and still has: none once its labs are closed. */
export async function leftoverNamespaces(): Promise<string[]> {
  const ip = which('ip');
  return ip ? ownNamespaces(ip) : [];
}

// Scenarios on the live kernel beyond single datagrams (README.md sections of the same names).
export { runKernelSuite, kernelSpace, type KernelSuiteOptions, type KernelSuiteResult } from './kernel-suite.ts';
export { KernelAdapter, answerForOriginal } from './kernel-adapter.ts';
export { PptpModel, type ControlEffect, type DataEffect } from '../models/pptp-helper.ts';
export { PptpLab } from './pptp-lab.ts';
export { pptpSession, runPptpSession, type PptpSessionResult } from './pptp-scenario.ts';
export { checkPptpProperty, type PptpPropertyResult } from './pptp-commands.ts';
export { runNatScenarios, type NatResult, type VariantResult } from './nat-scenario.ts';
export { NatRouterModel } from '../models/nat-router.ts';
export { formatNatReport } from './nat-report.ts';
