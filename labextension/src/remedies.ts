/**
 * A failing record's remedies, as the kernel saved them: each with its status, description and
 * information loss, a side-by-side preview of the original and the remedied table (changed
 * cells marked) with its code, and "Apply", which inserts the code as a new cell under the
 * failing one and runs it (apply.ts: index.ts for the rendered record, the sidebar's dialog).
 */
import { statusBadge } from './badge';
import { el, labelText } from './dom';
import { ISdcRecord, statusOf } from './record';
import { Remedy } from './generated/schema';
import { renderTable } from './table';

/** Dispatched (bubbling) by a rendered record's Apply button; index.ts inserts the cell. */
export const APPLY_EVENT = 'jp-sdc-apply-remedy';

export interface IApplyDetail {
  uid: string;
  code: string;
}

/** The loss figures worth a word, in the order shown. */
const LOSS_WORDS: [string, string, boolean][] = [
  ['categories_merged', 'categories merged', false],
  ['records_moved', 'records moved', false],
  ['cells_suppressed', 'cells suppressed', false],
  ['suppressed_share', 'of the total suppressed', true],
  ['records_coded', 'records top/bottom-coded', false],
  ['bins_merged', 'bins merged', false],
  ['rounding_error', 'rounding error', true],
  ['relative_change', 'change of the value', true]
];

export function lossText(loss: Remedy['loss'] | undefined): string {
  const parts: string[] = [];
  for (const [key, words, share] of LOSS_WORDS) {
    const value = Number(loss?.[key] ?? 0);
    if (Number.isFinite(value) && value !== 0) {
      parts.push(share ? `${(value * 100).toFixed(1)}% ${words}` : `${value} ${words}`);
    }
  }
  parts.push(`loss ${Number(loss?.score ?? 0).toPrecision(3)}`);
  return parts.join(' \u00b7 ');
}

/** The remedies a record holds (a notebook may be hand-edited: each one is checked). */
export function remediesOf(record: ISdcRecord): Remedy[] {
  const found = Array.isArray(record.remedies) ? record.remedies : [];
  return found.filter(
    remedy => remedy && typeof remedy.code === 'string' && typeof remedy.description === 'string'
  );
}

function preview(record: ISdcRecord, remedy: Remedy): HTMLElement {
  const box = el('div', 'jp-sdc-remedy-preview');
  const sides = el('div', 'jp-sdc-remedy-sides');
  const original = el('div', 'jp-sdc-remedy-side jp-sdc-remedy-original');
  original.append(el('h4', undefined, 'Original'));
  if (record.table && Array.isArray(record.table.data)) {
    original.append(renderTable(record, record.table));
  }
  sides.append(original);
  const table = remedy.preview?.table as ISdcRecord['table'] | undefined;
  if (table && [table.index, table.columns, table.data].every(Array.isArray)) {
    const remedied = el('div', 'jp-sdc-remedy-side jp-sdc-remedy-remedied');
    remedied.append(el('h4', undefined, 'With this remedy (changes marked)'));
    const shown: ISdcRecord = {
      ...record,
      table,
      counts: remedy.preview?.counts ?? null,
      flags: {},
      status: statusOf(remedy.status)
    };
    remedied.append(renderTable(shown, table, remedy.preview?.changed ?? null));
    sides.append(remedied);
  }
  box.append(sides);
  box.append(el('pre', 'jp-sdc-remedy-code', remedy.code));
  return box;
}

/**
 * The remedies section of a record, or null when it has none. `onApply` runs for the Apply
 * button; without it the button dispatches APPLY_EVENT for the notebook to handle.
 */
export function renderRemedies(
  record: ISdcRecord,
  onApply?: (remedy: Remedy) => void
): HTMLElement | null {
  const found = remediesOf(record);
  if (found.length === 0) {
    return null;
  }
  const section = el('section', 'jp-sdc-remedies');
  section.setAttribute('aria-label', 'Remedies');
  const noun = found.length === 1 ? 'remedy' : 'remedies';
  section.append(
    el('p', 'jp-sdc-remedies-title', `${found.length} ${noun}, each already checked:`)
  );
  const list = el('ol', 'jp-sdc-remedy-list');
  found.forEach((remedy, index) => list.append(renderRemedy(record, remedy, index, onApply)));
  section.append(list);
  return section;
}

function renderRemedy(
  record: ISdcRecord,
  remedy: Remedy,
  index: number,
  onApply?: (remedy: Remedy) => void
): HTMLElement {
  const item = el('li', 'jp-sdc-remedy');
  item.dataset.kind = labelText(remedy.kind);
  item.dataset.index = String(index);
  const head = el('div', 'jp-sdc-remedy-head');
  head.append(
    statusBadge(statusOf(remedy.status)),
    el('span', 'jp-sdc-remedy-description', remedy.description),
    el('span', 'jp-sdc-remedy-loss', lossText(remedy.loss))
  );
  item.append(head);
  const buttons = el('div', 'jp-sdc-remedy-buttons');
  const show = el('button', 'jp-sdc-remedy-show jp-mod-styled', 'Preview');
  show.type = 'button';
  show.setAttribute('aria-expanded', 'false');
  let shown: HTMLElement | null = null;
  show.addEventListener('click', () => {
    if (shown) {
      shown.remove();
      shown = null;
    } else {
      shown = preview(record, remedy);
      item.append(shown);
    }
    show.setAttribute('aria-expanded', String(shown !== null));
    show.textContent = shown ? 'Hide preview' : 'Preview';
  });
  buttons.append(show);
  if (!record.superseded_by) {
    const apply = el('button', 'jp-sdc-remedy-apply jp-mod-styled jp-mod-accept', 'Apply');
    apply.type = 'button';
    apply.title = 'Insert this code as a new cell under the failing one and run it';
    apply.addEventListener('click', () => {
      if (onApply) {
        onApply(remedy);
        return;
      }
      const detail: IApplyDetail = { uid: record.uid, code: remedy.code };
      apply.dispatchEvent(new CustomEvent(APPLY_EVENT, { bubbles: true, detail }));
    });
    buttons.append(apply);
  }
  item.append(buttons);
  return item;
}
