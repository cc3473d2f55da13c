/**
 * qmicli's PDC operations (carrier configurations). Most PDC requests are answered twice: a bare
 * response, then an indication with the data or the outcome; qmicli waits for the indications and
 * reports their errors by the protocol error's name alone. Tokens count from 0 per run, as qmicli's.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { QmiProtocolError, QmiProtocolErrorResponse, protocolErrorName } from '../../qmi/errors.js';
import type { IndicationDef, IndicationOf } from '../../qmi/schema.js';
import { pdc, PdcConfigurationType, PdcRefreshEventType } from '../../qmi/services/pdc.js';
import { sameBytes } from '../../wire/bytes.js';
import { fromHex } from '../../wire/hex.js';
import { action, ask, CliError, enumName, errorText, type ActionContext } from './action.js';
import { parseEnumArg } from './enum-arg.js';
import { noopAction } from './service-actions.js';
import { rawPrintable } from './uim.js';

const m = pdc.messages;
const ind = pdc.indications;
type Ctx = ActionContext<typeof pdc>;

/** qmicli waits this long for the list before deciding there are no configurations. */
const LIST_CONFIGS_TIMEOUT_MS = 2000;
/** qmicli's Load Config chunk size. */
const CHUNK_SIZE = 0x400;

/** A run's failure as qmicli ends it (its messages are printed as they are). */
const failed = (text: string): CliError => new CliError(text, { bare: true });

/** A configuration type by its libqmi nick, with the enum reader's message. */
function configType(s: string): number {
  const v = parseEnumArg(PdcConfigurationType.names, s);
  if (v === undefined) throw failed(`error: invalid configuration type value given: '${s}'`);
  return v;
}

/** qmicli_read_binary_array_from_string: hex digit pairs, ':' anywhere ignored (and no other separator fromHex takes). */
function binaryArray(s: string): number[] | undefined {
  const bytes = /^[0-9a-fA-F:]*$/.test(s) ? fromHex(s) : null;
  return bytes ? [...bytes] : undefined;
}

/** `TYPE,ID`, with qmicli's messages (its two "Incorrect …" lines name the wrong part, as qmicli's do). */
function typeAndId(arg: string): { configType: number; id: number[] } {
  // g_strsplit gives no parts at all for an empty string.
  const parts = arg === '' ? [] : arg.split(',');
  if (parts.length !== 2) throw failed(`Expected 2 parameters, but found ${parts.length}`);
  const type = parseEnumArg(PdcConfigurationType.names, parts[0]!);
  if (type === undefined) throw failed(`error: invalid configuration type value given: '${parts[0]}'\nIncorrect id specified: ${parts[0]}`);
  const id = binaryArray(parts[1]!);
  if (!id) throw failed(`Incorrect config type specified: ${parts[1]}`);
  return { configType: type, id };
}

/**
 * Runs `start` with `settle` to end the operation: listeners on this client's indications are removed
 * however it ends; an interruption ends it as qmicli's cancellation does.
 */
function operation(ctx: Ctx, start: (settle: { done(): void; fail(e: unknown): void; on<I extends IndicationDef<any>>(def: I, cb: (v: IndicationOf<I>) => void): void }) => void): Promise<void> {
  const offs: (() => void)[] = [];
  return new Promise<void>((resolve, reject) => {
    void ctx.interrupted().then(() => reject(new CliError('operation failed: Operation was cancelled')));
    start({
      done: resolve,
      fail: reject,
      on: (def, cb) => offs.push(ctx.client.on(def as never, cb as never)),
    });
  }).finally(() => offs.forEach((off) => off()));
}

/** A request whose failing response ends the operation with qmicli's `couldn't …` message. */
const send = (fail: (e: unknown) => void, what: string, p: Promise<unknown>): void => void ask(what, p).catch(fail);

/** The indication's outcome: a non-zero result ends the operation with its name. */
function refused(fail: (e: unknown) => void, what: string, v: { indicationResult: number }): boolean {
  if (v.indicationResult === 0) return false;
  fail(new CliError(`couldn't ${what}: ${protocolErrorName(v.indicationResult)}`));
  return true;
}

const missing = (field: string): string => `Field '${field}' was not found in the message`;

interface Listed {
  id: number[];
  configType: number;
  token: number;
  info?: { totalSize: number; version: number; description: string };
}

