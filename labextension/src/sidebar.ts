/**
 * "SDC outputs" panel: every record of the active notebook with its status, its main reason and
 * what an export would do with it, with the pass/review/fail counts. The exporter decides: the
 * panel sends the notebook as on screen to POST /jupyter-sdc/plan, so it promises only what an
 * export does, under the labels the export prints.
 */
import { Dialog } from '@jupyterlab/apputils';
import { ICodeCellModel } from '@jupyterlab/cells';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { Widget } from '@lumino/widgets';

import { Disposition, IPlannedOutput, IPlanReply, planNotebook } from './api';
import { applyRemedy } from './apply';
import { statusBadge } from './badge';
import { el, labelText } from './dom';
import { ISdcRecord, MIME_TYPE, readRecord, Status, STATUSES, statusOf } from './record';
import { remediesOf, renderRemedies } from './remedies';

/** Outputs arrive one message at a time: ask the server once per burst. */
const DEBOUNCE_MS = 300;

const DISPOSITIONS = new Set<string>([
  'included',
  'exception',
  'needs-explanation',
  'left-out',
  'excluded'
] satisfies Disposition[]);

type PlanState =
  { kind: 'waiting' } | { kind: 'plan'; reply: IPlanReply } | { kind: 'error'; message: string };

export class SdcSidebar extends Widget {
  constructor(private readonly tracker: INotebookTracker) {
    super();
    this.id = 'jp-sdc-sidebar';
    this.addClass('jp-sdc-sidebar');
    this.title.caption = 'SDC outputs';
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', 'SDC outputs');
    this.node.tabIndex = -1;
    tracker.currentChanged.connect(this.onCurrentChanged, this);
    this.onCurrentChanged();
  }

  /** A warning shown above the list (e.g. a version mismatch). */
  set warning(text: string | null) {
    this._warning = text;
    this.render();
  }

  private onCurrentChanged(): void {
    this.watch(this.tracker.currentWidget);
  }

  private watch(panel: NotebookPanel | null): void {
    if (this._panel) {
      this._panel.context.model.cells.changed.disconnect(this.onCellsChanged, this);
      this._panel.disposed.disconnect(this.onPanelDisposed, this);
    }
    this.unwatchOutputs();
    this._panel = panel;
    this._state = { kind: 'waiting' };
    if (panel) {
      panel.context.model.cells.changed.connect(this.onCellsChanged, this);
      panel.disposed.connect(this.onPanelDisposed, this);
      this.watchOutputs();
      // The model fills in when the file has loaded.
      void panel.context.ready.then(() => {
        if (this._panel === panel) {
          this.onCellsChanged();
        }
      });
    }
    this.render();
  }

  private onPanelDisposed(): void {
    this.watch(this.tracker.currentWidget);
  }

  private onCellsChanged(): void {
    this.unwatchOutputs();
    this.watchOutputs();
    this.schedulePlan();
  }

  private watchOutputs(): void {
    const model = this._panel?.context.model;
    if (!model) {
      return;
    }
    for (let i = 0; i < model.cells.length; i++) {
      const cell = model.cells.get(i);
      if (cell.type === 'code') {
        const outputs = (cell as ICodeCellModel).outputs;
        outputs.changed.connect(this.schedulePlan, this);
        this._watched.push(() => outputs.changed.disconnect(this.schedulePlan, this));
      }
    }
  }

  private unwatchOutputs(): void {
    this._watched.forEach(stop => stop());
    this._watched = [];
  }

  private schedulePlan(): void {
    if (this._timer === undefined) {
      this._timer = window.setTimeout(() => {
        this._timer = undefined;
        void this.askPlan();
      }, DEBOUNCE_MS);
    }
  }

  /** One request at a time; changes made meanwhile ask again when it ends. */
  private async askPlan(): Promise<void> {
    const panel = this._panel;
    if (!panel || !panel.context.isReady) {
      return;
    }
    if (this._asking) {
      this._askAgain = true;
      return;
    }
    this._asking = true;
    let state: PlanState;
    try {
      state = {
        kind: 'plan',
        reply: checkedReply(await planNotebook(panel.context.model.toJSON()))
      };
    } catch (error) {
      state = { kind: 'error', message: error instanceof Error ? error.message : String(error) };
    }
    this._asking = false;
    if (this._panel === panel) {
      this._state = state;
      this.render();
    }
    if (this._askAgain) {
      this._askAgain = false;
      this.schedulePlan();
    }
  }

  private render(): void {
    const node = this.node;
    node.textContent = '';
    node.append(el('h2', 'jp-sdc-sidebar-title', 'SDC outputs'));
    if (this._warning) {
      node.append(el('p', 'jp-sdc-warning', this._warning));
    }
    const panel = this._panel;
    if (!panel) {
      node.append(el('p', 'jp-sdc-empty', 'Open a notebook to see its checked outputs.'));
      return;
    }
    node.append(el('p', 'jp-sdc-sidebar-path', panel.context.path));
    const state = this._state;
    if (state.kind === 'waiting') {
      node.append(el('p', 'jp-sdc-waiting', 'Asking the exporter what it would do\u2026'));
      return;
    }
    if (state.kind === 'error') {
      // Nothing from an earlier answer stays on screen: it may no longer be true.
      node.append(this.renderError(state.message));
      return;
    }
    const { outputs, counts } = state.reply;
    node.append(renderCounts(counts));
    if (outputs.length === 0) {
      node.append(
        el(
          'p',
          'jp-sdc-empty',
          'No checked outputs in this notebook yet. Use %%sdc_check or the sdc.* wrappers, ' +
            'then run the cells.'
        )
      );
      return;
    }
    const list = el('ul', 'jp-sdc-list');
    list.setAttribute('aria-label', 'Checked outputs');
    for (const item of outputs) {
      list.append(renderItem(panel, item));
    }
    node.append(list);
  }

