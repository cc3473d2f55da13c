/** qmicli's WDA operations. */
import { DataEndpointType } from '../../qmi/services/wds.js';
import { wda, WdaDataAggregationProtocol, WdaLinkLayerProtocol } from '../../qmi/services/wda.js';
import type { RequestOf, ResponseOf } from '../../qmi/schema.js';
import { action, ask, atoi, CliError, enumName, keyValuePairs, q, unparsable, yesNo } from './action.js';
import { parseEnumArg } from './enum-arg.js';
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

/** An enum nick as qmicli's readers take it (exact, own names only), or its two error lines. */
function nick(codec: { names: Record<string, number> }, value: string, what: string, unrecognized: string, bare = false): number {
  const v = parseEnumArg(codec.names, value);
  if (v !== undefined) return v;
  const first = `error: invalid ${what} value given: '${value}'\n`;
  if (bare) throw new CliError(`${first}${unrecognized} '${value}'`, { bare: true });
  throw unparsable(`${unrecognized} '${value}'`, first);
}

const linkLayer = (v: string, bare = false): number => nick(WdaLinkLayerProtocol, v, 'link layer protocol', 'Unrecognized Link Layer Protocol', bare);
const aggregation = (v: string): number => nick(WdaDataAggregationProtocol, v, 'data aggregation protocol', 'Unrecognized Data Aggregation Protocol');
const endpointType = (v: string): number => nick(DataEndpointType, v, 'data endpoint type', 'Unrecognized Endpoint Type');

/** The endpoint keys both actions take; qmicli wants both or neither. */
function endpointInfo(epType: number | undefined, iface: number | undefined): { endpointType: number; interfaceNumber: number } | undefined {
  if ((epType === undefined) !== (iface === undefined)) throw new CliError('error: endpoint type and interface number must be both set or both unset', { bare: true });
  return epType !== undefined && iface !== undefined ? { endpointType: epType, interfaceNumber: iface } : undefined;
}

/** A number qmicli reads with atoi (into a 32-bit field); -1 is its "not given". */
const number = (value: string): number | undefined => (atoi(value) === -1 ? undefined : atoi(value) >>> 0);

/** `link-layer-protocol=…,ul-protocol=…,…`, or the legacy bare `raw-ip` / `802-3`. */
function setDataFormatRequest(arg: string): SetDataFormat {
  if (!arg.includes('=')) return { linkLayerProtocol: linkLayer(arg, true) };
  // The key=value form always sends both aggregation protocols (disabled unless given).
  const req: SetDataFormat = { uplinkDataAggregationProtocol: 0, downlinkDataAggregationProtocol: 0 };
  let epType: number | undefined;
  let iface: number | undefined;
  for (const [key, value] of keyValuePairs(arg)) {
    switch (key) {
      case 'link-layer-protocol':
        req.linkLayerProtocol = linkLayer(value);
        break;
      case 'ul-protocol':
        req.uplinkDataAggregationProtocol = aggregation(value);
        break;
      case 'dl-protocol':
        req.downlinkDataAggregationProtocol = aggregation(value);
        break;
      case 'dl-max-datagrams':
        req.downlinkDataAggregationMaxDatagrams = number(value);
        break;
      case 'dl-datagram-max-size':
        req.downlinkDataAggregationMaxSize = number(value);
        break;
      case 'ul-max-datagrams':
        req.uplinkDataAggregationMaxDatagrams = number(value);
        break;
      case 'ul-datagram-max-size':
        req.uplinkDataAggregationMaxSize = number(value);
        break;
      case 'ep-type':
        epType = endpointType(value);
        break;
      case 'ep-iface-number':
        iface = number(value);
        break;
      default:
        throw unparsable(`Unrecognized option '${key}'`);
    }
  }
  const info = endpointInfo(epType, iface);
  if (info) req.endpointInfo = info;
  if (req.linkLayerProtocol === undefined) throw new CliError('error: Link Layer Protocol value is missing', { bare: true });
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
      let epType: number | undefined;
      let iface: number | undefined;
      for (const [key, value] of arg === true ? [] : keyValuePairs(arg)) {
        if (key === 'ep-type') epType = endpointType(value);
        else if (key === 'ep-iface-number') iface = number(value);
        else throw unparsable(`Unrecognized option '${key}'`);
      }
      const info = endpointInfo(epType, iface);
      const r = await ask('get data format', ctx.client.request(m.getDataFormat, info ? { endpointInfo: info } : {}));
      ctx.print(`${ctx.tag} Successfully got data format\n${getReport(r)}`);
    },
  }),
  supportedMessagesAction(wda),
  noopAction(wda),
];