function listText(configs: Listed[], active?: number[], pending?: number[]): string {
  const status = (id: number[]): string => (active && sameBytes(id, active) ? 'Active' : pending && sameBytes(id, pending) ? 'Pending' : 'Inactive');
  let out = `Total configurations: ${configs.length}\n`;
  configs.forEach((c, n) => {
    out += `Configuration ${n + 1}:\n\tDescription: ${c.info!.description}\n\tType:        ${enumName(PdcConfigurationType, c.configType)}\n`;
    out += `\tSize:        ${c.info!.totalSize}\n\tStatus:      ${status(c.id)}\n\tVersion:     0x${c.info!.version.toString(16).toUpperCase()}\n`;
    out += `\tID:          ${rawPrintable(c.id, 80, '')}\n`;
  });
  return out;
}

/** List Configs and Get Selected Config at once, then each configuration's info by token. */
function listConfigs(ctx: Ctx, arg: string): Promise<void> {
  let token = 0;
  return operation(ctx, ({ done, fail, on }) => {
    const type = configType(arg);
    let configs: Listed[] | undefined;
    let ids: { active?: number[]; pending?: number[] } | undefined;
    const check = (): void => {
      if (!configs || !ids || configs.some((c) => !c.info)) return;
      ctx.print(listText(configs, ids.active, ids.pending));
      done();
    };
    // No configurations, no indication: after a while qmicli says there are none.
    const timer = setTimeout(() => {
      if (configs) return;
      ctx.print('Total configurations: 0\n');
      done();
    }, LIST_CONFIGS_TIMEOUT_MS);
    const fail2 = (e: unknown): void => {
      clearTimeout(timer);
      fail(e);
    };
    on(ind.listConfigs, (v) => {
      clearTimeout(timer);
      if (v.indicationResult !== 0) return fail(new CliError(`couldn't list config: ${protocolErrorName(v.indicationResult)}`));
      if (!v.configs) return fail(new CliError(`couldn't list configs: ${missing('Configs')}`));
      configs = v.configs.map((c) => ({ ...c, token: token++ }));
      for (const c of configs) send(fail, 'get config info', ctx.client.request(m.getConfigInfo, { typeWithId: { configType: c.configType, id: c.id }, token: c.token }));
      check();
    });
    on(ind.getConfigInfo, (v) => {
      if (refused(fail, 'get config info', v)) return;
      if (v.token === undefined) return fail(new CliError(`couldn't get config info token: ${missing('Token')}`));
      // qmicli fills the configuration with the token, or the last one when none has it.
      const c = configs?.find((x) => x.token === v.token) ?? configs?.at(-1);
      const absent = v.totalSize === undefined ? 'Total Size' : v.version === undefined ? 'Version' : v.description === undefined ? 'Description' : undefined;
      if (absent) return fail(new CliError(`couldn't get config info details: ${missing(absent)}`));
      if (c) c.info = { totalSize: v.totalSize!, version: v.version!, description: v.description! };
      check();
    });
    on(ind.getSelectedConfig, (v) => {
      // Not Provisioned: none selected.
      if (v.indicationResult !== 0 && v.indicationResult !== QmiProtocolError.NotProvisioned) return fail2(new CliError(`couldn't get selected config: ${protocolErrorName(v.indicationResult)}`));
      ids = { active: v.activeId, pending: v.pendingId };
      check();
    });
    send(fail2, 'list configs', ctx.client.request(m.listConfigs, { configType: type, token: token++ }));
    send(fail2, 'get selected config', ctx.client.request(m.getSelectedConfig, { configType: type, token: token++ }));
  });
}

/** Set Selected Config with the id, then Activate Config of its type: the modem resets into it. */
function activateConfig(ctx: Ctx, arg: string): Promise<void> {
  return operation(ctx, ({ done, fail, on }) => {
    const { configType: type, id } = typeAndId(arg);
    on(ind.setSelectedConfig, (v) => {
      if (refused(fail, 'set selected config', v)) return;
      on(ind.activateConfig, (a) => {
        if (refused(fail, 'activate config', a)) return;
        ctx.print(`${ctx.tag} Successfully requested config activation\n`);
        done();
      });
      send(fail, 'activate config', ctx.client.request(m.activateConfig, { configType: type, token: 1 }));
    });
    // qmicli does not look at Set Selected Config's response result, only at its indication.
    ctx.client.request(m.setSelectedConfig, { typeWithId: { configType: type, id }, token: 0 }).catch((e: unknown) => {
      if (!(e instanceof QmiProtocolErrorResponse)) fail(new CliError(`operation failed: ${errorText(e)}`));
    });
  });
}

