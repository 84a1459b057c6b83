// Capture corpus tools: pinned expected answers for captures, generated corpora, replaying a
// capture through the suite, saved failures, and the operator's analysis. These read and write
// files (the oracle, runner and generators stay pure).
export { greByHeader, greOffset, nonFirstFragment, capturedVerdict, type CapturedVerdict } from './gre-datagram.ts';
export { formatExpectedLine, formatExpectedFile, parseExpectedFile, parseExpectedLine, expectedPathOf, ExpectedFileError, type ExpectedLine, type LineOutcome } from './expected-file.ts';
export { pinCapture, pinDatagram, type PinnedCapture, type CaptureSummary, type PinOptions } from './pin.ts';
export { comparePinned, formatMismatch, type PinMismatch } from './compare.ts';
export { unifiedDiff } from './unified-diff.ts';
export { parseManifest, formatManifest, renderManifestTable, type Manifest, type ManifestEntry, type CaptureLocation } from './manifest.ts';
export { planCorpusUpdate, planDiff, applyPlan, changedFiles, type CorpusPlan } from './update.ts';
export { generateCorpus, defaultCorpusJobs, type GenerateOptions, type GenerateResult } from './generate.ts';
export { generateChunk } from './generate-chunk.ts';
export { captureVectors, findExpectedFile, CaptureVectorsError, type CaptureVectors } from './capture-vectors.ts';
export { saveFailures, loadSavedFailures, savedFailureName, SavedFailureError, type SavedFailure, type LoadOptions } from './saved-failures.ts';
export { analyzeCapture, greFields, type Analysis, type Flow, type Entry, type Collision } from './analyze.ts';
export { formatAnalysisText, analysisJson } from './analyze-text.ts';
export { notrackAdvice, NOTRACK_COST, type NotrackAdvice } from './analyze-advice.ts';
export { REPO_ROOT, corpusDir, sharedCapturesDir } from './paths.ts';
