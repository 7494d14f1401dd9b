/** A record's table as the renderer and the remedy preview show it (text only, no HTML). */
import { el, labelText, valueText } from './dom';
import { displayName, failingRules, isSecondary, ISdcRecord, ruleWords } from './record';

function rename(record: ISdcRecord, value: unknown): string {
  const text = labelText(value);
  const renamed = record.rename?.[text];
  return typeof renamed === 'string' ? renamed : text;
}

/**
 * The table with unweighted counts beside the values and failing cells marked; `changed`
 * (aligned with the table) marks the cells a remedy changes instead.
 */
export function renderTable(
  record: ISdcRecord,
  table: ISdcRecord['table'],
  changed?: boolean[][] | null
): HTMLElement {
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
      const cell = renderCell(record, value, counts?.[r]?.[c], r, c);
      if (changed?.[r]?.[c] === true) {
        cell.classList.add('jp-sdc-cell-changed');
        cell.title = 'Changed by this remedy';
      }
      row.append(cell);
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
