/**
 * Faults at run time, over the simulator's control socket (`wwan sim ctl`): one JSON object per line
 * in, one answer per line out. Each fault names the modem it hits (default: the first).
 */
import { basicConnect } from '../mbim/services/basic-connect.js';
import { QMI_CID_BROADCAST } from '../qmi/qmux.js';
import { nas } from '../qmi/services/nas.js';
import type { SimFileRef } from './firmware.js';
import type { SimModem } from './modem.js';
import { FAULTS } from './fault-list.js';

export interface FaultRequest {
  fault: string;
  modem?: string;
  [arg: string]: unknown;
}

export type FaultAnswer = { ok: true; [k: string]: unknown } | { ok: false; error: string };


/** Bytes with no QMUX marker, then a header whose lengths disagree: the host must skip both. */
const QMI_GARBAGE = [0xde, 0xad, 0xbe, 0xef, 0x01, 0xff, 0x00, 0x80, 0x02, 0x01, 0x04, 0x00, 0x00];
/** Bytes that are no MBIM type, then an OPEN_DONE whose length says 4096 bytes. */
const MBIM_GARBAGE = [0xde, 0xad, 0xbe, 0xef, 0x01, 0x00, 0x00, 0x80, 0x00, 0x10, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00];

const int = (v: unknown, name: string, min: number, max: number, fallback?: number): number => {
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new Error(`${name} must be a whole number from ${min} to ${max}`);
  return v;
};

/** `3F00/7FFF/6F46,…` (or a JSON list of them): each a path of hex file ids from the MF, the changed file last. */
function simFiles(given: unknown): SimFileRef[] {
  const v = typeof given === 'string' ? given.split(',') : given;
  if (!Array.isArray(v) || v.length === 0 || v.length > 64) throw new Error('files must be 1 to 64 paths like 3F00/7FFF/6F46, comma-separated');
  return v.map((p) => {
    if (typeof p !== 'string' || !/^[0-9a-fA-F]{4}(\/[0-9a-fA-F]{4}){0,7}$/.test(p)) throw new Error(`not a file path: ${JSON.stringify(String(p).slice(0, 64))}`);
    const ids = p.split('/').map((x) => Number.parseInt(x, 16));
    return { fileId: ids.at(-1)!, path: ids.slice(0, -1).flatMap((id) => [id & 0xff, id >> 8]) };
  });
}

export function applyFault(modems: readonly SimModem[], req: FaultRequest): FaultAnswer {
  const m = req.modem === undefined ? modems[0] : modems.find((x) => x.id === req.modem);
  if (!m) return { ok: false, error: `no modem ${JSON.stringify(String(req.modem).slice(0, 64))}; have ${modems.map((x) => x.id).join(', ')}` };
  try {
    switch (req.fault) {
      case 'drop-responses': {
        // Without a count, drop everything until cleared (count=0).
        let left = req.count === undefined ? Infinity : int(req.count, 'count', 0, 1_000_000);
        m.control.outboundFault = left === 0 ? undefined : () => left-- <= 0;
        return { ok: true };
      }
      case 'delay-responses': {
        const ms = int(req.ms, 'ms', 0, 600_000);
        m.control.outboundFault = ms === 0 ? undefined : () => ms;
        return { ok: true };
      }
      case 'reset':
        m.firmware.reset();
        return { ok: true };
      case 'disconnect': {
        const handles = req.handle === undefined ? [...m.firmware.sessions.keys()] : [int(req.handle, 'handle', 0, 0xffffffff)];
        const dropped = handles.filter((h) => m.firmware.stopSession(h, 'network'));
        return { ok: true, dropped: dropped.length };
      }
      case 'signal-loss':
        m.firmware.setCoverage(req.on === false);
        return { ok: true, registration: m.firmware.registration };
      case 'malformed-control':
        m.control.inject(new Uint8Array(m.mbim ? MBIM_GARBAGE : QMI_GARBAGE));
        return { ok: true };
      case 'malformed-data':
        m.data.inject(new Uint8Array([0x00, 0x01, 0x7f, 0xff, 0x45, 0x00]));
        return { ok: true };
      case 'indication-storm': {
        const n = int(req.count, 'count', 1, 100_000, 1000);
        if (m.mbim) {
          const signal = { rssi: 20, errorRate: 99, signalStrengthInterval: 0, rssiThreshold: 0, errorRateThreshold: 0 };
          for (let i = 0; i < n; i++) m.mbim.indicate(basicConnect.cids.signalState, signal);
          return { ok: true, sent: n };
        }
        const reg = { registrationState: 1, csAttachState: 1, psAttachState: 1, selectedNetwork: 2, radioInterfaces: [8] };
        for (let i = 0; i < n; i++) m.endpoint.indicate(nas.indications.servingSystem, QMI_CID_BROADCAST, { servingSystem: reg });
        return { ok: true, sent: n };
      }
      case 'flow-control':
        return m.data.flowControl(int(req.mux, 'mux', 1, 254), req.enable !== false) ? { ok: true } : { ok: false, error: 'no host on a QMAP data pipe' };
      case 'bam-channel':
        return m.data.channel(int(req.channel, 'channel', 0, 7), req.open !== false) ? { ok: true } : { ok: false, error: 'no host on a BAM-DMUX data pipe' };
      case 'dss-stall':
        if (!m.dss) return { ok: false, error: `${m.id} has no DSS (not an MBIM modem)` };
        m.dss.stalled = req.on !== false;
        return { ok: true };
      case 'sim-slot':
        m.firmware.switchSlot(int(req.slot, 'slot', 1, m.firmware.slots.length));
        return { ok: true };
      case 'sim-power':
        m.firmware.setCardPower(int(req.slot, 'slot', 1, m.firmware.slots.length), req.on !== false);
        return { ok: true };
      case 'sim-refresh':
        m.firmware.refreshSim(req.mode === 'reset' ? { mode: 'reset', files: [] } : { mode: 'fcn', files: simFiles(req.files) });
        return { ok: true };
      default:
        return { ok: false, error: `unknown fault ${JSON.stringify(String(req.fault).slice(0, 64))}; known: ${Object.keys(FAULTS).join(', ')}` };
    }
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}
