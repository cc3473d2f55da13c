/** One qmicli operation: its option, the service it needs, and how it runs and prints. */
import type { QmiClient } from '../../qmi/client.js';
import type { AnyService } from '../../qmi/schema.js';
import type { OptionSpec } from '../glib-options.js';
import { parseKeyValues } from '../keyvalue.js';
import { QmiProtocolErrorResponse } from '../../qmi/errors.js';

export type { AnyService };

export interface ActionContext<S extends AnyService> {
  client: QmiClient<S>;
  /** The device as qmicli names it in output: `[/dev/cdc-wdm0]`. */
  tag: string;
  print(text: string): void;
  /** Text for stderr that does not end the operation (qmicli's g_printerr). */
  printErr(text: string): void;
  /** Whether one of the action's modifiers was given. */
  has(option: string): boolean;
  /** Resolves when the user interrupts (Ctrl-C, SIGTERM, SIGHUP) as qmicli cancels: monitors run until then. */
  interrupted(): Promise<void>;
}

export interface QmicliAction<S extends AnyService = AnyService> {
  option: OptionSpec;
  service: S;
  /** Options that only modify this action, with qmicli's error when one comes without it. */
  modifiers?: { option: OptionSpec; alone: string }[];
  /** Runs with the option's argument (`true` when it has none). Throws CliError on bad arguments. */
  run(ctx: ActionContext<S>, arg: string | true): Promise<void>;
}

/** A failure with qmicli's message, printed as `error: …` with exit code 1. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    options?: ErrorOptions & { /** Printed as it is, without qmicli's `error: `. */ bare?: boolean },
  ) {
    super(message, options);
    this.bare = options?.bare ?? false;
  }
  readonly bare: boolean;
}

export const action = <S extends AnyService>(a: QmicliAction<S>): QmicliAction => a as unknown as QmicliAction;


/** `'%s'` quoting as qmicli prints values. */
export const q = (v: unknown): string => `'${String(v)}'`;

/** qmicli prints absent strings and values as 'unknown'. */
export const orUnknown = (v: unknown): string => q(v ?? 'unknown');

export const yesNo = (v: boolean): string => (v ? 'yes' : 'no');

/** The enum's name for a value, or the number (as libqmi's get_string returns NULL → printed as a number by us). */
export function enumName(codec: { names: Record<string, number> }, v: number): string {
  for (const [k, n] of Object.entries(codec.names)) if (n === v) return k;
  return 'unknown';
}

/** An error as libqmi words it: protocol errors as `QMI protocol error (N): 'Name'`. */
export const errorText = (e: unknown): string =>
  e instanceof QmiProtocolErrorResponse ? `QMI protocol error (${e.code}): '${e.errorName}'` : (e as Error).message;

/** Runs a request and turns a failure into qmicli's `couldn't …` message. */
export async function ask<T>(what: string, p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw new CliError(`couldn't ${what}: ${errorText(e)}`, { cause: e });
  }
}

/** qmicli's key=value arguments, with its message for a malformed string. */
export function keyValues(arg: string | true): [string, string][] {
  try {
    return parseKeyValues(arg === true ? '' : arg);
  } catch (e) {
    throw new CliError(`couldn't parse input string: ${(e as Error).message}`, { cause: e });
  }
}

/** qmicli's key=value failures: `error: could not parse input string '…'`, after the reader's own line if any. */
export const unparsable = (message: string, first = ''): CliError => new CliError(`${first}error: could not parse input string '${message}'`, { bare: true });

/** Each key (matched case-insensitively, as qmicli does) with its value, which must not be empty. */
export function* keyValuePairs(arg: string): Generator<[string, string]> {
  for (const [key, value] of keyValues(arg)) {
    if (!value) throw unparsable(`key '${key}' requires a value`);
    yield [key.toLowerCase(), value];
  }
}

/** qmicli_read_uint_from_string: digits only, at most 2^32 - 1; undefined otherwise. */
export const readUint = (s: string): number | undefined => (/^\d+$/.test(s) && Number(s) <= 0xffffffff ? Number(s) : undefined);

/** C's atoi: optional sign and leading digits, 0 when there are none. */
export function atoi(s: string): number {
  const m = /^\s*([+-]?)(\d*)/.exec(s)!;
  const n = Number(m[2] || '0');
  return m[1] === '-' ? -n : n;
}

export function uintArg(value: string, what: string, max = 0xffffffff): number {
  if (!/^\d+$/.test(value) || Number(value) > max) throw new CliError(`invalid ${what}: '${value}'`);
  return Number(value);
}
