/** Parses hex such as `01 0c 00`, `010c00`, `01:0c:00` or `0x01,0x0c`; null if it is not hex. */
export function fromHex(text: string): Uint8Array | null {
  const clean = text.replace(/0x/gi, '').replace(/[\s:,\-]/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-f]/i.test(clean)) return null;
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function toHex(bytes: Uint8Array, sep = ' '): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) {
    if (i > 0) s += sep;
    s += bytes[i]!.toString(16).padStart(2, '0');
  }
  return s;
}
