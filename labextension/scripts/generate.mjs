/**
 * Writes labextension/src/generated/ from the Python package's data files, so the TypeScript
 * side never restates them: the record's types from jupyter_sdc/core/output.schema.json and the
 * statuses and rules from jupyter_sdc/core/rule_table.json. Run by `jlpm build:generate` before
 * every tsc build. Node only: the Python build environment has no numpy or pandas to import.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import { compile } from 'json-schema-to-typescript';
import prettier from 'prettier';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCHEMA = join(ROOT, 'jupyter_sdc', 'core', 'output.schema.json');
const RULE_TABLE = join(ROOT, 'jupyter_sdc', 'core', 'rule_table.json');
const OUT = join(ROOT, 'labextension', 'src', 'generated');

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf-8'));
}

function fail(message) {
  throw new Error(`build:generate: ${message}`);
}

function banner(source) {
  const from = relative(ROOT, source).split('\\').join('/');
  return `/* Generated from ${from} by labextension/scripts/generate.mjs: do not edit. */`;
}

/** The newest schema_version the schema describes: its `const`, else its `maximum`. */
function schemaVersion(schema) {
  const property = schema.properties?.schema_version ?? fail('the schema has no schema_version');
  const version = property.const ?? property.maximum;
  if (Number.isInteger(version)) {
    return version;
  }
  if (Number.isInteger(property.minimum)) {
    // Until the schema names its newest version, the oldest one it accepts is the only one.
    console.warn(
      'build:generate: output.schema.json gives schema_version no "maximum" (or "const"); ' +
        `using its minimum, ${property.minimum}.`
    );
    return property.minimum;
  }
  return fail('schema_version has no integer const, maximum or minimum');
}

async function recordModule(schema) {
  const types = await compile(schema, 'ISdcRecord', {
    bannerComment: '',
    unknownAny: true,
    format: false,
    // The record itself is ISdcRecord (its title would give JupyterSdcOutputRecord).
    customName: node => (node.title === schema.title ? 'ISdcRecord' : undefined)
  });
  return [
    banner(SCHEMA),
    '',
    '/** The newest record schema this frontend understands. */',
    `export const SCHEMA_VERSION = ${schemaVersion(schema)};`,
    '',
    types
  ].join('\n');
}

function ruleTableModule(table, schema) {
  const statuses = schema.$defs?.status?.enum ?? fail('the schema has no $defs.status enum');
  const keys = Object.keys(table.statuses ?? {});
  if (keys.join() !== statuses.join()) {
    fail(`rule_table.json has statuses ${keys} but the record schema ${statuses}`);
  }
  const rules = (table.rules ?? []).map(rule => {
    if (typeof rule.id !== 'string' || !['cell', 'output', 'mark'].includes(rule.kind)) {
      fail(`a rule without an id or with an unknown kind: ${JSON.stringify(rule)}`);
    }
    return {
      id: rule.id,
      kind: rule.kind,
      acro_check: rule.acro_check ?? null,
      status: rule.status ?? null,
      statistics: rule.statistics ?? [],
      settings: rule.settings ?? [],
      words: rule.words ?? null,
      reported: rule.reported !== false
    };
  });
  const ids = rules.map(rule => JSON.stringify(rule.id)).join(' | ');
  return [
    banner(RULE_TABLE),
    "import type { Status } from './schema';",
    '',
    '/** How a status is shown: a symbol and a word beside the colour, never colour alone. */',
    'export interface IStatusLook {',
    '  readonly symbol: string;',
    '  /** Upper-case, as on the badge. */',
    '  readonly word: string;',
    '  /** For sentences and screen readers. */',
    '  readonly text: string;',
    '}',
    '',
    `export type RuleId = ${ids};`,
    '',
    'export interface IRule {',
    '  readonly id: RuleId;',
    "  readonly kind: 'cell' | 'output' | 'mark';",
    '  readonly acro_check: string | null;',
    "  /** The status a flag gives: 'fail', 'review', 'setting:<rule value>', or null for a mark. */",
    '  readonly status: string | null;',
    '  readonly statistics: readonly string[];',
    '  readonly settings: readonly string[];',
    '  /** What the rule means for one cell; {name} stands for a rule value of the record. */',
    '  readonly words: string | null;',
    '  /** False for a mitigation mark (such as secondary), which is not a failing rule. */',
    '  readonly reported: boolean;',
    '}',
    '',
    `export const STATUSES: { readonly [status in Status]: IStatusLook } = ${JSON.stringify(
      table.statuses
    )};`,
    '',
    '/** In the order of judgement and of the reasons. */',
    `export const RULES: readonly IRule[] = ${JSON.stringify(rules)};`,
    ''
  ].join('\n');
}

/** Write only what changed, so tsc and the watchers see no new files after a no-op build. */
async function write(name, source) {
  const path = join(OUT, name);
  const options = (await prettier.resolveConfig(path)) ?? {};
  const text = await prettier.format(source, { ...options, parser: 'typescript' });
  let old = null;
  try {
    old = readFileSync(path, 'utf-8');
  } catch {
    // first build
  }
  if (old !== text) {
    writeFileSync(path, text);
  }
}

const schema = readJson(SCHEMA);
mkdirSync(OUT, { recursive: true });
await write('schema.ts', await recordModule(schema));
await write('ruleTable.ts', ruleTableModule(readJson(RULE_TABLE), schema));
