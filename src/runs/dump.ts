import { readRunRecord, type RunRecord } from './record.js';

/** Every artifact of one run in a single document (what `job dump` prints or writes). */
export type RunDump = RunRecord;

/**
 * Reads a run folder for dump, readable and inspect. A missing or unreadable artifact is an
 * error (RUN_RECORD_CORRUPT) rather than a null: a run folder is written whole, so a gap means
 * the record was damaged and any narrative built on it would be wrong.
 */
export function readRunDump(runId: string, runDir: string): Promise<RunDump> {
  return readRunRecord(runId, runDir);
}
