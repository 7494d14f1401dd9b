/** The export command: save the notebook, ask the server to export it, report the result. */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { NotebookPanel } from '@jupyterlab/notebook';

import { exportNotebook, planNotebook, SdcApiError } from './api';
import { outputName, refusalBody, successBody } from './exportDialog';

/**
 * uid -> "Table 1: title (status)" under the labels the export prints, from the exporter's
 * plan; empty when the server cannot give it (the export's own report names what it can).
 */
async function outputNames(panel: NotebookPanel): Promise<Map<string, string>> {
  try {
    const plan = await planNotebook(panel.context.model.toJSON());
    return new Map(plan.outputs.map(item => [item.uid, outputName(item)]));
  } catch {
    return new Map();
  }
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
      const names = await outputNames(panel);
      const reply = await exportNotebook(context.path);
      await showDialog({
        title: 'SDC release request exported',
        body: successBody(reply, names),
        buttons: [Dialog.okButton()]
      });
    } catch (error) {
      const apiError = error instanceof SdcApiError ? error : new SdcApiError(0, String(error));
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
