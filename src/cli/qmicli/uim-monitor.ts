/** qmicli's UIM monitors: slot status and file refresh indications, printed as they come until interrupted. */
import type { IndicationOf } from '../../qmi/schema.js';
import { uim, UimEventRegistrationFlag, UimRefreshMode, UimRefreshStage, UimSessionType } from '../../qmi/services/uim.js';
import { action, CliError, errorText, type ActionContext } from './action.js';
import { filePath, slotStatusText } from './uim.js';

const m = uim.messages;

/** A registration request with qmicli's `could not register …` wording on failure. */
async function register(what: string, p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    throw new CliError(`could not register ${what}: ${errorText(e)}`, { cause: e });
  }
}

/**
 * Prints each indication until the user interrupts; an indication qmicli cannot parse ends the
 * monitor with its error. The listener is removed either way.
 */
function follow(ctx: ActionContext<typeof uim>, subscribe: (fail: (e: CliError) => void) => () => void): Promise<void> {
  let off: (() => void) | undefined;
  return new Promise<void>((resolve, reject) => {
    off = subscribe(reject);
    void ctx.interrupted().then(resolve);
  }).finally(() => off?.());
}

/** libqmi's name for a value; NULL (printed `(null)`) for one it does not know. */
const nameOr = (codec: { names: Record<string, number> }, v: number): string => Object.keys(codec.names).find((k) => codec.names[k] === v) ?? '(null)';

/** qmicli's session for refreshes: card slot 1, its (ignored) application id empty. */
const SLOT1 = { sessionType: UimSessionType.names['card-slot-1'], applicationIdentifier: [] };

/**
 * Prints each Refresh indication; after a start stage that is not a reset, tells the modem the files
 * were re-read (Refresh Complete), whose failure qmicli only logs.
 */
function followRefreshes(ctx: ActionContext<typeof uim>): Promise<void> {
  return follow(ctx, (fail) =>
    ctx.client.on(uim.indications.refresh, (v: IndicationOf<typeof uim.indications.refresh>) => {
      ctx.print(`${ctx.tag} Received refresh indication:\n`);
      const e = v.event;
      if (!e) return fail(new CliError("could not parse refresh ind: Field 'Event' was not found in the message"));
      let out = `  Refresh stage: ${nameOr(UimRefreshStage, e.stage)}\n  Refresh mode: ${nameOr(UimRefreshMode, e.mode)}\n  Files:\n`;
      for (const f of e.files) {
        const ids: string[] = [];
        for (let j = 0; j + 1 < f.path.length; j += 2) ids.push(` 0x${(f.path[j]! | (f.path[j + 1]! << 8)).toString(16)}`);
        out += `    0x${f.fileId.toString(16)}; path:${ids.length ? ids.join('') : ' <none>'}\n`;
      }
      if (e.files.length === 0) out += '    <none>\n';
      ctx.print(out);
      if (e.stage === UimRefreshStage.names.start && e.mode !== UimRefreshMode.names.reset) {
        ctx.client.request(uim.messages.refreshComplete, { session: SLOT1, info: { refreshSuccess: true } }).catch(() => {});
      }
    }),
  );
}

export const uimMonitorActions = [
  action({
    option: { long: 'uim-monitor-slot-status', arg: 'none' },
    service: uim,
    async run(ctx) {
      await register('slot status change events', ctx.client.request(m.registerEvents, { eventRegistrationMask: UimEventRegistrationFlag.names['physical-slot-status'] }));
      await follow(ctx, (fail) =>
        ctx.client.on(uim.indications.slotStatus, (v) => {
          ctx.print(`${ctx.tag} Received slot status indication:\n`);
          if (!v.physicalSlotStatus) fail(new CliError("could not parse slots status: Field 'Physical Slot Status' was not found in the message"));
          else ctx.print(slotStatusText(v.physicalSlotStatus, v.physicalSlotInformation, v.slotEid));
        }),
      );
    },
  }),
  action({
    option: { long: 'uim-monitor-refresh-file', arg: 'required' },
    service: uim,
    async run(ctx, arg) {
      const { fileId, filePath: path } = filePath(String(arg), ',');
      const info = { registerFlag: true, voteForInit: false, files: [{ fileId, path }] };
      await register('refresh file events', ctx.client.request(m.refreshRegister, { session: SLOT1, info }));
      await followRefreshes(ctx);
    },
  }),
  action({
    option: { long: 'uim-monitor-refresh-all', arg: 'none' },
    service: uim,
    async run(ctx) {
      await register('refresh file events', ctx.client.request(m.refreshRegisterAll, { session: SLOT1, info: { registerFlag: true } }));
      await followRefreshes(ctx);
    },
  }),
];
