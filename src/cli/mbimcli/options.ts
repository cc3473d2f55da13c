/**
 * GLib-style option parsing, as mbimcli does it: `--opt=value` and `--opt value` for options that
 * take a value, only `--opt=value` for those whose value is optional, `-d DEV`/`-dDEV` for short ones.
 */
export type ArgKind = 'none' | 'required' | 'optional';

export interface OptionSpec {
  name: string;
  short?: string;
  arg: ArgKind;
}

export type Parsed = Map<string, string | true>;

export class OptionError extends Error {}

export function parseOptions(argv: string[], specs: readonly OptionSpec[]): Parsed {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const out: Parsed = new Map();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    let spec: OptionSpec | undefined;
    let value: string | undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      spec = byName.get(name);
      if (!spec) throw new OptionError(`Unknown option ${eq < 0 ? a : a.slice(0, eq)}`);
      if (eq >= 0) {
        if (spec.arg === 'none') throw new OptionError(`Unexpected argument to option --${name}`);
        value = a.slice(eq + 1);
      }
    } else if (a.startsWith('-') && a.length > 1) {
      spec = byShort.get(a[1]!);
      if (!spec) throw new OptionError(`Unknown option ${a}`);
      if (a.length > 2) {
        if (spec.arg === 'none') throw new OptionError(`Unknown option ${a}`);
        value = a.slice(2);
      }
    } else {
      // mbimcli ignores stray positional arguments.
      continue;
    }
    if (value === undefined && spec.arg === 'required') {
      const next = argv[++i];
      if (next === undefined) throw new OptionError(`Missing argument for ${a}`);
      value = next;
    }
    out.set(spec.name, value ?? true);
  }
  return out;
}

/**
 * mbimcli's key=value lists: `key=value,key="quoted, value",key='x'`; keys start alphanumeric and may
 * hold `-` and `_`. Returns the pairs in order, or the error text mbimcli would give.
 */
export function parseKeyValues(text: string): [string, string][] | string {
  const out: [string, string][] = [];
  let p = text.trimStart();
  if (p === '') return out;
  const isSpace = (c: string | undefined): boolean => c !== undefined && /\s/.test(c);
  for (;;) {
    while (isSpace(p[0])) p = p.slice(1);
    if (!/^[A-Za-z0-9]/.test(p)) return `Key must start with alpha/num, starts with '${p[0] ?? ''}'`;
    const key = /^[A-Za-z0-9_-]+/.exec(p)![0];
    p = p.slice(key.length).trimStart();
    if (p[0] !== '=') return "Couldn't find equal sign separator";
    p = p.slice(1).trimStart();
    let value: string;
    if (p[0] === '"' || p[0] === "'") {
      const end = p.indexOf(p[0], 1);
      if (end < 0) return 'Unmatched quotes in string value';
      value = p.slice(1, end);
      p = p.slice(end + 1);
    } else {
      const m = /^[^,\s]*/.exec(p)![0];
      value = m;
      p = p.slice(m.length);
    }
    p = p.trimStart();
    out.push([key, value]);
    if (p[0] === ',') {
      p = p.slice(1);
      continue;
    }
    if (p === '') return out;
    return `Unexpected content (${p}) after value`;
  }
}
