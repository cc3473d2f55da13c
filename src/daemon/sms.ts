/** The daemon's short-message methods: list, read, send, delete, SMSC address (params checked by api.ts). */
import type { Manager } from '../modem/manager.js';
import type { Messaging } from '../modem/messaging.js';
import { ConfigError } from '../modem/types.js';
import { ParamsError, type Handlers } from './protocol.js';

export type SmsMethod = 'smsList' | 'smsRead' | 'smsSend' | 'smsStore' | 'smsSendStored' | 'smsDelete' | 'smsc';

export function smsHandlers(m: Manager): Pick<Handlers, SmsMethod> {
  // Right after a modem is added its stores may still be being read.
  const messaging = async (modem: string): Promise<Messaging> => {
    const x = m.get(modem).messaging;
    await x.ready();
    return x;
  };
  return {
    smsList: async ({ modem }) => {
      const x = await messaging(modem);
      return { storages: [...x.storages], messages: await x.refresh() };
    },
    smsRead: async ({ modem, id }) => (await messaging(modem)).read(id),
    smsSend: async ({ modem, ...send }) => {
      if ((send.text === undefined) === (send.data === undefined)) throw new ParamsError('give either text or data');
      return (await messaging(modem)).send(send);
    },
    smsStore: async ({ modem, storage, ...send }) => {
      if ((send.text === undefined) === (send.data === undefined)) throw new ParamsError('give either text or data');
      const x = await messaging(modem);
      const where = storage ?? x.storages[0];
      if (where === undefined) throw new ConfigError('this modem has no message store');
      return x.store(send, where);
    },
    smsSendStored: async ({ modem, id }) => (await messaging(modem)).sendStored(id),
    smsDelete: async ({ modem, id }) => {
      await (await messaging(modem)).delete(id);
      return { deleted: id };
    },
    smsc: async ({ modem, set }) => {
      const x = await messaging(modem);
      if (set !== undefined) await x.setSmsc(set);
      return { smsc: await x.getSmsc() };
    },
  };
}
