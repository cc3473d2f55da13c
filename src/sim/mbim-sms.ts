/**
 * MBIM SMS in front of the simulated modem's SMS model: one message store (the modem's memory) seen
 * through 1-based indexes (0 is MBIM's "no index"), PDU reads and sends, deletes by index or by
 * status, the SMSC address, and the Message Store Status notification for each new message or a full
 * store.
 */
import { MbimStatus } from '../mbim/protocol.js';
import { SMS_NO_INDEX, SmsFlag, SmsFormat, SmsStatus, SmsStatusFlag, SmsStorageState, sms as smsService } from '../mbim/services/sms.js';
import { parseAddress } from '../sms/index.js';
import type { ModemFirmware } from './firmware.js';
import { MbimCommandFailure, type MbimDeviceEndpoint } from './mbim-endpoint.js';
import type { SmsTag, StoredSms } from './sms.js';

const c = smsService.cids;
const fail = (status: number): MbimCommandFailure => new MbimCommandFailure(status);
const STATUS: Record<SmsTag, number> = { unread: SmsStatus.names.new, read: SmsStatus.names.old, unsent: SmsStatus.names.draft, sent: SmsStatus.names.sent };
const FLAG_TAG: Partial<Record<number, SmsTag>> = { [SmsFlag.names.new]: 'unread', [SmsFlag.names.old]: 'read', [SmsFlag.names.sent]: 'sent', [SmsFlag.names.draft]: 'unsent' };

export function serveMbimSms(ep: MbimDeviceEndpoint, fw: ModemFirmware): void {
  const sms = fw.sms;
  const store = 'me' as const;
  sms.mtStorage = store;
  const ready = (): void => {
    if (fw.simState === 'absent') throw fail(MbimStatus.SimNotInserted);
    if (fw.simState !== 'ready') throw fail(MbimStatus.PinRequired);
  };
  const configuration = () => ({
    smsStorageState: fw.simState === 'ready' ? SmsStorageState.names.initialized : SmsStorageState.names['not-initialized'],
    format: SmsFormat.names.pdu,
    maxMessages: sms.capacity[store],
    cdmaShortMessageSize: 0,
    scAddress: sms.smsc,
  });
  const record = (s: StoredSms) => ({ messageIndex: s.index + 1, messageStatus: STATUS[s.tag], pduData: s.pdu });
  const pduOnly = (format: number): void => {
    if (format !== SmsFormat.names.pdu) throw fail(MbimStatus.SmsFormatNotSupported);
  };

  ep.query(c.configuration, () => {
    ready();
    return configuration();
  });
  ep.set(c.configuration, (v) => {
    ready();
    pduOnly(v.format);
    const a = parseAddress(v.scAddress);
    if (!a || a.type === 'alphanumeric') throw fail(MbimStatus.SmsUnknownSmscAddress);
    sms.smsc = a.value;
    return configuration();
  });
  ep.query(c.read, (v) => {
    ready();
    pduOnly(v.format);
    let found: StoredSms[];
    if (v.flag === SmsFlag.names.index) {
      const s = sms.stores[store].get(v.messageIndex - 1);
      if (!s) throw fail(MbimStatus.InvalidMemoryIndex);
      found = [s];
    } else found = sms.list(store, FLAG_TAG[v.flag]);
    // Reading a new message makes it old, as a modem's firmware does.
    const out = found.map(record);
    for (const s of found) if (s.tag === 'unread') s.tag = 'read';
    return { format: v.format, pduMessages: out };
  });
  ep.set(c.send, (v) => {
    ready();
    pduOnly(v.format);
    if (!fw.registered) throw fail(MbimStatus.NotRegistered);
    const r = sms.submit(v.pduMessage.pduData);
    if ('error' in r) throw fail(MbimStatus.InvalidParameters);
    return { messageReference: r.reference };
  });
  ep.set(c.delete, (v) => {
    ready();
    if (v.flag === SmsFlag.names.index) {
      if (sms.delete(store, v.messageIndex - 1) === 0) throw fail(MbimStatus.InvalidMemoryIndex);
    } else sms.delete(store, undefined, FLAG_TAG[v.flag]);
    return {};
  });
  ep.query(c.messageStoreStatus, () => {
    ready();
    return { flag: sms.isFull(store) ? SmsStatusFlag.names['message-store-full'] : 0, messageIndex: SMS_NO_INDEX };
  });

  sms.on('received', (s) => ep.indicate(c.messageStoreStatus, { flag: SmsStatusFlag.names['new-message'] | (sms.isFull(store) ? SmsStatusFlag.names['message-store-full'] : 0), messageIndex: s.index + 1 }));
  sms.on('full', () => ep.indicate(c.messageStoreStatus, { flag: SmsStatusFlag.names['message-store-full'], messageIndex: SMS_NO_INDEX }));
}
