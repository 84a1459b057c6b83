// The kernel lab: the live Linux kernel as an implementation, so the oracle can be checked
// against it. Only this folder (with the CLI and scripts) touches namespaces and processes.
export { labAvailable, INSTALL_HINT, type LabAvailability } from './available.ts';
export { openLab, LabError, type Lab, type LabOptions, type LabStats, type KernelObservation } from './lab.ts';
export { compareWithOracle, type LabDisagreement } from './compare.ts';
export { PREFIX as NAMESPACE_PREFIX, listNamespaces } from './netns.ts';
