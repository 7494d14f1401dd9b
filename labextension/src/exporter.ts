/** The export command: save the notebook, ask the server to export it, report the result. */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { NotebookPanel } from '@jupyterlab/notebook';

import { exportNotebook, SdcApiError } from './api';
import { collectRecords } from './collect';
import { refusalBody, successBody } from './exportDialog';

/** uid -> "Table 1: title (status)" for the records in the notebook. */
function outputNames(panel: NotebookPanel): Map<string, string> {
  const names = new Map<string, string>();
  for (const { record } of collectRecords(panel.context.model)) {
    const label = [record.label, record.title].filter(Boolean).join(': ') || record.uid;
    names.set(record.uid, record.status ? `${label} (${record.status})` : label);
  }
  return names;
}

export class NotebookExporter {
  /** True while an export runs: the button is disabled and a second click does nothing. */
  get busy(): boolean {
    return this._busy;
  }

  constructor(private readonly onBusyChanged: () => void) {}

  async run(panel: NotebookPanel): Promise<void> {
    if (this._busy) {
      return;
    }
    this.setBusy(true);
    try {
      await this.exportPanel(panel);
    } finally {
      this.setBusy(false);
    }
  }

  private async exportPanel(panel: NotebookPanel): Promise<void> {
    const context = panel.context;
    try {
      // The server exports the saved file, so save what is on screen first.
      await context.ready;
      await context.save();
    } catch (error) {
      await showDialog({
        title: 'SDC export: the notebook could not be saved',
        body: `Save the notebook, then export again. (${String(error)})`,
        buttons: [Dialog.okButton()]
      });
      return;
    }
    if (context.model.dirty) {
      // The save was cancelled (e.g. the file changed on disk and the user kept it).
      await showDialog({
        title: 'SDC export cancelled',
        body: 'The notebook has unsaved changes. Save it, then export again.',
        buttons: [Dialog.okButton()]
      });
      return;
    }
    try {
      const reply = await exportNotebook(context.path);
      await showDialog({
        title: 'SDC release request exported',
        body: successBody(reply, outputNames(panel)),
        buttons: [Dialog.okButton()]
      });
    } catch (error) {
      const apiError =
        error instanceof SdcApiError ? error : new SdcApiError(0, String(error));
      // 409: the exporter refused and listed what to fix; anything else is a failed call.
      await showDialog({
        title: apiError.status === 409 ? 'SDC export: fix these first' : 'SDC export failed',
        body: refusalBody(apiError.message, apiError.problems, apiError.status === 409),
        buttons: [Dialog.okButton()]
      });
    }
  }

  private setBusy(busy: boolean): void {
    this._busy = busy;
    this.onBusyChanged();
  }

  private _busy = false;
}
