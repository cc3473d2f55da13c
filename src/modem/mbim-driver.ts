/**
 * The MBIM control driver: Basic Connect for identity, SIM, registration and signal; Connect on
 * session id = link id (as iosm and mhi_wwan_mbim map them); IP Configuration for the addresses.
 */
import { EventEmitter } from 'node:events';
import { MbimTimeoutError, type MbimDevice } from '../mbim/client.js';
import { MbimStatusError, statusName } from '../mbim/protocol.js';
import { ContextType } from '../mbim/context-types.js';
import { decodeBuffer } from '../mbim/schema.js';
import { basicConnect, DataClass, ipConfigurationQuery, RegisterState, SubscriberReadyState, NwError } from '../mbim/services/basic-connect.js';
import { MbimSms } from './mbim-sms.js';
import { MbimDss } from './mbim-dss.js';
import { MbimRadio } from './mbim-radio-driver.js';
import { agreedBasicConnect, type AgreedBasicConnect } from './mbim-agreed.js';
import { MBIM_PIPE_FORMAT } from '../link/format.js';
import type { ControlDriver, DataSetup, DriverConnect, DriverEvents, DriverSession, ProbeResult } from './driver.js';
import { ConnectError, type Registration, type SignalQuality, type SimStatus } from './types.js';

const c = basicConnect.cids;

/** MBIM reports RSSI as 0..31 (dBm = −113 + 2·n) or 99 for unknown. */
const rssiDbm = (n: number): number | undefined => (n === 99 ? undefined : -113 + 2 * n);

/**
 * Signal State as measurements: the RSSI, and from MBIMEx 2.0 on each served LTE or NR system's RSRP
 * (dBm = −157 + n, 0–126) and SNR (dB = −23.5 + n/2, 0–127), as libmbim reads them.
 */
function signalOf(v: { rssi: number } & { rsrpSnr?: readonly { rsrp: number; snr: number; systemType: number }[] }): SignalQuality {
  const out: SignalQuality = {};
  const rssi = rssiDbm(v.rssi);
  if (rssi !== undefined) out.rssi = rssi;
  const NR = DataClass.names['5g-nsa'] | DataClass.names['5g-sa'];
  for (const e of v.rsrpSnr ?? []) {
    const m = { ...(e.rsrp <= 126 ? { rsrp: -157 + e.rsrp } : {}), ...(e.snr <= 127 ? { snr: -23.5 + e.snr / 2 } : {}) };
    if (e.systemType & NR) out.nr5g = m;
    else if (e.systemType & DataClass.names.lte) Object.assign(out, m);
  }
  return out;
}

const nameOf = (codec: { names: Record<string, number> }, v: number): string | undefined => Object.entries(codec.names).find(([, n]) => n === v)?.[0];

interface MbimSession {
  sessionId: number;
  active: boolean;
  /** Handed to the manager: from then on a deactivation is a lost session. */
  established: boolean;
  /** Deactivated while the connect was still under way (the connect then fails). */
  endedEarly?: string;
}

export interface MbimDriverOptions {
  /** How long Connect (activate) may take before it counts as unanswered. */
  connectTimeoutMs?: number;
  log?: (line: string) => void;
}

export class MbimDriver extends EventEmitter<DriverEvents> implements ControlDriver {
  readonly protocol = 'mbim';
  readonly sms: MbimSms;
  readonly dss: MbimDss;
  readonly radio: MbimRadio;
  private maxSessions = 1;
  private readonly sessions = new Map<number, MbimSession>();
  private swept = false;
  /** Connect, Register State, Signal State and Subscriber Ready Status as the agreed MBIMEx version lays them out. */
  private readonly bc: AgreedBasicConnect;

  constructor(
    readonly device: MbimDevice,
    private readonly options: MbimDriverOptions = {},
  ) {
    super();
    this.bc = agreedBasicConnect(device);
    this.sms = new MbimSms(device);
    this.dss = new MbimDss(device);
    this.radio = new MbimRadio(device);
    device.onClose((err) => this.emit('closed', err));
    device.on(this.bc.connect, (v) => {
      const s = this.sessions.get(v.sessionId);
      if (s?.active && v.activationState === 3) {
        s.active = false;
        const reason = `deactivated by the network (${nameOf(NwError, v.nwError) ?? v.nwError})`;
        if (s.established) this.emit('sessionLost', s, reason);
        else s.endedEarly = reason;
      }
    });
    device.on(this.bc.registerState, (v) => this.emit('registration', registration(v)));
    device.on(this.bc.signalState, (v) => this.emit('signal', signalOf(v)));
  }

