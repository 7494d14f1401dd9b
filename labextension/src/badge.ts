/** The status badge: colour, symbol and word (the rule table's, as on the kernel's badge). */
import { el } from './dom';
import { Status, STATUSES } from './record';

export function statusBadge(status: Status): HTMLElement {
  const look = STATUSES[status];
  const badge = el('span', `jp-sdc-badge jp-sdc-badge-${status}`);
  badge.dataset.status = status;
  badge.setAttribute('aria-label', `Disclosure check: ${look.text}`);
  const symbol = el('span', 'jp-sdc-badge-symbol', look.symbol);
  symbol.setAttribute('aria-hidden', 'true');
  badge.append(symbol, el('span', 'jp-sdc-badge-text', look.word));
  return badge;
}
