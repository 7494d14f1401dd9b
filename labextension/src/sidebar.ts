/**
 * "SDC outputs" panel: every record of the active notebook with its status and main reason,
 * the pass/review/fail counts, and what an export would include or leave out and why.
 */
import { ICodeCellModel } from '@jupyterlab/cells';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { Widget } from '@lumino/widgets';

import { statusBadge } from './badge';
import { collectRecords, IFoundRecord } from './collect';
import { el } from './dom';
import { displayName, exportPlan, mainReason, Status, STATUS_TEXT, statusOf } from './record';

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
    this.refresh();
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
    this.refresh();
  }

  private onPanelDisposed(): void {
    this.watch(this.tracker.currentWidget);
  }

  private onCellsChanged(): void {
    this.unwatchOutputs();
    this.watchOutputs();
    this.scheduleRefresh();
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
        outputs.changed.connect(this.scheduleRefresh, this);
        this._watched.push(() => outputs.changed.disconnect(this.scheduleRefresh, this));
      }
    }
  }

  private unwatchOutputs(): void {
    this._watched.forEach(stop => stop());
    this._watched = [];
  }

  /** Outputs arrive one message at a time: redraw once per burst. */
  private scheduleRefresh(): void {
    if (this._timer === undefined) {
      this._timer = window.setTimeout(() => {
        this._timer = undefined;
        this.refresh();
      }, 100);
    }
  }

  refresh(): void {
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
    const found = collectRecords(panel.context.model);
    node.append(this.renderCounts(found));
    if (found.length === 0) {
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
    for (const item of found) {
      list.append(this.renderItem(panel, item));
    }
    node.append(list);
  }

  private renderCounts(found: IFoundRecord[]): HTMLElement {
    const counts: { [status in Status]: number } = { pass: 0, review: 0, fail: 0 };
    found.forEach(item => counts[statusOf(item.record)]++);
    const summary = el('p', 'jp-sdc-counts');
    summary.setAttribute('aria-live', 'polite');
    (['pass', 'review', 'fail'] as Status[]).forEach(status => {
      const count = el('span', `jp-sdc-count-${status}`, `${STATUS_TEXT[status]}: ${counts[status]}`);
      count.dataset.count = String(counts[status]);
      summary.append(count);
    });
    return summary;
  }

  private renderItem(panel: NotebookPanel, item: IFoundRecord): HTMLElement {
    const { record } = item;
    const status = statusOf(record);
    const plan = exportPlan(record);
    const li = el('li', `jp-sdc-item jp-sdc-plan-${plan.disposition}`);
    li.dataset.uid = record.uid;
    li.dataset.status = status;
    const button = el('button', 'jp-sdc-item-button');
    button.type = 'button';
    button.title = 'Go to the cell';
    button.setAttribute(
      'aria-label',
      `${displayName(record)}, ${STATUS_TEXT[status]}: ${mainReason(record)} ${plan.why} Go to cell ${
        item.cellIndex + 1
      }.`
    );
    const head = el('span', 'jp-sdc-item-head');
    head.append(statusBadge(status), el('span', 'jp-sdc-item-name', displayName(record)));
    button.append(
      head,
      el('span', 'jp-sdc-item-reason', mainReason(record)),
      el('span', 'jp-sdc-item-plan', plan.why)
    );
    button.addEventListener('click', () => void scrollToCell(panel, item.cellId));
    li.append(button);
    return li;
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
  private _watched: (() => void)[] = [];
  private _timer: number | undefined = undefined;
  private _warning: string | null = null;
}

async function scrollToCell(panel: NotebookPanel, cellId: string): Promise<void> {
  const notebook = panel.content;
  const index = notebook.widgets.findIndex(cell => cell.model.id === cellId);
  if (index < 0) {
    return;
  }
  notebook.activeCellIndex = index;
  await notebook.scrollToItem(index, 'start');
  notebook.activeCell?.node.focus();
}
