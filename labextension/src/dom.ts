/** Small DOM helpers: every piece of text goes in through textContent, never as HTML. */

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

export function labelText(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  return String(value);
}

export function valueText(value: unknown): string {
  if (value === null || value === undefined) {
    return '\u2013';
  }
  if (typeof value === 'number') {
    return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
  }
  return String(value);
}
