/**
 * QMI WMS in front of the simulated modem's SMS model: raw send/read/write, list, delete, tags,
 * routes, the SMSC address, and the Event Report indication for each message stored (or the
 * message itself, when the host routes messages to itself instead of storing them).
 */
import { QmiProtocolError, QmiProtocolErrorResponse } from '../qmi/errors.js';
import { wms, WmsMessageFormat, WmsReceiptAction, WmsStorageType } from '../qmi/services/wms.js';
import { parseAddress } from '../sms/index.js';
import type { ModemFirmware } from './firmware.js';
import type { QmiDeviceEndpoint } from './qmi-endpoint.js';
import { supportedMessages } from './qmi-supported.js';
import type { SmsStorage, SmsTag } from './sms.js';

const fail = (code: number): QmiProtocolErrorResponse => new QmiProtocolErrorResponse(code, 'simulated', {});

const STORAGE: Record<number, SmsStorage> = { [WmsStorageType.names.uim]: 'sm', [WmsStorageType.names.nv]: 'me' };
const storageValue = (s: SmsStorage): number => (s === 'sm' ? WmsStorageType.names.uim : WmsStorageType.names.nv);
const TAGS: SmsTag[] = ['read', 'unread', 'sent', 'unsent'];
const tagValue = (t: SmsTag): number => TAGS.indexOf(t);
const P2P = WmsMessageFormat.names['gsm-wcdma-point-to-point'];

function storageOf(v: number): SmsStorage {
  const s = STORAGE[v];
  if (!s) throw fail(QmiProtocolError.InvalidArgument);
  return s;
}

function tagOf(v: number | undefined): SmsTag | undefined {
  if (v === undefined) return undefined;
  const t = TAGS[v];
  if (!t) throw fail(QmiProtocolError.InvalidArgument);
  return t;
}

