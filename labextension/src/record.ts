/**
 * The record that the kernel saves in each checked output (see docs/architecture.md),
 * and what an export would do with it.
 */
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

export const MIME_TYPE = 'application/vnd.jupyter-sdc.output+json';

/** The newest record schema this frontend understands. */
export const SCHEMA_VERSION = 1;

export type Status = 'pass' | 'review' | 'fail';

export interface ISdcTable {
  index: unknown[][];
  index_names?: (string | null)[];
  columns: unknown[][];
  column_names?: (string | null)[];
  data: unknown[][];
}

export interface ISdcRecord {
  schema_version: number;
  uid: string;
  kind?: string;
  statistic?: string;
  status?: string;
  label?: string | null;
  title?: string | null;
  explanation?: string | null;
  exception?: string | null;
  comments?: string[];
  include?: boolean;
  rename?: { [name: string]: string };
  checks?: { [rule: string]: string };
  reasons?: string[];
  table?: ISdcTable | null;
  counts?: (number | null)[][] | null;
  flags?: { [rule: string]: boolean[][] } | null;
  mitigation?: { suppressed?: boolean; round_base?: number | null; notes?: string[] } | null;
  summary?: { [key: string]: unknown } | null;
  figure?: { png?: string } | null;
}

/** Flags that mark a mitigation rather than a failing rule. */
const MITIGATION_FLAGS = new Set(['secondary']);

/** Read a record from an output bundle; null when the bundle has none or it is malformed. */
export function readRecord(data: unknown): ISdcRecord | null {
  let value = data;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return null;
    }
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return null;
  }
  const record = value as ISdcRecord;
  if (typeof record.uid !== 'string') {
    return null;
  }
  return record;
}

export function recordFromBundle(
  bundle: ReadonlyPartialJSONObject | undefined
): ISdcRecord | null {
  if (!bundle || !(MIME_TYPE in bundle)) {
    return null;
  }
  return readRecord(bundle[MIME_TYPE]);
}

/** Fail closed: anything we cannot read as pass/review/fail is shown as review. */
export function statusOf(record: ISdcRecord): Status {
  const status = String(record.status ?? '').toLowerCase();
  if (status === 'pass' || status === 'fail' || status === 'review') {
    return status;
  }
  return 'review';
}

export function isNewerSchema(record: ISdcRecord): boolean {
  return typeof record.schema_version === 'number' && record.schema_version > SCHEMA_VERSION;
}

export const STATUS_TEXT: { [status in Status]: string } = {
  pass: 'Pass',
  review: 'Review',
  fail: 'Fail'
};

/** The symbol beside the word, so the status is never told by colour alone. */
export const STATUS_SYMBOL: { [status in Status]: string } = {
  pass: '\u2713',
  review: '?',
  fail: '\u2717'
};

export function displayName(record: ISdcRecord): string {
  return record.label || record.title || `Output ${record.uid}`;
}

export function mainReason(record: ISdcRecord): string {
  const reasons = record.reasons ?? [];
  if (reasons.length > 0) {
    return reasons[0];
  }
  return statusOf(record) === 'pass' ? 'All checks passed.' : 'No reason given.';
}

/** Rule ids whose flag is true at (row, col), mitigation marks left out. */
export function failingRules(record: ISdcRecord, row: number, col: number): string[] {
  const rules: string[] = [];
  for (const [rule, grid] of Object.entries(record.flags ?? {})) {
    if (MITIGATION_FLAGS.has(rule) || !Array.isArray(grid)) {
      continue;
    }
    if (grid[row]?.[col] === true) {
      rules.push(rule);
    }
  }
  return rules;
}

export function isSecondary(record: ISdcRecord, row: number, col: number): boolean {
  return record.flags?.secondary?.[row]?.[col] === true;
}

export type Disposition = 'included' | 'exception' | 'needs-explanation' | 'left-out' | 'excluded';

export interface IExportPlan {
  disposition: Disposition;
  why: string;
}

/**
 * What an export would do with this record, and why. It follows the exporter's checks: every
 * released output needs a title and an explanation, a failing one an exception reason.
 */
export function exportPlan(record: ISdcRecord): IExportPlan {
  const status = statusOf(record);
  if (record.include === false) {
    return { disposition: 'excluded', why: 'Excluded: marked not to include.' };
  }
  if (isNewerSchema(record)) {
    return {
      disposition: 'left-out',
      why: 'Left out: written by a newer jupyter_sdc; upgrade jupyter_sdc.'
    };
  }
  if (status === 'fail' && !record.exception) {
    return {
      disposition: 'left-out',
      why: 'Left out: fails its checks and no exception was requested.'
    };
  }
  if (!record.explanation || !record.title) {
    const missing = !record.title ? 'a title' : 'an explanation';
    return { disposition: 'needs-explanation', why: `Needs ${missing} before it can be exported.` };
  }
  if (status === 'fail') {
    return { disposition: 'exception', why: 'Included as an exception request.' };
  }
  return { disposition: 'included', why: 'Included.' };
}
