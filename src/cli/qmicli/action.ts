/** One qmicli operation: its option, the service it needs, and how it runs and prints. */
import type { QmiClient } from '../../qmi/client.js';
import type { IndicationDef, MessageDef, ServiceDef } from '../../qmi/schema.js';
import type { OptionSpec } from '../glib-options.js';

export type AnyService = ServiceDef<Record<string, MessageDef<any, any>>, Record<string, IndicationDef<any>>>;

export interface ActionContext<S extends AnyService> {
  client: QmiClient<S>;
  /** The device as qmicli names it in output: `[/dev/cdc-wdm0]`. */
  tag: string;
  print(text: string): void;
}

export interface QmicliAction<S extends AnyService = AnyService> {
  option: OptionSpec;
  service: S;
  /** Runs with the option's argument (`true` when it has none). Throws CliError on bad arguments. */
  run(ctx: ActionContext<S>, arg: string | true): Promise<void>;
}

/** A failure with qmicli's message, printed as `error: …` with exit code 1. */
export class CliError extends Error {
  override readonly name = 'CliError';
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

/** Runs a request and turns a protocol error into qmicli's `couldn't …` message. */
export async function ask<T>(what: string, p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw new CliError(`couldn't ${what}: ${(e as Error).message}`);
  }
}
