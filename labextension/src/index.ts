/**
 * jupyter-sdc: the SDC outputs sidebar and the export command/toolbar button.
 * The record renderer is the mime extension in mime.ts.
 */
import {
  ILabShell,
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { CommandToolbarButton, ICommandPalette } from '@jupyterlab/apputils';
import { DocumentRegistry } from '@jupyterlab/docregistry';
import { INotebookModel, INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { LabIcon } from '@jupyterlab/ui-components';
import { DisposableDelegate, IDisposable } from '@lumino/disposable';

import { versionMismatch } from './api';
import { listenForRemedies } from './apply';
import { NotebookExporter } from './exporter';
import { SdcSidebar } from './sidebar';

const EXPORT_COMMAND = 'jupyter-sdc:export';

const shieldSvg =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16">' +
  '<path class="jp-icon3" fill="#616161" d="M12 2 4 5v6c0 5 3.4 9.7 8 11 4.6-1.3 8-6 ' +
  '8-11V5l-8-3zm-1.2 14.2-3.5-3.5 1.4-1.4 2.1 2.1 4.9-4.9 1.4 1.4-6.3 6.3z"/></svg>';

export const sdcIcon = new LabIcon({ name: 'jupyter-sdc:shield', svgstr: shieldSvg });

class ExportButtonExtension implements DocumentRegistry.IWidgetExtension<
  NotebookPanel,
  INotebookModel
> {
  constructor(private readonly app: JupyterFrontEnd) {}

  createNew(panel: NotebookPanel): IDisposable {
    const button = new CommandToolbarButton({
      commands: this.app.commands,
      id: EXPORT_COMMAND,
      label: 'SDC export',
      icon: sdcIcon
    });
    button.addClass('jp-sdc-export-button');
    panel.toolbar.insertAfter('cellType', 'sdc-export', button);
    return new DisposableDelegate(() => button.dispose());
  }
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-sdc:plugin',
  description: 'SDC outputs sidebar and one-click export of a release request.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ICommandPalette, ILayoutRestorer, ILabShell],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null
  ) => {
    const sidebar = new SdcSidebar(tracker);
    sidebar.title.icon = sdcIcon;
    app.shell.add(sidebar, 'right', { rank: 600 });
    restorer?.add(sidebar, sidebar.id);

    const exporter = new NotebookExporter(() => app.commands.notifyCommandChanged(EXPORT_COMMAND));
    app.commands.addCommand(EXPORT_COMMAND, {
      label: 'Export SDC release request',
      caption: 'Save the notebook and export its checked outputs to the project SDC folder',
      icon: sdcIcon,
      isEnabled: () => !exporter.busy && tracker.currentWidget !== null,
      execute: async () => {
        const panel = tracker.currentWidget;
        if (panel) {
          await exporter.run(panel);
        }
      }
    });
    palette?.addItem({ command: EXPORT_COMMAND, category: 'SDC' });
    app.docRegistry.addWidgetExtension('Notebook', new ExportButtonExtension(app));
    tracker.widgetAdded.connect((_tracker, panel) => {
      const stop = listenForRemedies(panel);
      panel.disposed.connect(stop);
    });
    tracker.currentChanged.connect(() => app.commands.notifyCommandChanged(EXPORT_COMMAND));

    versionMismatch()
      .then(message => {
        if (message) {
          console.warn(message);
          sidebar.warning = message;
        }
      })
      .catch(error => {
        sidebar.warning = String(error.message ?? error);
      });
  }
};

export default plugin;