  private renderError(message: string): HTMLElement {
    const box = el('div', 'jp-sdc-error');
    box.setAttribute('role', 'alert');
    box.append(
      el('p', 'jp-sdc-error-title', 'The server could not tell what an export would do.'),
      el('p', 'jp-sdc-error-message', message)
    );
    const retry = el('button', 'jp-sdc-retry jp-mod-styled', 'Try again');
    retry.type = 'button';
    retry.addEventListener('click', () => void this.askPlan());
    box.append(retry);
    return box;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    window.clearTimeout(this._timer);
    this.unwatchOutputs();
    super.dispose();
  }

  private _panel: NotebookPanel | null = null;
  private _state: PlanState = { kind: 'waiting' };
  private _watched: (() => void)[] = [];
  private _timer: number | undefined = undefined;
  private _asking = false;
  private _askAgain = false;
  private _warning: string | null = null;
}

/** The reply, or an error if it is not the plan the contract describes. */
function checkedReply(reply: IPlanReply): IPlanReply {
  if (!reply || !Array.isArray(reply.outputs) || !reply.counts) {
    throw new Error('The server sent an answer this version of jupyter_sdc cannot read.');
  }
  return reply;
}

function renderCounts(counts: IPlanReply['counts']): HTMLElement {
  const summary = el('p', 'jp-sdc-counts');
  summary.setAttribute('aria-live', 'polite');
  (Object.keys(STATUSES) as Status[]).forEach(status => {
    const count = Number(counts[status] ?? 0);
    const item = el('span', `jp-sdc-count-${status}`, `${STATUSES[status].text}: ${count}`);
    item.dataset.count = String(count);
    summary.append(item);
  });
  return summary;
}

function renderItem(panel: NotebookPanel, item: IPlannedOutput): HTMLElement {
  const status = statusOf(item.status);
  const disposition = DISPOSITIONS.has(item.disposition) ? item.disposition : 'left-out';
  const name = labelText(item.label) || labelText(item.title) || `Output ${labelText(item.uid)}`;
  const reason = labelText(item.reason);
  const why = labelText(item.why);
  const li = el('li', `jp-sdc-item jp-sdc-plan-${disposition}`);
  li.dataset.uid = labelText(item.uid);
  li.dataset.status = status;
  li.dataset.disposition = disposition;
  const button = el('button', 'jp-sdc-item-button');
  button.type = 'button';
  button.title = 'Go to the cell';
  const cell = Number(item.cell_index) + 1;
  button.setAttribute(
    'aria-label',
    `${name}, ${STATUSES[status].text}: ${reason} ${why} Go to cell ${cell}.`
  );
  const head = el('span', 'jp-sdc-item-head');
  head.append(statusBadge(status), el('span', 'jp-sdc-item-name', name));
  button.append(
    head,
    el('span', 'jp-sdc-item-reason', reason),
    el('span', 'jp-sdc-item-plan', why)
  );
  button.addEventListener('click', () => void scrollToCell(panel, item));
  li.append(button);
  const found = recordOf(panel, labelText(item.uid));
  if (found && !found.record.superseded_by && remediesOf(found.record).length > 0) {
    const count = remediesOf(found.record).length;
    const remedies = el('button', 'jp-sdc-item-remedies jp-mod-styled', `Remedies (${count})`);
    remedies.type = 'button';
    remedies.title = 'See the changes that would make this output pass, and apply one';
    remedies.addEventListener('click', () => showRemedies(panel, found.index, found.record));
    li.append(remedies);
  }
  return li;
}

/** The record with this uid in the notebook as on screen, and the index of its cell. */
function recordOf(panel: NotebookPanel, uid: string): { record: ISdcRecord; index: number } | null {
  const cells = panel.context.model.cells;
  for (let index = 0; index < cells.length; index++) {
    const cell = cells.get(index);
    if (cell.type !== 'code') {
      continue;
    }
    for (const output of (cell as ICodeCellModel).outputs.toJSON()) {
      const data = (output as { data?: { [mime: string]: unknown } }).data;
      const record = data ? readRecord(data[MIME_TYPE]) : null;
      if (record && record.uid === uid) {
        return { record, index };
      }
    }
  }
  return null;
}

/** A dialog with the record's remedies; Apply inserts the code under its cell and runs it. */
function showRemedies(panel: NotebookPanel, index: number, record: ISdcRecord): void {
  const name = record.label || record.title || `Output ${record.uid}`;
  const body = new Widget();
  body.addClass('jp-sdc-remedies-dialog');
  const dialog = new Dialog({
    title: `Remedies for ${name}`,
    body,
    buttons: [Dialog.cancelButton({ label: 'Close' })]
  });
  const section = renderRemedies(record, remedy => {
    dialog.resolve(0);
    void applyRemedy(panel, index, remedy.code);
  });
  if (section) {
    body.node.append(section);
  }
  void dialog.launch();
}

async function scrollToCell(panel: NotebookPanel, item: IPlannedOutput): Promise<void> {
  const notebook = panel.content;
  let index = notebook.widgets.findIndex(cell => cell.model.id === item.cell_id);
  if (index < 0 && Number.isInteger(item.cell_index) && item.cell_index < notebook.widgets.length) {
    index = item.cell_index; // a notebook without cell ids (nbformat < 4.5)
  }
  if (index < 0) {
    return;
  }
  notebook.activeCellIndex = index;
  await notebook.scrollToItem(index, 'start');
  notebook.activeCell?.node.focus();
}
