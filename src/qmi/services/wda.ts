/**
 * WDA (service 0x1A): the data format of the link (802.3 or raw IP) and its aggregation (QMAP, …).
 * Set Data Format's request TLVs are declared in descending id order, the order qmicli sends them in.
 */
import { array, bool8, enumOf, message, optional, service, u32, u8 } from '../schema.js';
import { endpointInfo } from './wds.js';

export const WdaLinkLayerProtocol = enumOf(u32, { unknown: 0, '802-3': 1, 'raw-ip': 2 });

export const WdaDataAggregationProtocol = enumOf(u32, {
  disabled: 0,
  tlp: 1,
  'qc-ncm': 2,
  mbim: 3,
  rndis: 4,
  qmap: 5,
  qmapv2: 6,
  qmapv3: 7,
  qmapv4: 8,
  qmapv5: 9,
});

/** The response TLVs of Set and Get Data Format. Uplink limits are 0x17/0x18 here, 0x1B/0x1C in the request. */
const dataFormat = {
  qosFormat: optional(0x10, bool8),
  linkLayerProtocol: optional(0x11, WdaLinkLayerProtocol),
  uplinkDataAggregationProtocol: optional(0x12, WdaDataAggregationProtocol),
  downlinkDataAggregationProtocol: optional(0x13, WdaDataAggregationProtocol),
  ndpSignature: optional(0x14, u32),
  downlinkDataAggregationMaxDatagrams: optional(0x15, u32),
  downlinkDataAggregationMaxSize: optional(0x16, u32),
  uplinkDataAggregationMaxDatagrams: optional(0x17, u32),
  uplinkDataAggregationMaxSize: optional(0x18, u32),
  downloadMinimumPadding: optional(0x1a, u32),
  flowControl: optional(0x1b, u8),
} as const;

export const wda = service('wda', 0x1a, {
  getSupportedMessages: message(0x001e, {}, { list: optional(0x10, array(u8, 'u16')) }),
  setDataFormat: message(
    0x0020,
    {
      uplinkDataAggregationMaxSize: optional(0x1c, u32),
      uplinkDataAggregationMaxDatagrams: optional(0x1b, u32),
      endpointInfo: optional(0x17, endpointInfo),
      downlinkDataAggregationMaxSize: optional(0x16, u32),
      downlinkDataAggregationMaxDatagrams: optional(0x15, u32),
      ndpSignature: optional(0x14, u32),
      downlinkDataAggregationProtocol: optional(0x13, WdaDataAggregationProtocol),
      uplinkDataAggregationProtocol: optional(0x12, WdaDataAggregationProtocol),
      linkLayerProtocol: optional(0x11, WdaLinkLayerProtocol),
      qosFormat: optional(0x10, bool8),
    },
    dataFormat,
  ),
  getDataFormat: message(0x0021, { endpointInfo: optional(0x10, endpointInfo) }, dataFormat),
});
