/**
 * Renders a jupyter_sdc record: status badge, reasons, the table with unweighted counts and
 * failing cells marked, label/title/explanation and exception note. It builds its own DOM from
 * the record's values (never HTML from the record), so it is safe in untrusted notebooks.
 */
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';

import { statusBadge } from './badge';
import { el, labelText, valueText } from './dom';
import {
  displayName,
  failingRules,
  isNewerSchema,
  isSecondary,
  ISdcRecord,
  MIME_TYPE,
  readRecord,
  ruleWords,
  SCHEMA_VERSION,
  STATUSES,
  statusOf
} from './record';

export class RenderedSdcOutput extends Widget implements IRenderMime.IRenderer {
  constructor() {
    super();
    this.addClass('jp-sdc-output');
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this.node.textContent = '';
    const record = readRecord(model.data[MIME_TYPE]);
    if (!record) {
      this.node.append(
        el(
          'p',
          'jp-sdc-warning',
          'This disclosure-check output cannot be read; treat it as Review.'
        )
      );
      return;
    }
    this.node.append(renderRecord(record));
  }
}

export function renderRecord(record: ISdcRecord): HTMLElement {
  const status = statusOf(record.status);
  const name = displayName(record);
  const root = el('section', `jp-sdc-record jp-sdc-status-${status}`);
  root.setAttribute('role', 'region');
  root.setAttribute('aria-label', `${name}: disclosure check ${STATUSES[status].text}`);
  root.dataset.uid = record.uid;

  const header = el('div', 'jp-sdc-header');
  const badge = statusBadge(status);
  badge.tabIndex = 0;
  badge.setAttribute('role', 'status');
  header.append(badge);
  if (record.label) {
    header.append(el('span', 'jp-sdc-label', record.label));
  }
  if (record.title) {
    header.append(el('span', 'jp-sdc-title', record.title));
  }
  root.append(header);

  if (isNewerSchema(record)) {
    root.append(
      el(
        'p',
        'jp-sdc-warning',
        `This output was written by a newer jupyter_sdc (record schema ${record.schema_version}; ` +
          `this one reads ${SCHEMA_VERSION}). Upgrade jupyter_sdc to see it in full.`
      )
    );
    return root;
  }

  if (record.exception) {
    root.append(el('p', 'jp-sdc-exception', `Exception requested: ${record.exception}`));
  }
  if (record.explanation) {
    root.append(el('p', 'jp-sdc-explanation', record.explanation));
  } else {
    root.append(
      el('p', 'jp-sdc-warning', 'No explanation yet: add a sentence saying what this shows.')
    );
  }

  const reasons = strings(record.reasons);
  if (reasons.length > 0) {
    const list = el('ul', 'jp-sdc-reasons');
    list.setAttribute('aria-label', 'Reasons');
    for (const reason of reasons) {
      list.append(el('li', undefined, reason));
    }
    root.append(list);
  }

  const table = record.table;
  if (table && [table.index, table.columns, table.data].every(Array.isArray)) {
    root.append(renderTable(record, table));
  }
  if (typeof record.figure?.png === 'string') {
    const img = el('img', 'jp-sdc-figure');
    img.src = `data:image/png;base64,${record.figure.png}`;
    img.alt = `Figure: ${name}`;
    root.append(img);
  }
  if (record.summary && Object.keys(record.summary).length > 0) {
    const summary = el('p', 'jp-sdc-summary');
    summary.textContent = Object.entries(record.summary)
      .map(([key, value]) => `${key}: ${valueText(value)}`)
      .join(' \u00b7 ');
    root.append(summary);
  }
  for (const note of strings(record.mitigation?.notes)) {
    root.append(el('p', 'jp-sdc-note', note));
  }
  for (const comment of strings(record.comments)) {
    root.append(el('p', 'jp-sdc-comment', `Comment: ${comment}`));
  }
  return root;
}

/** The strings of a list the record should hold (a notebook may be hand-edited). */
function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(item => labelText(item)) : [];
}

function rename(record: ISdcRecord, value: unknown): string {
  const text = labelText(value);
  const renamed = record.rename?.[text];
  return typeof renamed === 'string' ? renamed : text;
}

