/**
 * What WDS tells about the data call: its traffic (the packets and bytes that crossed the data path),
 * the channel rates and bearer technology of the radio it is on, and its dormancy (Go Dormant / Go Active). A client asks about
 * its own call, or about the modem's call when it started none (qmicli beside a connection manager);
 * with no call up, the modem answers OutOfCall with what it knows of the last one.
 */
import { QmiProtocolError, QmiProtocolErrorResponse } from '../qmi/errors.js';
import { wds, WDS_RATE_UNAVAILABLE, WdsDataBearerTechnology, WdsDormancyStatus, WdsNetworkType, WdsPacketStatisticsMaskFlag, WdsRat3gpp } from '../qmi/services/wds.js';
import type { ModemFirmware, Rat, Session } from './firmware.js';
import type { QmiDeviceEndpoint } from './qmi-endpoint.js';

/** The channel rates (bit/s, uplink then downlink) of a category-4 LTE modem on each radio. */
const RATES: Record<Rat, [number, number]> = { lte: [50_000_000, 150_000_000], '5gnr': [50_000_000, 150_000_000], umts: [5_760_000, 42_200_000], gsm: [236_800, 236_800] };
/** WDS's bearer names (libqmi 1.32 has none for NR: a 5G call is carried as LTE, its anchor). */
const BEARER: Record<Rat, number> = { lte: WdsDataBearerTechnology.names.lte, '5gnr': WdsDataBearerTechnology.names.lte, umts: WdsDataBearerTechnology.names['dchsdpaplus-hsupa'], gsm: WdsDataBearerTechnology.names.edge };
const RAT_MASK: Record<Rat, number> = {
  lte: WdsRat3gpp.names.lte,
  '5gnr': WdsRat3gpp.names.lte,
  umts: WdsRat3gpp.names.wcdma | WdsRat3gpp.names.dchsdpaplus | WdsRat3gpp.names.hsupa,
  gsm: WdsRat3gpp.names.edge,
};

const outOfCall = (values: Record<string, unknown> = {}): QmiProtocolErrorResponse => new QmiProtocolErrorResponse(QmiProtocolError.OutOfCall, 'simulated', values);

export function serveQmiWdsCallInfo(ep: QmiDeviceEndpoint, fw: ModemFirmware, sessionOf: (cid: number) => Session | undefined): void {
  const w = wds.messages;
  /** The last call that ended: its traffic and the radio it was on. */
  let last: { session: Session; rat: Rat } | undefined;
  fw.on('sessionDown', (s) => {
    last = { session: s, rat: fw.rat };
  });
  const callOf = (cid: number): Session | undefined => sessionOf(cid) ?? fw.sessions.values().next().value;

  ep.handle(w.getPacketStatistics, (v, ctx) => {
    const s = callOf(ctx.clientId);
    if (!s) {
      throw outOfCall(last ? { lastCallTxBytesOk: BigInt(last.session.traffic.uplinkBytes), lastCallRxBytesOk: BigInt(last.session.traffic.downlinkBytes) } : {});
    }
    const t = s.traffic;
    const f = WdsPacketStatisticsMaskFlag.names;
    // Only what the mask asks for; the modem drops nothing and has no errors to count.
    const all = {
      txPacketsOk: [f['tx-packets-ok'], t.uplinkPackets],
      rxPacketsOk: [f['rx-packets-ok'], t.downlinkPackets],
      txPacketsError: [f['tx-packets-error'], 0],
      rxPacketsError: [f['rx-packets-error'], 0],
      txOverflows: [f['tx-overflows'], 0],
      rxOverflows: [f['rx-overflows'], 0],
      txBytesOk: [f['tx-bytes-ok'], BigInt(t.uplinkBytes)],
      rxBytesOk: [f['rx-bytes-ok'], BigInt(t.downlinkBytes)],
      txPacketsDropped: [f['tx-packets-dropped'], 0],
      rxPacketsDropped: [f['rx-packets-dropped'], 0],
    } as const;
    return Object.fromEntries(Object.entries(all).filter(([, [bit]]) => (v.mask & bit) !== 0).map(([k, [, value]]) => [k, value]));
  });

  ep.handle(w.getChannelRates, (_v, ctx) => {
    const [maxTx, maxRx] = RATES[fw.rat];
    const up = callOf(ctx.clientId) !== undefined;
    return {
      channelRates: {
        channelTxRateBps: up ? maxTx : WDS_RATE_UNAVAILABLE,
        channelRxRateBps: up ? maxRx : WDS_RATE_UNAVAILABLE,
        maxChannelTxRateBps: maxTx,
        maxChannelRxRateBps: maxRx,
      },
    };
  });

  ep.handle(w.getDataBearerTechnology, (_v, ctx) => {
    if (!callOf(ctx.clientId)) throw outOfCall(last ? { last: BEARER[last.rat] } : {});
    return { current: BEARER[fw.rat], ...(last ? { last: BEARER[last.rat] } : {}) };
  });

  const bearer = (rat: Rat) => ({ networkType: WdsNetworkType.names['3gpp'], ratMask: RAT_MASK[rat], soMask: 0 });
  ep.handle(w.getCurrentDataBearerTechnology, (_v, ctx) => {
    if (!callOf(ctx.clientId)) throw outOfCall(last ? { last: bearer(last.rat) } : {});
    return { current: bearer(fw.rat), ...(last ? { last: bearer(last.rat) } : {}) };
  });

  /**
   * Calls whose traffic channel was released (Go Dormant), with the packets they had carried then: the
   * next packet either way, or Go Active, brings the channel back, as the network re-establishes it.
   */
  const dormant = new Map<number, number>();
  const packets = (s: Session): number => s.traffic.uplinkPackets + s.traffic.downlinkPackets;
  const isDormant = (s: Session): boolean => {
    const at = dormant.get(s.handle);
    if (at !== undefined && at !== packets(s)) dormant.delete(s.handle);
    return dormant.has(s.handle);
  };
  fw.on('sessionDown', (s) => dormant.delete(s.handle));
  const callFor = (cid: number): Session => {
    const s = callOf(cid);
    if (!s) throw outOfCall();
    return s;
  };
  ep.handle(w.getDormancyStatus, (_v, ctx) => {
    const s = callFor(ctx.clientId);
    return { dormancyStatus: WdsDormancyStatus.names[isDormant(s) ? 'traffic-channel-dormant' : 'traffic-channel-active'] };
  });
  ep.handle(w.goDormant, (_v, ctx) => {
    const s = callFor(ctx.clientId);
    if (isDormant(s)) throw new QmiProtocolErrorResponse(QmiProtocolError.NoEffect, 'simulated');
    dormant.set(s.handle, packets(s));
    return {};
  });
  ep.handle(w.goActive, (_v, ctx) => {
    const s = callFor(ctx.clientId);
    if (!isDormant(s)) throw new QmiProtocolErrorResponse(QmiProtocolError.NoEffect, 'simulated');
    dormant.delete(s.handle);
    return {};
  });
}
