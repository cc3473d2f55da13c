/** Short messages over MBIM SMS: one store (the function's), PDU records, Message Store Status notifications. */
import { EventEmitter } from 'node:events';
import type { MbimDevice } from '../mbim/client.js';
import { SMS_NO_INDEX, SmsFlag, SmsFormat, SmsStatus, SmsStatusFlag, sms } from '../mbim/services/sms.js';
import { ConfigError } from './types.js';
import type { SmsDriver, SmsDriverEvents, SmsStorage, SmsTag, StoredPdu } from './sms-driver.js';

const TAG: Record<number, SmsTag> = { [SmsStatus.names.new]: 'unread', [SmsStatus.names.old]: 'read', [SmsStatus.names.draft]: 'unsent', [SmsStatus.names.sent]: 'sent' };
const PDU = SmsFormat.names.pdu;

export class MbimSms extends EventEmitter<SmsDriverEvents> implements SmsDriver {
  readonly storages = ['me'] as const;
  private subscribed = false;

  constructor(private readonly device: MbimDevice) {
    super();
  }

  async enable(): Promise<void> {
    if (!this.subscribed) {
      this.subscribed = true;
      this.device.on(sms.cids.messageStoreStatus, (v) => {
        if (v.flag & SmsStatusFlag.names['new-message'] && v.messageIndex !== SMS_NO_INDEX && v.messageIndex !== 0) this.emit('stored', 'me', v.messageIndex);
        if (v.flag & SmsStatusFlag.names['message-store-full']) this.emit('full');
      });
    }
    await this.device.query(sms.cids.configuration);
  }

  private records(flag: number, messageIndex: number): Promise<StoredPdu[]> {
    return this.device.query(sms.cids.read, { format: PDU, flag, messageIndex }).then((r) => r.pduMessages.map((m) => ({ storage: 'me' as const, index: m.messageIndex, tag: TAG[m.messageStatus] ?? 'read', pdu: m.pduData.slice() })));
  }

  list(): Promise<StoredPdu[]> {
    return this.records(SmsFlag.names.all, 0);
  }

  async read(_storage: SmsStorage, index: number): Promise<StoredPdu> {
    const [r] = await this.records(SmsFlag.names.index, index);
    if (!r) throw new ConfigError(`no message at index ${index}`);
    return r;
  }

  async send(pdu: Uint8Array): Promise<number> {
    return (await this.device.set(sms.cids.send, { format: PDU, pduMessage: { pduData: pdu } }, { timeoutMs: 60_000 })).messageReference;
  }

  /** MBIM cannot send from its store (nor store): the stored PDU is read and sent. */
  async sendStored(storage: SmsStorage, index: number): Promise<number> {
    return this.send((await this.read(storage, index)).pdu);
  }

  write(): Promise<number> {
    return Promise.reject(new ConfigError('MBIM has no command to store a message'));
  }

  /** Reading a message over MBIM is what makes it old. */
  async markRead(): Promise<void> {}

  async delete(_storage: SmsStorage, index: number): Promise<void> {
    await this.device.set(sms.cids.delete, { flag: SmsFlag.names.index, messageIndex: index });
  }

  async getSmsc(): Promise<string> {
    return (await this.device.query(sms.cids.configuration)).scAddress;
  }

  async setSmsc(address: string): Promise<void> {
    await this.device.set(sms.cids.configuration, { format: PDU, scAddress: address });
  }
}
