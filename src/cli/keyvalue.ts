/**
 * The `key=value,key2="quoted value"` syntax qmicli and mbimcli take: keys start alphanumeric and hold
 * [A-Za-z0-9_-]; values end at a comma or white space unless quoted with ' or ".
 */
export class KeyValueError extends Error {
  override readonly name = 'KeyValueError';
}

export function parseKeyValues(input: string): [string, string][] {
  const out: [string, string][] = [];
  const s = input;
  let p = 0;
  const isSpace = (c: string | undefined): boolean => c !== undefined && /\s/.test(c);
  const isKeyChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_-]/.test(c);
  while (isSpace(s[p])) p++;
  if (p === s.length) return out;
  for (;;) {
    while (isSpace(s[p])) p++;
    if (!/[A-Za-z0-9]/.test(s[p] ?? '')) throw new KeyValueError(`Key must start with alpha/num, starts with '${s[p] ?? ''}'`);
    const keyStart = p;
    while (isKeyChar(s[p])) p++;
    const key = s.slice(keyStart, p);
    while (isSpace(s[p])) p++;
    if (s[p] !== '=') throw new KeyValueError("Couldn't find equal sign separator");
    p++;
    while (isSpace(s[p])) p++;
    let value: string;
    const q = s[p];
    if (q === '"' || q === "'") {
      const close = s.indexOf(q, p + 1);
      if (close < 0) throw new KeyValueError('Unmatched quotes in string value');
      value = s.slice(p + 1, close);
      p = close + 1;
    } else {
      const start = p;
      while (p < s.length && s[p] !== ',' && !isSpace(s[p])) p++;
      value = s.slice(start, p);
    }
    while (isSpace(s[p])) p++;
    out.push([key, value]);
    if (s[p] === ',') {
      p++;
      continue;
    }
    if (p >= s.length) return out;
    throw new KeyValueError(`Unexpected content (${s.slice(p)}) after value`);
  }
}
