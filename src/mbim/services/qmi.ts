/** QMI over MBIM: CID 1 carries whole QMUX frames, unpadded, in sets, responses and notifications. */
import { cid, service } from '../service.js';
import { bytes, struct } from '../schema.js';

const QmiMsg = struct({ qmiMsg: bytes() });

export const qmi = service('qmi', 'd1a30bc2-f97a-6e43-bf65-c7e24fb0f0d3', {
  msg: cid(1, { set: QmiMsg, response: QmiMsg, notification: QmiMsg }),
});
