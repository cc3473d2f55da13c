/**
 * SMS (MBIM 1.0 §10.5.17–21): configuration and the SMSC address, reading stored messages as PDU
 * records, sending a PDU, deleting, and the store's status (full, new message). Only the PDU format is
 * declared: CDMA records are for CDMA modems, which wwankit does not drive.
 */
import { cid, service } from '../service.js';
import { EMPTY, count, enumOf, flagsOf, refBytes, refStructArray, string, struct, trailingStruct, u32 } from '../schema.js';

export const SmsFormat = enumOf({ pdu: 0, cdma: 1 });
export const SmsFlag = enumOf({ all: 0, index: 1, new: 2, old: 3, sent: 4, draft: 5 });
export const SmsStatus = enumOf({ new: 0, old: 1, draft: 2, sent: 3 });
export const SmsStorageState = enumOf({ 'not-initialized': 0, initialized: 1 });
export const SmsStatusFlag = flagsOf({ none: 0, 'message-store-full': 1, 'new-message': 2 });

export const SmsConfiguration = struct({ smsStorageState: SmsStorageState, format: SmsFormat, maxMessages: u32, cdmaShortMessageSize: u32, scAddress: string });
export const SmsPduReadRecord = struct({ messageIndex: u32, messageStatus: SmsStatus, pduData: refBytes });
export const SmsRead = struct({ format: SmsFormat, messagesCount: count, pduMessages: refStructArray('messagesCount', SmsPduReadRecord) });
export const SmsStoreStatus = struct({ flag: SmsStatusFlag, messageIndex: u32 });

/** Message Store Status: no message index given. */
export const SMS_NO_INDEX = 0xffffffff;

export const sms = service('sms', '533fbeeb-14fe-4467-9f90-33a223e56c3f', {
  configuration: cid(1, { query: EMPTY, set: struct({ format: SmsFormat, scAddress: string }), response: SmsConfiguration, notification: SmsConfiguration }),
  read: cid(2, { query: struct({ format: SmsFormat, flag: SmsFlag, messageIndex: u32 }), response: SmsRead, notification: SmsRead }),
  send: cid(3, { set: struct({ format: SmsFormat, pduMessage: trailingStruct(struct({ pduData: refBytes })) }), response: struct({ messageReference: u32 }) }),
  delete: cid(4, { set: struct({ flag: SmsFlag, messageIndex: u32 }), response: EMPTY }),
  messageStoreStatus: cid(5, { query: EMPTY, response: SmsStoreStatus, notification: SmsStoreStatus }),
});
