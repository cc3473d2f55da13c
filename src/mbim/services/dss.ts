/** Device Service Stream: opening and closing a DSS session (the data rides on NTB, not here). */
import { cid, service } from '../service.js';
import { EMPTY, enumOf, struct, u32, uuid } from '../schema.js';

export const DssLinkState = enumOf({ deactivate: 0, activate: 1 });

export const dss = service('dss', 'c08a26dd-7718-4382-8482-6e0d583c4d0e', {
  connect: cid(1, { set: struct({ deviceServiceId: uuid, dssSessionId: u32, dssLinkState: DssLinkState }), response: EMPTY }),
});
