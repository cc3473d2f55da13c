/**
 * Command lines in GLib's style, as qmicli and mbimcli take them: `--name=value`, `--name value`,
 * `-x value`, `-xvalue`; an option with an optional argument takes one only through `=`.
 */
export type ArgKind = 'none' | 'required' | 'optional';

export interface OptionSpec {
  long: string;
  short?: string;
  arg: ArgKind;
}

/** A GLib-style option list for `--help`: one line per option, with how it takes its value. */
export function usageText(command: string, summary: string, specs: readonly OptionSpec[]): string {
  const lines = specs.map((s) => `  ${s.short ? `-${s.short}, ` : '    '}--${s.long}${s.arg === 'required' ? '=[VALUE]' : s.arg === 'optional' ? '[=VALUE]' : ''}`);
  return `Usage:\n  ${command} [OPTION…] - ${summary}\n\n${lines.join('\n')}\n`;
}

export class OptionError extends Error {
  override readonly name = 'OptionError';
}

/** Parsed options in command-line order; a flag without argument has the value `true`. */
export type ParsedOptions = Map<string, string | true>;

export function parseGlibOptions(argv: readonly string[], specs: readonly OptionSpec[]): { options: ParsedOptions; rest: string[] } {
  const byLong = new Map(specs.map((s) => [s.long, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const options: ParsedOptions = new Map();
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      rest.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const spec = byLong.get(name);
      if (!spec) throw new OptionError(`Unknown option ${a.slice(0, eq < 0 ? undefined : eq)}`);
      if (spec.arg === 'none') {
        // GLib lets `--flag=value` through for a flag without argument (observed with qmicli and mbimcli).
        options.set(name, true);
      } else if (eq >= 0) {
        options.set(name, a.slice(eq + 1));
      } else if (spec.arg === 'optional') {
        options.set(name, true);
      } else {
        const v = argv[++i];
        if (v === undefined) throw new OptionError(`Missing argument for --${name}`);
        options.set(name, v);
      }
    } else if (a.startsWith('-') && a.length > 1) {
      const spec = byShort.get(a[1]!);
      if (!spec) throw new OptionError(`Unknown option ${a}`);
      if (spec.arg === 'none') {
        if (a.length > 2) throw new OptionError(`Unknown option ${a}`);
        options.set(spec.long, true);
      } else if (a.length > 2) {
        options.set(spec.long, a.slice(2));
      } else {
        const v = argv[++i];
        if (v === undefined) throw new OptionError(`Missing argument for -${spec.short}`);
        options.set(spec.long, v);
      }
    } else {
      rest.push(a);
    }
  }
  return { options, rest };
}
