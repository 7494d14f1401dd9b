/**
 * The record that the kernel saves in each checked output. Its type and schema version are
 * generated from jupyter_sdc/core/output.schema.json, the statuses and rules from
 * jupyter_sdc/core/rule_table.json (see labextension/scripts/generate.mjs).
 */
import { RULES, STATUSES } from './generated/ruleTable';
import { ISdcRecord, SCHEMA_VERSION, Status } from './generated/schema';

export type { ISdcRecord, Status };
export { SCHEMA_VERSION, STATUSES };

export const MIME_TYPE = 'application/vnd.jupyter-sdc.output+json';

/** Rule ids whose flags mark a mitigation (such as secondary), not a failing rule. */
const MITIGATION_MARKS = new Set<string>(RULES.filter(rule => !rule.reported).map(rule => rule.id));

/**
 * Read a record from an output bundle; null when it is malformed. Notebooks may be untrusted:
 * callers still check each value they use.
 */
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

/** Fail closed: anything we cannot read as pass/review/fail is shown as review. */
export function statusOf(value: unknown): Status {
  const status = String(value ?? '').toLowerCase();
  return Object.prototype.hasOwnProperty.call(STATUSES, status) ? (status as Status) : 'review';
}

export function isNewerSchema(record: ISdcRecord): boolean {
  return typeof record.schema_version === 'number' && record.schema_version > SCHEMA_VERSION;
}

export function displayName(record: ISdcRecord): string {
  return record.label || record.title || `Output ${record.uid}`;
}

/** Rule ids whose flag is true at (row, col), mitigation marks left out. */
export function failingRules(record: ISdcRecord, row: number, col: number): string[] {
  const rules: string[] = [];
  for (const [rule, grid] of Object.entries(record.flags ?? {})) {
    if (MITIGATION_MARKS.has(rule) || !Array.isArray(grid)) {
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

/**
 * What a rule means for one cell, in the rule table's words with the record's rule values
 * filled in: "fewer than 10 contributing records". Null without words or a value they need.
 */
export function ruleWords(rule: string, record: ISdcRecord): string | null {
  const template = RULES.find(item => item.id === rule)?.words;
  if (!template) {
    return null;
  }
  const values = record.rules ?? {};
  const unit = values.unit;
  let missing = false;
  const words = template.replace(/\{(\w+)\}/g, (_match, name: string) => {
    if (name === 'units') {
      return typeof unit === 'string' && unit ? `units (${unit})` : 'records';
    }
    const value = values[name];
    if (typeof value === 'number' || typeof value === 'string') {
      return String(value);
    }
    missing = true;
    return name;
  });
  return missing ? null : words;
}
