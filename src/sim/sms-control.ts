/**
 * SMS over the simulator's control socket (`wwan sim ctl`): `sms` delivers a message to a modem
 * from a number, `sms-log` shows what the SMS center carried. Other requests are faults.
 */
import type { FaultAnswer, FaultRequest } from './faults.js';
import type { SimModem } from './modem.js';
import type { SmsCenter } from './network/sms-center.js';

export const SMS_CONTROLS: Record<string, string> = {
  sms: 'deliver a message to a modem: to=MODEM from=NUMBER and text=TEXT, data=HEX or pdu=HEX (an SMS-DELIVER); class=0..3',
  'sms-log': 'what the SMS center carried: sender, number, text, which modem got it',
};

const opt = (v: unknown): string | undefined => (v === undefined ? undefined : String(v));

export function smsControl(center: SmsCenter, modems: readonly SimModem[], req: FaultRequest): FaultAnswer | undefined {
  if (req.fault === 'sms-log') return { ok: true, records: center.records };
  if (req.fault !== 'sms') return undefined;
  const id = opt(req.to ?? req.modem);
  const m = id === undefined ? modems[0] : modems.find((x) => x.id === id);
  if (!m) return { ok: false, error: `no modem ${JSON.stringify(String(id).slice(0, 64))}; have ${modems.map((x) => x.id).join(', ')}` };
  if (req.class !== undefined && (typeof req.class !== 'number' || ![0, 1, 2, 3].includes(req.class))) return { ok: false, error: 'class must be 0, 1, 2 or 3' };
  const r = center.deliverTo(m.firmware.sms, { from: opt(req.from), text: opt(req.text), data: opt(req.data), pdu: opt(req.pdu), ...(typeof req.class === 'number' ? { class: req.class } : {}) });
  return 'error' in r ? { ok: false, error: r.error } : { ok: true, modem: m.id, number: m.firmware.sms.number, ...r };
}
