/**
 * MBIM services the simulated function answers beyond those wwankit's host side speaks: SMS (what
 * ModemManager reads when it enables messaging), AT&T's ATDS signal (how ModemManager 1.20 gets
 * extended signal from an MBIM modem without MBIMEx 2.0) and the SIM slot layout of MS Basic
 * Connect Extensions. Layouts as libmbim declares them.
 */
import { cid, service } from '../mbim/service.js';
import { msBasicConnectExtensions } from '../mbim/services/ms-basic-connect-extensions.js';
import { EMPTY, count, enumOf, struct, u32, u64 } from '../mbim/schema.js';

export const SmsFormat = enumOf({ pdu: 0, cdma: 1 });
export const SmsFlag = enumOf({ all: 0, index: 1, new: 2, old: 3, sent: 4, draft: 5 });

export const sms = service('sms', '533fbeeb-14fe-4467-9f90-33a223e56c3f', {
  // The PDU records (index, status, an offset/length byte array) that follow the count need a
  // reference byte array the MBIM schema lacks; a store with no messages sends none.
  read: cid(2, {
    query: struct({ format: SmsFormat, flag: SmsFlag, messageIndex: u32 }),
    response: struct({ format: SmsFormat, messagesCount: count }),
  }),
});

/** ATDS Signal: 3GPP TS 27.007 style indexes (rssi as +CSQ, rsrp = dBm + 140, …); 99 or 255 unknown. */
export const atds = service('atds', '5967bdcc-7fd2-49a2-9f5c-b2e70e527db3', {
  signal: cid(1, {
    query: EMPTY,
    response: struct({ rssi: u32, errorRate: u32, rscp: u32, ecno: u32, rsrq: u32, rsrp: u32, rssnr: u32 }),
  }),
});

/** The CIDs of MS Basic Connect Extensions that only a function answers (the host side declares the rest). */
export const msBasicConnectExtensionsSlots = service('ms-basic-connect-extensions', msBasicConnectExtensions.uuid, {
  sysCaps: cid(5, { query: EMPTY, response: struct({ numberOfExecutors: u32, numberOfSlots: u32, concurrency: u32, modemId: u64 }) }),
});
