/**
 * Typed calls to the jupyter_sdc server extension. The REST contract is written down in
 * jupyter_sdc/server/handlers.py.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { ISdcRecord } from './record';
import { FRONTEND_VERSION } from './version';

export interface IExportReply {
  folder: string;
  preflight: { [key: string]: unknown };
  included: string[];
  left_out: [string, string][];
  warnings?: string[];
}

export interface IOutputsReply {
  path: string;
  outputs: ISdcRecord[];
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
  let body: any = {};
  if (text.length > 0) {
    try {
      body = JSON.parse(text);
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

export function notebookOutputs(path: string): Promise<IOutputsReply> {
  return requestAPI<IOutputsReply>(`outputs?path=${encodeURIComponent(path)}`);
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
