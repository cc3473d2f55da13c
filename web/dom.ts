/** A tiny element builder: text is always set as text, never parsed as HTML. */
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | ((e: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  el.append(...children.filter((c): c is Node | string | number => c !== null && c !== undefined && c !== false).map((c) => (typeof c === 'number' ? String(c) : c)));
  return el;
}

export const fmtRate = (bytesPerSecond: number): string =>
  bytesPerSecond >= 1e6 ? `${(bytesPerSecond * 8e-6).toFixed(1)} Mbit/s` : bytesPerSecond >= 1e3 ? `${(bytesPerSecond * 8e-3).toFixed(1)} kbit/s` : `${Math.round(bytesPerSecond * 8)} bit/s`;

export const fmtTime = (ms: number): string => new Date(ms).toTimeString().slice(0, 8) + '.' + String(ms % 1000).padStart(3, '0');
