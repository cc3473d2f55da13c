/** Short messages over QMI WMS: one kept client, routes set to store every class and indicate it. */
import { EventEmitter } from 'node:events';
import type { QmiClient, QmiDevice } from '../qmi/client.js';
import { wms, WmsMessageFormat, WmsMessageMode, WmsMessageTagType, WmsReceiptAction, WmsStorageType } from '../qmi/services/wms.js';
import type { SmsDriver, SmsDriverEvents, SmsStorage, SmsTag, StoredPdu } from './sms-driver.js';

const STORAGE: Record<SmsStorage, number> = { sm: WmsStorageType.names.uim, me: WmsStorageType.names.nv };
const storageName = (v: number): SmsStorage => (v === WmsStorageType.names.uim ? 'sm' : 'me');
const TAGS: SmsTag[] = ['read', 'unread', 'sent', 'unsent'];
const P2P = WmsMessageFormat.names['gsm-wcdma-point-to-point'];
const GW = WmsMessageMode.names['gsm-wcdma'];

export class QmiSms extends EventEmitter<SmsDriverEvents> implements SmsDriver {
  readonly storages = ['me', 'sm'] as const;
  private client: QmiClient<typeof wms> | undefined;

  constructor(private readonly device: QmiDevice) {
    super();
  }

  private async wms(): Promise<QmiClient<typeof wms>> {
    if (!this.client) {
      this.client = await this.device.allocateClient(wms);
      this.client.on(wms.indications.eventReport, (v) => {
        if (v.mtMessage) this.emit('stored', storageName(v.mtMessage.storageType), v.mtMessage.memoryIndex);
        if (v.transferRouteMtMessage) this.emit('pdu', v.transferRouteMtMessage.rawData);
      });
    }
    return this.client;
  }

  async enable(): Promise<void> {
    const c = await this.wms();
    // Every class stored in the modem's memory and indicated, as ModemManager routes them.
    const routeList = [0, 1, 2, 3, 4].map((messageClass) => ({ messageType: 0, messageClass, storage: STORAGE.me, receiptAction: WmsReceiptAction.names['store-and-notify'] }));
    await c.request(wms.messages.setRoutes, { routeList });
    await c.request(wms.messages.setEventReport, { newMtMessageIndicator: { report: true } });
  }

  async list(): Promise<StoredPdu[]> {
    const c = await this.wms();
    const out: StoredPdu[] = [];
    for (const storage of this.storages) {
      const r = await c.request(wms.messages.listMessages, { storageType: STORAGE[storage], messageMode: GW });
      for (const e of r.messageList ?? []) out.push(await this.read(storage, e.memoryIndex));
    }
    return out;
  }

  async read(storage: SmsStorage, index: number): Promise<StoredPdu> {
    const c = await this.wms();
    const r = await c.request(wms.messages.rawRead, { messageMemoryStorageId: { storageType: STORAGE[storage], memoryIndex: index }, messageMode: GW });
    const d = r.rawMessageData;
    return { storage, index, tag: TAGS[d?.messageTag ?? 0] ?? 'read', pdu: d?.rawData ?? new Uint8Array(0) };
  }

  async send(pdu: Uint8Array): Promise<number> {
    const r = await (await this.wms()).request(wms.messages.rawSend, { rawMessageData: { format: P2P, rawData: pdu } }, { timeoutMs: 60_000 });
    return r.messageId ?? 0;
  }

  /** The modem sends it from its store and tags it sent. */
  async sendStored(storage: SmsStorage, index: number): Promise<number> {
    const r = await (await this.wms()).request(wms.messages.sendFromMemoryStorage, { information: { storageType: STORAGE[storage], memoryIndex: index, messageMode: GW } }, { timeoutMs: 60_000 });
    return r.messageId ?? 0;
  }

  async write(storage: SmsStorage, pdu: Uint8Array): Promise<number> {
    const r = await (await this.wms()).request(wms.messages.rawWrite, { rawMessageData: { storageType: STORAGE[storage], format: P2P, rawData: pdu } });
    return r.memoryIndex ?? 0;
  }

  async markRead(storage: SmsStorage, index: number): Promise<void> {
    await (await this.wms()).request(wms.messages.modifyTag, { messageTag: { storageType: STORAGE[storage], memoryIndex: index, messageTag: WmsMessageTagType.names['mt-read'] }, messageMode: GW });
  }

  async delete(storage: SmsStorage, index: number): Promise<void> {
    await (await this.wms()).request(wms.messages.delete, { memoryStorage: STORAGE[storage], memoryIndex: index, messageMode: GW });
  }

  async getSmsc(): Promise<string> {
    return (await (await this.wms()).request(wms.messages.getSmscAddress, {})).address?.digits ?? '';
  }

  async setSmsc(address: string): Promise<void> {
    await (await this.wms()).request(wms.messages.setSmscAddress, { address });
  }
}
