/** AT&T's ATDS service: how ModemManager 1.20 gets extended signal from an MBIM modem without MBIMEx 2.0. */
import { cid, service } from '../service.js';
import { EMPTY, struct, u32 } from '../schema.js';

/** ATDS Signal: 3GPP TS 27.007 style indexes (rssi as +CSQ, rsrp = dBm + 140, …); 99 or 255 unknown. */
export const atds = service('atds', '5967bdcc-7fd2-49a2-9f5c-b2e70e527db3', {
  signal: cid(1, {
    query: EMPTY,
    response: struct({ rssi: u32, errorRate: u32, rscp: u32, ecno: u32, rsrq: u32, rsrp: u32, rssnr: u32 }),
  }),
});
