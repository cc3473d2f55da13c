/** Microsoft Basic Connect Extensions: what mbimcli and ModemManager use first (Version, PCO). */
import { cid, service } from '../service.js';
import { bytes, count, enumOf, struct, u16, u32 } from '../schema.js';

export const PcoType = enumOf({ complete: 0, partial: 1 });
const PcoValue = struct({ sessionId: u32, pcoDataSize: count, pcoDataType: PcoType, pcoDataBuffer: bytes('pcoDataSize') });
export const MbimVersion = struct({ mbimVersion: u16, mbimExtendedVersion: u16 });

export const msBasicConnectExtensions = service('ms-basic-connect-extensions', '3d01dcc5-fef5-4d05-0d3a-bef7058e9aaf', {
  pco: cid(9, { query: PcoValue, response: PcoValue, notification: PcoValue }),
  version: cid(15, { query: MbimVersion, response: MbimVersion }),
});
