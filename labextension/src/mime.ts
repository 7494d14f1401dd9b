/** Mime extension entry: registers the record renderer before any notebook opens. */
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';

import { mimeExtension } from './renderer';

const extensions: IRenderMime.IExtension[] = [mimeExtension];
export default extensions;
