/** The status badge: colour, symbol and word, so it reads without colour. */
import { el } from './dom';
import { Status, STATUS_SYMBOL, STATUS_TEXT } from './record';

export function statusBadge(status: Status): HTMLElement {
  const badge = el('span', `jp-sdc-badge jp-sdc-badge-${status}`);
  badge.dataset.status = status;
  badge.setAttribute('aria-label', `Disclosure check: ${STATUS_TEXT[status]}`);
  badge.append(
    el('span', 'jp-sdc-badge-symbol', STATUS_SYMBOL[status]),
    el('span', 'jp-sdc-badge-text', STATUS_TEXT[status])
  );
  badge.firstElementChild?.setAttribute('aria-hidden', 'true');
  return badge;
}