function renderTable(record: ISdcRecord, table: ISdcRecord['table']): HTMLElement {
  const counts = record.counts ?? null;
  const wrap = el('div', 'jp-sdc-table-wrap');
  const node = el('table', 'jp-sdc-table');
  node.setAttribute(
    'aria-label',
    `${displayName(record)}: values with unweighted counts in brackets`
  );
  const indexLevels = Math.max(1, table.index[0]?.length ?? 1);
  const columnLevels = Math.max(1, table.columns[0]?.length ?? 1);

  // As pandas prints it: column level names beside the column labels, index names below.
  const head = el('thead');
  for (let level = 0; level < columnLevels; level++) {
    const row = el('tr');
    for (let i = 0; i < indexLevels; i++) {
      const corner = el('th');
      if (i === indexLevels - 1) {
        corner.textContent = rename(record, table.column_names?.[level] ?? '');
      }
      row.append(corner);
    }
    for (const column of table.columns) {
      const th = el('th', undefined, rename(record, column[level]));
      th.scope = 'col';
      row.append(th);
    }
    head.append(row);
  }
  const indexNames = table.index_names ?? [];
  if (indexNames.some(name => name !== null && name !== undefined && name !== '')) {
    const row = el('tr');
    for (let i = 0; i < indexLevels; i++) {
      row.append(el('th', undefined, rename(record, indexNames[i] ?? '')));
    }
    table.columns.forEach(() => row.append(el('th')));
    head.append(row);
  }
  node.append(head);

  const body = el('tbody');
  table.data.forEach((values, r) => {
    const row = el('tr');
    const labels = table.index[r] ?? [];
    for (let i = 0; i < indexLevels; i++) {
      const th = el('th', undefined, rename(record, labels[i]));
      th.scope = 'row';
      row.append(th);
    }
    (values ?? []).forEach((value, c) => {
      row.append(renderCell(record, value, counts?.[r]?.[c], r, c));
    });
    body.append(row);
  });
  node.append(body);
  wrap.append(node);
  return wrap;
}

function renderCell(
  record: ISdcRecord,
  value: unknown,
  count: unknown,
  row: number,
  col: number
): HTMLElement {
  const td = el('td', 'jp-sdc-cell');
  td.append(el('span', 'jp-sdc-value', valueText(value)));
  if (count !== undefined) {
    const n = el('span', 'jp-sdc-count', `(n=${valueText(count)})`);
    n.title = 'Unweighted count';
    td.append(n);
  }
  const rules = failingRules(record, row, col);
  if (rules.length > 0) {
    td.classList.add('jp-sdc-cell-fail');
    const mark = el('span', 'jp-sdc-cell-mark', '\u26a0');
    mark.setAttribute('aria-hidden', 'true');
    td.prepend(mark);
    const fails = rules.map(rule => ruleText(rule, record)).join('; ');
    td.title = `Fails: ${fails}`;
    td.setAttribute(
      'aria-label',
      `${valueText(value)}, count ${valueText(count)}, fails: ${fails}`
    );
  } else if (isSecondary(record, row, col)) {
    td.classList.add('jp-sdc-cell-secondary');
    const words = ruleWords('secondary', record) ?? 'suppressed to protect other cells';
    td.title = words.charAt(0).toUpperCase() + words.slice(1);
  }
  return td;
}

/** "fewer than 10 contributing records (threshold)", or the rule id alone. */
function ruleText(rule: string, record: ISdcRecord): string {
  const words = ruleWords(rule, record);
  return words ? `${words} (${rule})` : rule;
}

export const rendererFactory: IRenderMime.IRendererFactory = {
  safe: true,
  mimeTypes: [MIME_TYPE],
  defaultRank: 10,
  createRenderer: () => new RenderedSdcOutput()
};

/** Rank 10 puts it ahead of text/html (rank 50), which the kernel puts in the same bundle. */
export const mimeExtension: IRenderMime.IExtension = {
  id: 'jupyter-sdc:renderer',
  rendererFactory,
  rank: 10,
  dataType: 'json'
};
