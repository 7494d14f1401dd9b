/** The dialog bodies that report an export: what was written, or what to fix. */
import { Widget } from '@lumino/widgets';

import { IExportReply } from './api';
import { el } from './dom';

function section(title: string, items: string[], className: string): HTMLElement {
  const box = el('section', `jp-sdc-export-section ${className}`);
  box.append(el('h3', undefined, `${title} (${items.length})`));
  if (items.length > 0) {
    const list = el('ul');
    items.forEach(item => list.append(el('li', undefined, item)));
    box.append(list);
  }
  return box;
}

/** Preflight findings as plain lines, whatever shape the exporter gives them. */
export function preflightLines(preflight: { [key: string]: unknown }): string[] {
  const lines: string[] = [];
  const findings = preflight.findings ?? preflight.problems ?? preflight.issues;
  if (Array.isArray(findings)) {
    for (const finding of findings) {
      if (finding && typeof finding === 'object') {
        const f = finding as { [key: string]: unknown };
        const level = f.level ?? f.severity ?? f.status;
        const where = f.file ?? f.where ?? f.path;
        const text = f.message ?? f.text ?? JSON.stringify(f);
        lines.push(
          [level ? `[${level}]` : '', where ? `${where}:` : '', text].filter(Boolean).join(' ')
        );
      } else {
        lines.push(String(finding));
      }
    }
  }
  return lines;
}

/** "Table 1: title (status)" for an output the export reports or plans. */
export function outputName(output: {
  uid: unknown;
  label?: unknown;
  title?: unknown;
  status?: unknown;
}): string {
  const label = [output.label, output.title].filter(Boolean).map(String).join(': ');
  const name = label || String(output.uid);
  return output.status ? `${name} (${String(output.status)})` : name;
}

/** uid -> "Table 1: title (status)" from the preflight report's list of outputs. */
function outputNames(preflight: { [key: string]: unknown }): Map<string, string> {
  const names = new Map<string, string>();
  const outputs: unknown[] = [preflight.included, preflight.left_out].reduce<unknown[]>(
    (all, list) => all.concat(Array.isArray(list) ? list : []),
    []
  );
  for (const item of outputs) {
    if (item && typeof item === 'object' && !Array.isArray(item)) {
      const output = item as Parameters<typeof outputName>[0];
      // Its left-out entries carry a uid and a reason only: no name to take from them.
      if (typeof output.uid === 'string' && (output.label || output.title)) {
        names.set(output.uid, outputName(output));
      }
    }
  }
  return names;
}

/** `known` names outputs by uid (the exporter's plan); the export's own report comes first. */
export function successBody(reply: IExportReply, known: Map<string, string> = new Map()): Widget {
  const body = new Widget();
  body.addClass('jp-sdc-export-dialog');
  body.node.dataset.outcome = 'exported';
  const folder = el('p', 'jp-sdc-export-folder');
  folder.append('Release request written to ', el('code', undefined, reply.folder));
  body.node.append(folder);
  const preflight = reply.preflight ?? {};
  const names = new Map([...known, ...outputNames(preflight)]);
  const ok = preflight.ok ?? preflight.passed;
  if (ok !== undefined) {
    body.node.append(
      el(
        'p',
        'jp-sdc-export-preflight-status',
        ok ? 'Preflight: no problems found.' : 'Preflight found problems:'
      )
    );
  }
  body.node.append(
    section(
      'Included',
      (reply.included ?? []).map(uid => names.get(uid) ?? uid),
      'jp-sdc-export-included'
    ),
    section(
      'Left out',
      (reply.left_out ?? []).map(([uid, why]) => `${names.get(uid) ?? uid}: ${why}`),
      'jp-sdc-export-left-out'
    ),
    section('Preflight findings', preflightLines(preflight), 'jp-sdc-export-preflight')
  );
  if (reply.warnings && reply.warnings.length > 0) {
    body.node.append(section('Warnings', reply.warnings, 'jp-sdc-export-warnings'));
  }
  return body;
}

export function refusalBody(message: string, problems: string[], refused: boolean): Widget {
  const body = new Widget();
  body.addClass('jp-sdc-export-dialog');
  body.node.dataset.outcome = 'refused';
  body.node.append(el('p', 'jp-sdc-export-message', message));
  if (problems.length > 0) {
    body.node.append(section('To fix before exporting', problems, 'jp-sdc-export-problems'));
  }
  if (refused) {
    body.node.append(el('p', 'jp-sdc-export-nothing', 'Nothing was written to the SDC folder.'));
  }
  return body;
}