function deactivateConfig(ctx: Ctx, arg: string): Promise<void> {
  return operation(ctx, ({ done, fail, on }) => {
    const { configType: type } = typeAndId(arg);
    on(ind.deactivateConfig, (v) => {
      if (refused(fail, 'deactivate config', v)) return;
      ctx.print(`${ctx.tag} Successfully requested config deactivation\n`);
      done();
    });
    send(fail, 'deactivate config', ctx.client.request(m.deactivateConfig, { configType: type, token: 0 }));
  });
}

/** GLib's message for a file it cannot map, from the system's. */
function mapError(path: string, e: NodeJS.ErrnoException): string {
  const reason: Record<string, string> = { ENOENT: 'No such file or directory', EACCES: 'Permission denied', EISDIR: 'Is a directory', ENOTDIR: 'Not a directory' };
  return `Failed to open file “${path}”: open() failed: ${reason[e.code ?? ''] ?? e.message}`;
}

/** The file in chunks of 1 KiB, each sent after the previous one's indication; its SHA-1 is its id. */
function loadConfig(ctx: Ctx, path: string): Promise<void> {
  let file: Buffer;
  try {
    file = readFileSync(path);
  } catch (e) {
    return Promise.reject(failed(`error: couldn't map config file: '${mapError(path, e as NodeJS.ErrnoException)}'`));
  }
  if (file.length === 0) return Promise.reject(failed("error: couldn't get file content"));
  const id = [...createHash('sha1').update(file).digest()];
  let offset = 0;
  let token = 0;
  return operation(ctx, ({ done, fail, on }) => {
    const next = (): void => {
      const chunk = [...file.subarray(offset, offset + CHUNK_SIZE)];
      ctx.print(`Uploaded ${offset}  of ${file.length}\n`);
      const request = ctx.client.request(m.loadConfig, { token: token++, configChunk: { configType: PdcConfigurationType.names.software, id, totalSize: file.length, chunk } });
      offset += chunk.length;
      send(fail, 'load config', request);
    };
    on(ind.loadConfig, (v) => {
      if (refused(fail, 'load config', v)) return;
      if (v.frameReset) return fail(failed('error: frame reset requested'));
      if (v.remainingSize === undefined) return fail(new CliError(`couldn't load config: ${missing('Remaining Size')}`));
      if (v.remainingSize === 0) {
        ctx.print('Finished loading\n');
        return done();
      }
      ctx.print(`Loading next chunk (${v.remainingSize} bytes remaining)\n`);
      next();
    });
    next();
  });
}

export const pdcActions = [
  action({
    option: { long: 'pdc-list-configs', arg: 'required' },
    service: pdc,
    run: (ctx, arg) => listConfigs(ctx, String(arg)),
  }),
  action({
    option: { long: 'pdc-delete-config', arg: 'required' },
    service: pdc,
    async run(ctx, arg) {
      const { configType: type, id } = typeAndId(String(arg));
      await ask('delete config', ctx.client.request(m.deleteConfig, { configType: type, token: 0, id }));
      ctx.print(`${ctx.tag} Successfully deleted config\n`);
    },
  }),
  action({
    option: { long: 'pdc-activate-config', arg: 'required' },
    service: pdc,
    run: (ctx, arg) => activateConfig(ctx, String(arg)),
  }),
  action({
    option: { long: 'pdc-deactivate-config', arg: 'required' },
    service: pdc,
    run: (ctx, arg) => deactivateConfig(ctx, String(arg)),
  }),
  action({
    option: { long: 'pdc-load-config', arg: 'required' },
    service: pdc,
    run: (ctx, arg) => loadConfig(ctx, String(arg)),
  }),
  action({
    option: { long: 'pdc-monitor-refresh', arg: 'none' },
    service: pdc,
    async run(ctx) {
      try {
        await ctx.client.request(m.register, { enableReporting: true, enableRefresh: true });
      } catch (e) {
        throw new CliError(`could not register for refresh events: ${errorText(e)}`, { cause: e });
      }
      // Printed as they come until the user interrupts, which ends the monitor successfully.
      const off = ctx.client.on(ind.refresh, (v) => {
        const type = enumName(PdcRefreshEventType, v.refreshEvent);
        const sub = v.subscriptionId !== undefined ? `, subscription ID: ${v.subscriptionId}` : '';
        const slot = v.slotId !== undefined ? `, slot ID: ${v.slotId}` : '';
        ctx.print(`${ctx.tag} Received refresh indication:\n  Received event type ${type}${sub}${slot}\n`);
      });
      await ctx.interrupted().finally(off);
    },
  }),
  noopAction(pdc),
];
