/** AT&T's ATDS service: how ModemManager 1.20 gets extended signal from an MBIM modem without MBIMEx 2.0. */
import { cid, service } from '../service.js';
import { EMPTY, count, enumOf, refStructArray, string, struct, u32 } from '../schema.js';
import { CellularClass, DataClass, NwError, ProviderState, RegisterMode, RegisterState, RegistrationFlag } from './basic-connect.js';

export const AtdsProviderPlmnMode = enumOf({ gsm: 0, utran: 6, lte: 7 });
export const AtdsRatMode = enumOf({ automatic: 0, '2g-only': 1, '3g-only': 2, '4g-only': 3 });
const AtdsProvider = struct({ providerId: string, providerState: ProviderState, providerName: string, plmnMode: AtdsProviderPlmnMode, rssi: u32, errorRate: u32 });

/** ATDS Signal: 3GPP TS 27.007 style indexes (rssi as +CSQ, rsrp = dBm + 140, …); 99 or 255 unknown. */
export const atds = service('atds', '5967bdcc-7fd2-49a2-9f5c-b2e70e527db3', {
  signal: cid(1, {
    query: EMPTY,
    response: struct({ rssi: u32, errorRate: u32, rscp: u32, ecno: u32, rsrq: u32, rsrp: u32, rssnr: u32 }),
  }),
  location: cid(2, { query: EMPTY, response: struct({ lac: u32, tac: u32, cellId: u32 }) }),
  operators: cid(3, { query: EMPTY, response: struct({ providersCount: count, providers: refStructArray('providersCount', AtdsProvider) }) }),
  rat: cid(4, { query: EMPTY, set: struct({ mode: AtdsRatMode }), response: struct({ mode: AtdsRatMode }) }),
  registerState: cid(9, {
    query: EMPTY,
    response: struct({
      nwError: NwError, registerState: RegisterState, registerMode: RegisterMode, availableDataClasses: DataClass, currentCellularClass: CellularClass,
      providerId: string, providerName: string, roamingText: string, registrationFlag: RegistrationFlag,
    }),
  }),
});