  async probe(): Promise<ProbeResult> {
    const caps = await this.device.query(c.deviceCaps);
    this.maxSessions = Math.max(1, caps.maxSessions);
    if (!this.swept) {
      await this.deactivateUnknown();
      this.swept = true;
    }
    return {
      // MBIM has no manufacturer field: the firmware and hardware strings are what a function says of itself.
      identity: { manufacturer: caps.hardwareInfo.split(' ')[0] ?? '', model: caps.hardwareInfo, revision: caps.firmwareInfo, imei: caps.deviceId, hardwareRevision: caps.hardwareInfo },
      sim: await this.simStatus(),
      registration: registration(await this.device.query(this.bc.registerState)),
      signal: await this.signal(),
    };
  }

  /**
   * Sessions active that this driver did not start (a predecessor killed without cleaning up): as
   * ModemManager does, they are deactivated, so their APN can be connected again.
   */
  private async deactivateUnknown(): Promise<void> {
    for (let sessionId = 0; sessionId < this.maxSessions; sessionId++) {
      if (this.sessions.has(sessionId)) continue;
      const state = await this.bc.queryConnect(sessionId).catch(() => undefined);
      if (state?.activationState !== 1) continue;
      this.options.log?.(`session ${sessionId} (APN context left by an earlier host) is active: deactivating it`);
      await this.bc.setConnect({ ...DEACTIVATE, sessionId }).catch(() => undefined);
    }
  }

  private async simStatus(): Promise<ProbeResult['sim']> {
    const ready = await this.device.query(this.bc.subscriberReadyStatus);
    const state = nameOf(SubscriberReadyState, ready.readyState);
    if (state === 'sim-not-inserted') return { status: 'absent' };
    if (state === 'initialized') {
      // The SIM's home operator as the function reads it from the card (ModemManager's Sim operator id and name).
      const home = await this.device.query(c.homeProvider).catch(() => undefined);
      return {
        status: 'ready',
        ...(ready.simIccId ? { iccid: ready.simIccId } : {}),
        ...(ready.subscriberId ? { imsi: ready.subscriberId } : {}),
        ...(ready.telephoneNumbers[0] ? { ownNumber: ready.telephoneNumbers[0] } : {}),
        ...(home?.providerId ? { operatorId: home.providerId } : {}),
        ...(home?.providerName ? { operatorName: home.providerName } : {}),
      };
    }
    if (state === 'device-locked') {
      const pin = await this.device.query(c.pin);
      const status: SimStatus = pin.pinType === 11 ? 'puk-required' : 'pin-required';
      return { status, pinRetries: pin.remainingAttempts };
    }
    return { status: 'error' };
  }

  private async signal(): Promise<SignalQuality> {
    return signalOf(await this.device.query(this.bc.signalState));
  }

  async unlockPin(pin: string): Promise<{ unlocked: boolean; retries?: number }> {
    try {
      const r = await this.device.set(c.pin, { pinType: 2, pinOperation: 0, pin, newPin: '' });
      return { unlocked: r.pinState === 0, retries: r.remainingAttempts };
    } catch (e) {
      // The status and retries, never the PIN.
      if (e instanceof MbimStatusError) {
        const info = await this.device.query(c.pin).catch(() => undefined);
        // A SIM that now asks for the PUK (type 11) has no PIN retries left; its attempts are the PUK's.
        return { unlocked: false, retries: info?.pinType === 11 ? 0 : info?.remainingAttempts };
      }
      throw e;
    }
  }

  async unblockPin(puk: string, newPin: string): Promise<{ unlocked: boolean; retries?: number }> {
    try {
      const r = await this.device.set(c.pin, { pinType: 11, pinOperation: 0, pin: puk, newPin });
      return { unlocked: r.pinState === 0, retries: r.remainingAttempts };
    } catch (e) {
      if (e instanceof MbimStatusError) {
        const info = await this.device.query(c.pin).catch(() => undefined);
        return { unlocked: false, retries: info?.remainingAttempts };
      }
      throw e;
    }
  }

  async setupData(multiplex: boolean): Promise<DataSetup> {
    const ids = Array.from({ length: multiplex ? this.maxSessions : 1 }, (_, i) => i);
    return { format: MBIM_PIPE_FORMAT, linkIds: ids };
  }

