/** Collect the records of a notebook model, in the exporter's order: last version
 * per uid, at the place of the first. */
import { ICodeCellModel } from '@jupyterlab/cells';
import { INotebookModel } from '@jupyterlab/notebook';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { ISdcRecord, recordFromBundle } from './record';

export interface IFoundRecord {
  record: ISdcRecord;
  cellIndex: number;
  cellId: string;
}

export function collectRecords(model: INotebookModel | null): IFoundRecord[] {
  const found = new Map<string, IFoundRecord>();
  if (!model) {
    return [];
  }
  for (let index = 0; index < model.cells.length; index++) {
    const cell = model.cells.get(index);
    if (cell.type !== 'code') {
      continue;
    }
    const outputs = (cell as ICodeCellModel).outputs;
    for (let o = 0; o < outputs.length; o++) {
      const record = recordFromBundle(outputs.get(o).data as ReadonlyPartialJSONObject);
      if (record) {
        // A display shown again keeps the first one's place; the later version wins.
        found.set(record.uid, { record, cellIndex: index, cellId: cell.id });
      }
    }
  }
  return [...found.values()];
}
