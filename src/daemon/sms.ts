/** The daemon's short-message methods: list, read, send, delete, SMSC address. */
import type { Manager } from '../modem/manager.js';
import type { SendRequest } from '../modem/messaging.js';
import { ConfigError } from '../modem/types.js';

export const SMS_METHODS = ['smsList', 'smsRead', 'smsSend', 'smsDelete', 'smsc'] as const;
export type SmsMethod = (typeof SMS_METHODS)[number];

const MAX_TEXT = 255 * 160;

function modemId(p: Record<string, unknown>): string {
  const v = p.modem;
  if (typeof v !== 'string' || v.length === 0 || v.length > 256) throw new ConfigError('parameter modem must be a non-empty string');
  return v;
}

function id(p: Record<string, unknown>): number {
  const v = p.id;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new ConfigError('parameter id must be a message id (a whole number from 1)');
  return v;
}

function sendRequest(p: Record<string, unknown>): SendRequest {
  const { to, text, data, statusReport, validityMinutes } = p;
  if (typeof to !== 'string' || to.length === 0 || to.length > 32) throw new ConfigError('parameter to must be a phone number');
  if ((text === undefined) === (data === undefined)) throw new ConfigError('give either text or data');
  if (text !== undefined && (typeof text !== 'string' || text.length > MAX_TEXT)) throw new ConfigError(`parameter text must be a string of at most ${MAX_TEXT} characters`);
  if (data !== undefined && (typeof data !== 'string' || data.length > MAX_TEXT)) throw new ConfigError('parameter data must be hex');
  if (statusReport !== undefined && typeof statusReport !== 'boolean') throw new ConfigError('parameter statusReport must be true or false');
  if (validityMinutes !== undefined && typeof validityMinutes !== 'number') throw new ConfigError('parameter validityMinutes must be a number');
  const cls = p.class;
  if (cls !== undefined && ![0, 1, 2, 3].includes(cls as number)) throw new ConfigError('parameter class must be 0, 1, 2 or 3');
  return {
    to,
    ...(text !== undefined ? { text: text as string } : { data: data as string }),
    ...(statusReport !== undefined ? { statusReport } : {}),
    ...(validityMinutes !== undefined ? { validityMinutes } : {}),
    ...(cls !== undefined ? { class: cls as 0 | 1 | 2 | 3 } : {}),
  };
}

export async function smsCall(m: Manager, method: SmsMethod, p: Record<string, unknown>): Promise<unknown> {
  const messaging = m.get(modemId(p)).messaging;
  // Right after a modem is added its stores may still be being read.
  await messaging.ready();
  switch (method) {
    case 'smsList':
      return { storages: messaging.storages, messages: await messaging.refresh() };
    case 'smsRead':
      return messaging.read(id(p));
    case 'smsSend':
      return messaging.send(sendRequest(p));
    case 'smsDelete':
      await messaging.delete(id(p));
      return { deleted: id(p) };
    case 'smsc':
      if (p.set !== undefined) {
        if (typeof p.set !== 'string') throw new ConfigError('parameter set must be a number');
        await messaging.setSmsc(p.set);
      }
      return { smsc: await messaging.getSmsc() };
  }
}
