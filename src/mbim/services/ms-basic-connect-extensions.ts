/** Microsoft Basic Connect Extensions: what mbimcli and ModemManager use first (Version, PCO, SIM slot layout). */
import { cid, service } from '../service.js';
import { EMPTY, bytes, count, enumOf, struct, u16, u32, u64 } from '../schema.js';

export const PcoType = enumOf({ complete: 0, partial: 1 });
const PcoValue = struct({ sessionId: u32, pcoDataSize: count, pcoDataType: PcoType, pcoDataBuffer: bytes('pcoDataSize') });
export const MbimVersion = struct({ mbimVersion: u16, mbimExtendedVersion: u16 });

export const msBasicConnectExtensions = service('ms-basic-connect-extensions', '3d01dcc5-fef5-4d05-0d3a-bef7058e9aaf', {
  sysCaps: cid(5, { query: EMPTY, response: struct({ numberOfExecutors: u32, numberOfSlots: u32, concurrency: u32, modemId: u64 }) }),
  pco: cid(9, { query: PcoValue, response: PcoValue, notification: PcoValue }),
  version: cid(15, { query: MbimVersion, response: MbimVersion }),
});
