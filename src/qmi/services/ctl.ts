/** CTL (service 0x00): client ids, version info, sync, data format. One-byte transactions. */
import { array, enumOf, message, indication, required, optional, service, string, struct, u16, u8 } from '../schema.js';

export const CtlDataFormat = enumOf(u8, { qosFlowHeaderAbsent: 0, qosFlowHeaderPresent: 1 });
export const CtlLinkProtocol = enumOf(u16, { unknown: 0, '802-3': 1, 'raw-ip': 2 });

const allocation = struct({ service: u8, cid: u8 });

export const ctl = service(
  'ctl',
  0x00,
  {
    setInstanceId: message(0x0020, { id: required(0x01, u8) }, { linkId: required(0x01, u16) }),
    getVersionInfo: message(
      0x0021,
      {},
      { services: required(0x01, array(struct({ service: u8, major: u16, minor: u16 }))) },
    ),
    allocateCid: message(0x0022, { service: required(0x01, u8) }, { allocation: required(0x01, allocation) }),
    releaseCid: message(0x0023, { release: required(0x01, allocation) }, { release: required(0x01, allocation) }),
    setDataFormat: message(
      0x0026,
      { format: required(0x01, CtlDataFormat), protocol: optional(0x10, CtlLinkProtocol) },
      { protocol: required(0x10, CtlLinkProtocol) },
    ),
    sync: message(0x0027, {}, {}),
    /** libqmi-only: the first request a client sends to qmi-proxy, naming the device. */
    internalProxyOpen: message(0xff00, { devicePath: required(0x01, string) }, {}),
  },
  {
    sync: indication(0x0027, {}),
  },
);