  async connect(req: DriverConnect): Promise<DriverSession> {
    const session: MbimSession = { sessionId: req.linkId, active: false, established: false };
    let r;
    try {
      r = await this.bc.setConnect(
        {
          sessionId: req.linkId,
          activationCommand: 1,
          accessString: req.apn,
          userName: req.user ?? '',
          password: req.password ?? '',
          authProtocol: req.auth === 'pap' ? 1 : req.auth === 'chap' || req.auth === 'both' ? 2 : 0,
          ipType: req.ipType === 'ipv4' ? 1 : req.ipType === 'ipv6' ? 2 : 3,
          contextType: req.apn.toLowerCase() === 'ims' ? ContextType.ims : ContextType.internet,
        },
        { timeoutMs: this.options.connectTimeoutMs ?? 60_000 },
      );
    } catch (e) {
      if (e instanceof MbimTimeoutError) {
        // The modem may have activated the context and lost only its answer: take it down again.
        await this.bc.setConnect({ ...DEACTIVATE, sessionId: req.linkId }).catch(() => undefined);
        throw new ConnectError(`no answer from the modem: ${e.message}`, req.apn, { cause: e });
      }
      throw new ConnectError(`the network refused APN ${req.apn}: ${refusalText(e, this.bc)}`, req.apn, { cause: e });
    }
    if (r.activationState !== 1) throw new ConnectError(`the network refused APN ${req.apn}: ${causeText(r.nwError)}`, req.apn);
    session.active = true;
    this.sessions.set(req.linkId, session);
    const endedEarly = (): ConnectError => {
      this.sessions.delete(req.linkId);
      return new ConnectError(`the session to APN ${req.apn} ended while connecting (${session.endedEarly})`, req.apn);
    };
    let ip;
    try {
      ip = await this.device.query(c.ipConfiguration, ipConfigurationQuery(req.linkId));
    } catch (e) {
      if (session.endedEarly) throw endedEarly();
      // Activated but unusable: the context goes down again rather than stay up unknown.
      await this.disconnect({ token: session, apn: req.apn, linkId: req.linkId });
      throw new ConnectError(`${e instanceof MbimTimeoutError ? 'no answer from the modem: ' : ''}${(e as Error).message}`, req.apn, { cause: e });
    }
    if (session.endedEarly) throw endedEarly();
    session.established = true;
    const v4 = ip.ipv4Address[0];
    const v6 = ip.ipv6Address[0];
    return {
      token: session,
      apn: req.apn,
      linkId: req.linkId,
      ...(v4 ? { ipv4: { address: v4.address, prefix: v4.onLinkPrefixLength, gateway: ip.ipv4Gateway ?? undefined, dns: ip.ipv4DnsServer, mtu: ip.ipv4Mtu || undefined } } : {}),
      ...(v6 ? { ipv6: { address: v6.address, prefix: v6.onLinkPrefixLength, gateway: ip.ipv6Gateway ?? undefined, dns: ip.ipv6DnsServer, mtu: ip.ipv6Mtu || undefined } } : {}),
    };
  }

  async sessionAlive(session: DriverSession): Promise<boolean | undefined> {
    const s = session.token as MbimSession;
    if (!s.active) return false;
    const r = await this.bc.queryConnect(s.sessionId).catch(() => undefined);
    if (!r) return undefined;
    if (r.activationState === 1) return true;
    s.active = false;
    this.sessions.delete(s.sessionId);
    return false;
  }

  async disconnect(session: DriverSession, opts: { timeoutMs?: number } = {}): Promise<void> {
    const s = session.token as MbimSession;
    if (!s.active) return;
    s.active = false;
    this.sessions.delete(s.sessionId);
    await this.bc.setConnect({ ...DEACTIVATE, sessionId: s.sessionId }, opts).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.radio.release().catch(() => undefined);
    // A modem that stopped answering must not hold a daemon's shutdown for CLOSE's full 10 s.
    await this.device.close({ timeoutMs: 1000 });
  }
}

const DEACTIVATE = { activationCommand: 0, accessString: '', userName: '', password: '', authProtocol: 0, ipType: 0, contextType: ContextType.internet };

/** A 3GPP cause as people read it, as the QMI driver words it: `missing-or-unknown-apn (3GPP cause 27)`. */
const causeText = (nwError: number): string => `${nameOf(NwError, nwError) ?? 'cause'} (3GPP cause ${nwError})`;

/** The status, and the 3GPP cause when the Connect response that came with it carries one. */
function refusalText(e: unknown, bc: AgreedBasicConnect): string {
  if (!(e instanceof MbimStatusError)) return (e as Error).message;
  const d = e.buffer.length > 0 ? decodeBuffer(bc.connect.response, e.buffer) : undefined;
  const nwError = d?.ok ? d.value.nwError : 0;
  return nwError ? `${statusName(e.status)}: ${causeText(nwError)}` : statusName(e.status);
}

function registration(v: { registerState: number; providerId: string; providerName: string; availableDataClasses: number }): Registration {
  const s = nameOf(RegisterState, v.registerState);
  const state: Registration['state'] = s === 'home' ? 'home' : s === 'roaming' || s === 'partner' ? 'roaming' : s === 'searching' ? 'searching' : s === 'denied' ? 'denied' : s === 'deregistered' ? 'idle' : 'unknown';
  const operator = v.providerId.length >= 5 ? { mcc: v.providerId.slice(0, 3), mnc: v.providerId.slice(3), name: v.providerName } : undefined;
  const tech = v.availableDataClasses & 0xc0 ? '5gnr' : v.availableDataClasses & 0x20 ? 'lte' : v.availableDataClasses & 0x1c ? 'umts' : v.availableDataClasses & 0x3 ? 'gsm' : undefined;
  return { state, ...(operator ? { operator } : {}), ...(tech ? { tech } : {}) };
}
