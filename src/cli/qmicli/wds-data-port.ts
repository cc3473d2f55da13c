/** qmicli's WDS operations on the call's traffic channel and data port: dormancy, SIO port binding, supported messages. */
import { SioPort, wds } from '../../qmi/services/wds.js';
import { action, ask } from './action.js';
import { parseEnumArg } from './enum-arg.js';
import { supportedMessagesAction } from './service-actions.js';

const m = wds.messages;

/** C's strtoul(str, NULL, 0): the leading number (0x… hex, 0… octal), 0 when there is none; cut to the u16 TLV. */
function strtoul0(str: string): number {
  const t = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(str);
  if (!t) return 0;
  const digits = t[2]!;
  const n = /^0[xX]/.test(digits) ? BigInt(digits) : digits.length > 1 && digits[0] === '0' ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
  return Number((t[1] === '-' ? -n : n) & 0xffffn);
}

/** A port by number, else by libqmi's name (exactly, as GLib looks nicks up). */
function sioPort(str: string): number {
  const n = strtoul0(str);
  if (n !== 0) return n;
  return parseEnumArg(SioPort.names, str, `invalid sio port value given: '${str}'`);
}

export const wdsDataPortActions = [
  action({
    option: { long: 'wds-go-dormant', arg: 'none' },
    service: wds,
    async run(ctx) {
      await ask('go dormant', ctx.client.request(m.goDormant, {}));
    },
  }),
  action({
    option: { long: 'wds-go-active', arg: 'none' },
    service: wds,
    async run(ctx) {
      await ask('go active', ctx.client.request(m.goActive, {}));
    },
  }),
  action({
    option: { long: 'wds-bind-data-port', arg: 'required' },
    service: wds,
    async run(ctx, arg) {
      const dataPort = sioPort(arg === true ? '' : arg);
      await ask('bind data port', ctx.client.request(m.bindDataPort, { dataPort }));
    },
  }),
  supportedMessagesAction(wds),
];
