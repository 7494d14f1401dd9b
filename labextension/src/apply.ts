/**
 * "Apply" a remedy: its code as a new code cell under the failing output's cell, run at once.
 * The code's `%%sdc_check --supersedes` line marks the failing output replaced in the kernel.
 */
import { NotebookActions, NotebookPanel } from '@jupyterlab/notebook';

import { APPLY_EVENT, IApplyDetail } from './remedies';

/** Insert `code` as a new code cell under cell `index` of the notebook, and run it. */
export async function applyRemedy(
  panel: NotebookPanel,
  index: number,
  code: string
): Promise<void> {
  const notebook = panel.content;
  notebook.activeCellIndex = index;
  NotebookActions.insertBelow(notebook);
  NotebookActions.changeCellType(notebook, 'code');
  const cell = notebook.activeCell;
  if (!cell) {
    return;
  }
  cell.model.sharedModel.setSource(code);
  await NotebookActions.run(notebook, panel.sessionContext);
}

/** Apply buttons of rendered records in `panel`: the cell they are in gets the new cell. */
export function listenForRemedies(panel: NotebookPanel): () => void {
  const onApply = (event: Event): void => {
    const detail = (event as CustomEvent<IApplyDetail>).detail;
    const target = event.target as Node | null;
    const index = panel.content.widgets.findIndex(cell => target && cell.node.contains(target));
    if (!detail || typeof detail.code !== 'string' || index < 0) {
      return;
    }
    event.stopPropagation();
    void applyRemedy(panel, index, detail.code);
  };
  panel.node.addEventListener(APPLY_EVENT, onApply);
  return () => panel.node.removeEventListener(APPLY_EVENT, onApply);
}
