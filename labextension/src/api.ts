/**
 * Typed calls to the jupyter_sdc server extension. The REST contract is written down in
 * jupyter_sdc/server/handlers.py.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { Status } from './record';
import { FRONTEND_VERSION } from './version';

export interface IExportReply {
  folder: string;
  preflight: { [key: string]: unknown };
  included: string[];
  left_out: [string, string][];
  warnings?: string[];
}

/** What an export would do with one output (the exporter's own decision). */
export type Disposition = 'included' | 'exception' | 'needs-explanation' | 'left-out' | 'excluded';

export interface IPlannedOutput {
  uid: string;
  cell_index: number;
  cell_id: string | null;
  /** The label the export prints (its own numbering for an unlabelled output). */
  label: string | null;
  title: string | null;
  status: Status;
  reason: string;
  disposition: Disposition;
  why: string;
}

export interface IPlanReply {
  outputs: IPlannedOutput[];
  counts: { [status in Status]: number };
}

/** An error reply from the server: status code, message and the problems to fix. */
export class SdcApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problems: string[] = []
  ) {
    super(message);
  }
}

export async function requestAPI<T>(endPoint: string, init: RequestInit = {}): Promise<T> {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, 'jupyter-sdc', endPoint);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new SdcApiError(0, `Cannot reach the Jupyter server: ${String(error)}`);
  }
  const text = await response.text();
  let body: { [key: string]: unknown } = {};
  if (text.length > 0) {
    try {
      const parsed: unknown = JSON.parse(text);
      body =
        parsed && typeof parsed === 'object'
          ? (parsed as typeof body)
          : { message: text.slice(0, 200) };
    } catch {
      body = { message: text.slice(0, 200) };
    }
  }
  if (!response.ok) {
    if (response.status === 404 && body.message === undefined) {
      throw new SdcApiError(
        404,
        'The jupyter_sdc server extension is not running. Run `jupyter server extension ' +
          'enable jupyter_sdc` and restart JupyterLab.'
      );
    }
    const problems = Array.isArray(body.problems) ? body.problems.map(String) : [];
    throw new SdcApiError(response.status, String(body.message ?? response.statusText), problems);
  }
  return body as T;
}

export function exportNotebook(path: string): Promise<IExportReply> {
  return requestAPI<IExportReply>('export', {
    method: 'POST',
    body: JSON.stringify({ path })
  });
}

/** The exporter's decisions for a notebook's JSON as on screen (saved or not). */
export function planNotebook(notebook: unknown): Promise<IPlanReply> {
  return requestAPI<IPlanReply>('plan', {
    method: 'POST',
    body: JSON.stringify({ notebook })
  });
}

/** A message when the server and the frontend differ, else null. */
export async function versionMismatch(): Promise<string | null> {
  const reply = await requestAPI<{ version: string }>('version');
  if (reply.version === FRONTEND_VERSION) {
    return null;
  }
  return (
    `jupyter_sdc's server part is version ${reply.version} but its JupyterLab part is ` +
    `${FRONTEND_VERSION}. Reinstall jupyter_sdc in the environment that runs JupyterLab ` +
    '(pip install -U jupyter_sdc) and restart JupyterLab.'
  );
}
