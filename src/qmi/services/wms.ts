/**
 * WMS (service 0x05): short messages as raw PDUs in the modem's stores (UIM = the SIM, NV = the
 * modem), routes deciding what is stored and indicated, and the SMSC address. Ids and layouts as
 * libqmi's qmi-service-wms.json has them; Get/Set SMSC Address (0x0034/0x0035) as Qualcomm's Gobi API
 * lays them out.
 */
import { array, bool8, bytesU16, enumOf, fixedString, indication, message, optional, required, service, string, stringU8, struct, u16, u32, u8 } from '../schema.js';

export const WmsStorageType = enumOf(u8, { uim: 0, nv: 1, none: 0xff });
export const WmsMessageFormat = enumOf(u8, { cdma: 0, 'gsm-wcdma-point-to-point': 6, 'gsm-wcdma-broadcast': 7, mwi: 8 });
export const WmsMessageMode = enumOf(u8, { cdma: 0, 'gsm-wcdma': 1 });
export const WmsMessageTagType = enumOf(u8, { 'mt-read': 0, 'mt-not-read': 1, 'mo-sent': 2, 'mo-not-sent': 3 });
export const WmsMessageProtocol = enumOf(u8, { cdma: 0, wcdma: 1 });
// libqmi's nick for its one value is 'point' (glib-mkenums drops the common prefix).
export const WmsMessageType = enumOf(u8, { point: 0 });
export const WmsMessageClass = enumOf(u8, { '0': 0, '1': 1, '2': 2, '3': 3, none: 4, cdma: 5 });
export const WmsReceiptAction = enumOf(u8, { discard: 0, 'store-and-notify': 1, 'transfer-only': 2, 'transfer-and-ack': 3, unknown: 0xff });
export const WmsTransferIndication = enumOf(u8, { client: 1 });
export const WmsAckIndicator = enumOf(u8, { send: 0, 'do-not-send': 1 });

const route = struct({ messageType: WmsMessageType, messageClass: WmsMessageClass, storage: WmsStorageType, receiptAction: WmsReceiptAction });
const rawData = struct({ format: WmsMessageFormat, rawData: bytesU16 });
const storedAt = struct({ storageType: WmsStorageType, memoryIndex: u32 });

export const wms = service(
  'wms',
  0x05,
  {
    reset: message(0x0000, {}, {}),
    setEventReport: message(0x0001, { newMtMessageIndicator: optional(0x10, struct({ report: bool8 })) }, {}),
    /** Bit n of the list set: message n is supported. */
    getSupportedMessages: message(0x001e, {}, { list: optional(0x10, bytesU16) }),
    rawSend: message(
      0x0020,
      {
        rawMessageData: required(0x01, rawData),
        gsmWcdmaLinkTimer: optional(0x12, u8),
        smsOnIms: optional(0x13, bool8),
      },
      {
        messageId: optional(0x01, u16),
        gsmWcdmaCauseInfo: optional(0x12, struct({ rpCause: u16, tpCause: u8 })),
        messageDeliveryFailureType: optional(0x13, u8),
      },
    ),
    rawWrite: message(0x0021, { rawMessageData: required(0x01, struct({ storageType: WmsStorageType, format: WmsMessageFormat, rawData: bytesU16 })) }, { memoryIndex: optional(0x01, u32) }),
    rawRead: message(
      0x0022,
      { messageMemoryStorageId: required(0x01, storedAt), messageMode: optional(0x10, WmsMessageMode), smsOnIms: optional(0x11, bool8) },
      { rawMessageData: optional(0x01, struct({ messageTag: WmsMessageTagType, format: WmsMessageFormat, rawData: bytesU16 })) },
    ),
    modifyTag: message(
      0x0023,
      { messageTag: required(0x01, struct({ storageType: WmsStorageType, memoryIndex: u32, messageTag: WmsMessageTagType })), messageMode: optional(0x10, WmsMessageMode) },
      {},
    ),
    delete: message(
      0x0024,
      { memoryStorage: required(0x01, WmsStorageType), memoryIndex: optional(0x10, u32), messageTag: optional(0x11, WmsMessageTagType), messageMode: optional(0x12, WmsMessageMode) },
      {},
    ),
    getMessageProtocol: message(0x0030, {}, { messageProtocol: optional(0x01, WmsMessageProtocol) }),
    listMessages: message(
      0x0031,
      { storageType: required(0x01, WmsStorageType), messageTag: optional(0x11, WmsMessageTagType), messageMode: optional(0x12, WmsMessageMode) },
      { messageList: optional(0x01, array(struct({ memoryIndex: u32, messageTag: WmsMessageTagType }), 'u32')) },
    ),
    setRoutes: message(0x0032, { routeList: required(0x01, array(route, 'u16')), transferStatusReport: optional(0x10, WmsTransferIndication) }, {}),
    getRoutes: message(0x0033, {}, { routeList: optional(0x01, array(route, 'u16')), transferStatusReport: optional(0x10, WmsTransferIndication) }),
    sendFromMemoryStorage: message(
      0x0042,
      { information: required(0x01, struct({ storageType: WmsStorageType, memoryIndex: u32, messageMode: WmsMessageMode })), smsOnIms: optional(0x10, bool8) },
      { messageId: optional(0x10, u16), gsmWcdmaCauseInfo: optional(0x13, struct({ rpCause: u16, tpCause: u8 })), messageDeliveryFailureType: optional(0x14, u8) },
    ),
    getSmscAddress: message(0x0034, {}, { address: optional(0x01, struct({ type: fixedString(3, 0), digits: stringU8 })) }),
    setSmscAddress: message(0x0035, { address: required(0x01, string), type: optional(0x10, string) }, {}),
  },
  {
    eventReport: indication(0x0001, {
      mtMessage: optional(0x10, storedAt),
      transferRouteMtMessage: optional(0x11, struct({ ackIndicator: WmsAckIndicator, transactionId: u32, format: WmsMessageFormat, rawData: bytesU16 })),
      messageMode: optional(0x12, WmsMessageMode),
      smscAddress: optional(0x15, string),
      smsOnIms: optional(0x16, bool8),
    }),
  },
);