export function serveQmiWms(ep: QmiDeviceEndpoint, fw: ModemFirmware): void {
  const sms = fw.sms;
  const reporting = new Set<number>();
  let routes: { messageType: number; messageClass: number; storage: number; receiptAction: number }[] = [0, 1, 2, 3, 4].map((c) => ({
    messageType: 0, messageClass: c, storage: WmsStorageType.names.nv, receiptAction: WmsReceiptAction.names['store-and-notify'],
  }));
  let transactionId = 1;
  const m = wms.messages;
  const ready = (): void => {
    if (fw.simState !== 'ready') throw fail(QmiProtocolError.UimUninitialized);
  };

  ep.handle(m.reset, (_v, ctx) => {
    reporting.delete(ctx.clientId);
    return {};
  });
  ep.handle(m.setEventReport, (v, ctx) => {
    if (v.newMtMessageIndicator?.report === true) reporting.add(ctx.clientId);
    if (v.newMtMessageIndicator?.report === false) reporting.delete(ctx.clientId);
    return {};
  });
  ep.handle(m.getMessageProtocol, () => ({ messageProtocol: 1 }));
  ep.handle(m.getSupportedMessages, () => ({ list: supportedMessages(wms) }));
  ep.handle(m.rawSend, (v) => {
    ready();
    if (v.rawMessageData.format !== P2P) throw fail(QmiProtocolError.WmsEncoding);
    if (!fw.registered) throw fail(QmiProtocolError.NoNetworkFound);
    const r = sms.submit(v.rawMessageData.rawData);
    if ('error' in r) throw fail(QmiProtocolError.WmsEncoding);
    return { messageId: r.reference };
  });
  ep.handle(m.sendFromMemoryStorage, (v) => {
    ready();
    const s = sms.stores[storageOf(v.information.storageType)].get(v.information.memoryIndex);
    if (!s) throw fail(QmiProtocolError.InvalidIndex);
    if (!fw.registered) throw fail(QmiProtocolError.NoNetworkFound);
    const r = sms.submit(s.pdu);
    if ('error' in r) throw fail(QmiProtocolError.WmsEncoding);
    s.tag = 'sent';
    return { messageId: r.reference };
  });
  ep.handle(m.rawWrite, (v) => {
    ready();
    const d = v.rawMessageData;
    if (d.format !== P2P) throw fail(QmiProtocolError.WmsEncoding);
    // A message written by the host is one it means to send (or has sent): MO, not sent yet.
    const s = sms.write(storageOf(d.storageType), 'unsent', d.rawData);
    if (!s) throw fail(QmiProtocolError.DeviceStorageFull);
    return { memoryIndex: s.index };
  });
  ep.handle(m.rawRead, (v) => {
    ready();
    const s = sms.stores[storageOf(v.messageMemoryStorageId.storageType)].get(v.messageMemoryStorageId.memoryIndex);
    if (!s) throw fail(QmiProtocolError.InvalidIndex);
    return { rawMessageData: { messageTag: tagValue(s.tag), format: P2P, rawData: s.pdu } };
  });
  ep.handle(m.modifyTag, (v) => {
    ready();
    const s = sms.stores[storageOf(v.messageTag.storageType)].get(v.messageTag.memoryIndex);
    if (!s) throw fail(QmiProtocolError.InvalidIndex);
    s.tag = tagOf(v.messageTag.messageTag)!;
    return {};
  });
  ep.handle(m.delete, (v) => {
    ready();
    const storage = storageOf(v.memoryStorage);
    const n = sms.delete(storage, v.memoryIndex, tagOf(v.messageTag));
    if (n === 0 && v.memoryIndex !== undefined) throw fail(QmiProtocolError.InvalidIndex);
    return {};
  });
  ep.handle(m.listMessages, (v) => {
    ready();
    return { messageList: sms.list(storageOf(v.storageType), tagOf(v.messageTag)).map((s) => ({ memoryIndex: s.index, messageTag: tagValue(s.tag) })) };
  });
  ep.handle(m.setRoutes, (v) => {
    for (const r of v.routeList) if (r.receiptAction === WmsReceiptAction.names['store-and-notify']) storageOf(r.storage);
    routes = v.routeList;
    const stored = routes.find((r) => r.receiptAction === WmsReceiptAction.names['store-and-notify']);
    if (stored) sms.mtStorage = storageOf(stored.storage);
    sms.transferOnly = routes.length > 0 && routes.every((r) => r.receiptAction === WmsReceiptAction.names['transfer-only'] || r.receiptAction === WmsReceiptAction.names['transfer-and-ack']);
    return {};
  });
  ep.handle(m.getRoutes, () => ({ routeList: routes, transferStatusReport: 1 }));
  ep.handle(m.getSmscAddress, () => ({ address: { type: sms.smsc.startsWith('+') ? '145' : '129', digits: sms.smsc } }));
  ep.handle(m.setSmscAddress, (v) => {
    const a = parseAddress(v.address);
    if (!a || a.type === 'alphanumeric') throw fail(QmiProtocolError.InvalidArgument);
    sms.smsc = a.value;
    return {};
  });

  const toReporting = (values: Parameters<typeof ep.indicate<typeof wms.indications.eventReport>>[2]): void => {
    const clients = new Set(ep.clientsOf(wms.id));
    for (const cid of reporting) if (clients.has(cid)) ep.indicate(wms.indications.eventReport, cid, values);
  };
  sms.on('received', (s) => toReporting({ mtMessage: { storageType: storageValue(s.storage), memoryIndex: s.index }, messageMode: 1 }));
  sms.on('transfer', (pdu) => toReporting({ transferRouteMtMessage: { ackIndicator: 1, transactionId: transactionId++, format: P2P, rawData: pdu }, messageMode: 1 }));
  ep.onRelease((service, cid) => {
    if (service === wms.id) reporting.delete(cid);
  });
  fw.on('reset', () => reporting.clear());
}


