/** qmicli's UIM monitors: slot status and file refresh indications, printed as they come until interrupted. */
import { uim, UimEventRegistrationFlag } from '../../qmi/services/uim.js';
import { action, CliError, errorText, type ActionContext } from './action.js';
import { slotStatusText } from './uim.js';

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
];
