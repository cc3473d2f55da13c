/** qmicli's WDA operations. */
import { DataEndpointType } from '../../qmi/services/wds.js';
import { wda, WdaDataAggregationProtocol, WdaLinkLayerProtocol } from '../../qmi/services/wda.js';
import type { RequestOf, ResponseOf } from '../../qmi/schema.js';
import { action, ask, CliError, enumName, enumValue, keyValues, q, uintArg, yesNo } from './action.js';
import { noopAction, supportedMessagesAction } from './service-actions.js';

const m = wda.messages;
type DataFormat = ResponseOf<typeof m.getDataFormat>;

/** Set Data Format's report: every label right-aligned to the longest. */
function setReport(r: DataFormat): string {
  const rows: [string, string][] = [];
  if (r.qosFormat !== undefined) rows.push(['QoS flow header', yesNo(r.qosFormat)]);
  if (r.linkLayerProtocol !== undefined) rows.push(['Link layer protocol', q(enumName(WdaLinkLayerProtocol, r.linkLayerProtocol))]);
  if (r.uplinkDataAggregationProtocol !== undefined) rows.push(['Uplink data aggregation protocol', q(enumName(WdaDataAggregationProtocol, r.uplinkDataAggregationProtocol))]);
  if (r.downlinkDataAggregationProtocol !== undefined) rows.push(['Downlink data aggregation protocol', q(enumName(WdaDataAggregationProtocol, r.downlinkDataAggregationProtocol))]);
  if (r.ndpSignature !== undefined) rows.push(['NDP signature', q(r.ndpSignature)]);
  if (r.downlinkDataAggregationMaxDatagrams !== undefined) rows.push(['Downlink data aggregation max datagrams', q(r.downlinkDataAggregationMaxDatagrams)]);
  if (r.downlinkDataAggregationMaxSize !== undefined) rows.push(['Downlink data aggregation max size', q(r.downlinkDataAggregationMaxSize)]);
  if (r.uplinkDataAggregationMaxDatagrams !== undefined) rows.push(['Uplink data aggregation max datagrams', q(r.uplinkDataAggregationMaxDatagrams)]);
  if (r.uplinkDataAggregationMaxSize !== undefined) rows.push(['Uplink data aggregation max size', q(r.uplinkDataAggregationMaxSize)]);
  return rows.map(([k, v]) => `${k.padStart(39)}: ${v}\n`).join('');
}

/** Get Data Format's report, laid out as qmicli 1.32 lays it out (its own fixed widths, no uplink limits). */
function getReport(r: DataFormat): string {
  let out = '';
  if (r.qosFormat !== undefined) out += `                   QoS flow header: ${yesNo(r.qosFormat)}\n`;
  if (r.linkLayerProtocol !== undefined) out += `               Link layer protocol: ${q(enumName(WdaLinkLayerProtocol, r.linkLayerProtocol))}\n`;
  if (r.uplinkDataAggregationProtocol !== undefined) out += `  Uplink data aggregation protocol: ${q(enumName(WdaDataAggregationProtocol, r.uplinkDataAggregationProtocol))}\n`;
  if (r.downlinkDataAggregationProtocol !== undefined) out += `Downlink data aggregation protocol: ${q(enumName(WdaDataAggregationProtocol, r.downlinkDataAggregationProtocol))}\n`;
  if (r.ndpSignature !== undefined) out += `                     NDP signature: ${q(r.ndpSignature)}\n`;
  if (r.downlinkDataAggregationMaxDatagrams !== undefined) out += `Downlink data aggregation max datagrams: ${q(r.downlinkDataAggregationMaxDatagrams)}\n`;
  if (r.downlinkDataAggregationMaxSize !== undefined) out += `Downlink data aggregation max size: ${q(r.downlinkDataAggregationMaxSize)}\n`;
  return out;
}

type SetDataFormat = RequestOf<typeof m.setDataFormat>;

/** `link-layer-protocol=…,ul-protocol=…,…`, or the legacy bare `raw-ip` / `802-3`. */
function setDataFormatRequest(arg: string): SetDataFormat {
  if (!arg.includes('=')) return { linkLayerProtocol: enumValue(WdaLinkLayerProtocol, arg, 'link layer protocol') };
  // The key=value form always sends both aggregation protocols (disabled unless given).
  const req: SetDataFormat = { uplinkDataAggregationProtocol: 0, downlinkDataAggregationProtocol: 0 };
  let epType: number | undefined;
  let iface: number | undefined;
  for (const [key, value] of keyValues(arg)) {
    switch (key) {
      case 'link-layer-protocol':
        req.linkLayerProtocol = enumValue(WdaLinkLayerProtocol, value, 'link layer protocol');
        break;
      case 'ul-protocol':
        req.uplinkDataAggregationProtocol = enumValue(WdaDataAggregationProtocol, value, 'uplink aggregation protocol');
        break;
      case 'dl-protocol':
        req.downlinkDataAggregationProtocol = enumValue(WdaDataAggregationProtocol, value, 'downlink aggregation protocol');
        break;
      case 'dl-max-datagrams':
        req.downlinkDataAggregationMaxDatagrams = uintArg(value, 'dl-max-datagrams');
        break;
      case 'dl-datagram-max-size':
        req.downlinkDataAggregationMaxSize = uintArg(value, 'dl-datagram-max-size');
        break;
      case 'ul-max-datagrams':
        req.uplinkDataAggregationMaxDatagrams = uintArg(value, 'ul-max-datagrams');
        break;
      case 'ul-datagram-max-size':
        req.uplinkDataAggregationMaxSize = uintArg(value, 'ul-datagram-max-size');
        break;
      case 'ep-type':
        epType = enumValue(DataEndpointType, value, 'endpoint type');
        break;
      case 'ep-iface-number':
        iface = uintArg(value, 'ep-iface-number');
        break;
      default:
        throw new CliError(`unrecognized option '${key}'`);
    }
  }
  if ((epType === undefined) !== (iface === undefined)) throw new CliError("missing 'ep-type' or 'ep-iface-number'");
  if (epType !== undefined && iface !== undefined) req.endpointInfo = { endpointType: epType, interfaceNumber: iface };
  return req;
}

export const wdaActions = [
  action({
    option: { long: 'wda-set-data-format', arg: 'required' },
    service: wda,
    async run(ctx, arg) {
      const r = await ask('set data format', ctx.client.request(m.setDataFormat, setDataFormatRequest(String(arg))));
      ctx.print(`${ctx.tag} Successfully set data format\n${setReport(r)}`);
    },
  }),
  action({
    option: { long: 'wda-get-data-format', arg: 'optional' },
    service: wda,
    async run(ctx, arg) {
      let endpointInfo: RequestOf<typeof m.getDataFormat>['endpointInfo'];
      if (arg !== true) {
        const kv = new Map(keyValues(arg));
        const t = kv.get('ep-type');
        const i = kv.get('ep-iface-number');
        if (t === undefined || i === undefined) throw new CliError("missing 'ep-type' or 'ep-iface-number'");
        endpointInfo = { endpointType: enumValue(DataEndpointType, t, 'endpoint type'), interfaceNumber: uintArg(i, 'ep-iface-number') };
      }
      const r = await ask('get data format', ctx.client.request(m.getDataFormat, endpointInfo ? { endpointInfo } : {}));
      ctx.print(`${ctx.tag} Successfully got data format\n${getReport(r)}`);
    },
  }),
  supportedMessagesAction(wda),
  noopAction(wda),
];
