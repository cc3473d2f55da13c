/** SMS: what ModemManager reads when it enables messaging. */
import { cid, service } from '../service.js';
import { count, enumOf, struct, u32 } from '../schema.js';

export const SmsFormat = enumOf({ pdu: 0, cdma: 1 });
export const SmsFlag = enumOf({ all: 0, index: 1, new: 2, old: 3, sent: 4, draft: 5 });

export const sms = service('sms', '533fbeeb-14fe-4467-9f90-33a223e56c3f', {
  // The PDU records (index, status, a referenced byte array) that follow the count are not declared
  // yet; a store with no messages sends none.
  read: cid(2, {
    query: struct({ format: SmsFormat, flag: SmsFlag, messageIndex: u32 }),
    response: struct({ format: SmsFormat, messagesCount: count }),
  }),
});
