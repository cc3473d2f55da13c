/** qmicli's enum arguments: GLib looks a nick up exactly, among the enum's own names only. */
import { CliError } from './action.js';

/**
 * The value named `arg` (`toString` and the like are no names: an own-property look-up), else undefined;
 * with `error`, a CliError carrying it instead.
 */
export function parseEnumArg(names: Readonly<Record<string, number>>, arg: string): number | undefined;
export function parseEnumArg(names: Readonly<Record<string, number>>, arg: string, error: string): number;
export function parseEnumArg(names: Readonly<Record<string, number>>, arg: string, error?: string): number | undefined {
  const v = Object.hasOwn(names, arg) ? names[arg] : undefined;
  if (v === undefined && error !== undefined) throw new CliError(error);
  return v;
}
