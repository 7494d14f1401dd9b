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
  isNewerSchema,
  ISdcRecord,
  MIME_TYPE,
  readRecord,
  SCHEMA_VERSION,
  STATUSES,
  statusOf
} from './record';
import { renderRemedies } from './remedies';
import { renderTable } from './table';

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
  if (record.superseded_by) {
    root.append(
      el(
        'p',
        'jp-sdc-superseded',
        `Superseded by output ${labelText(record.superseded_by)} (a remedy applied): left out ` +
          'of exports.'
      )
    );
  }
  const remedies = renderRemedies(record);
  if (remedies) {
    root.append(remedies);
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
