/**
 * The QMI control driver: probe with DMS/UIM/NAS, data format with WDA, and one kept WDS client per
 * session and IP family (a QMI call is tied to the client that started it; dual stack takes two).
 */
import { EventEmitter } from 'node:events';
import { QmiTimeoutError, type QmiClient, type QmiDevice } from '../qmi/client.js';
import type { AnyService, ResponseOf } from '../qmi/schema.js';
import { swappedBcdDigits } from '../qmi/bcd.js';
import { QmiProtocolErrorResponse } from '../qmi/errors.js';
import { dms } from '../qmi/services/dms.js';
import { nas, NasRegistrationState } from '../qmi/services/nas.js';
import { pdc } from '../qmi/services/pdc.js';
import { uim } from '../qmi/services/uim.js';
import { wda, WdaDataAggregationProtocol } from '../qmi/services/wda.js';
import { wds, WdsVerboseCallEndReason3gpp } from '../qmi/services/wds.js';
import type { PipeFormat } from '../mux/pipe.js';
import { BAM_DMUX_PIPE_FORMAT, qmiPipeFormat, type AggregationProtocol } from '../link/format.js';
import { QmiRadio, type QmiRadioOptions } from './qmi-radio.js';
import { simFileValues } from './sim-files.js';
import { QmiSms } from './qmi-sms.js';
import { RadioError } from './radio-driver.js';
import type { ControlDriver, DataSetup, DriverConnect, DriverEvents, DriverSession, ProbeResult } from './driver.js';
import { ConnectError, type Ipv4Config, type Ipv6Config, type Registration, type SignalQuality, type SimStatus } from './types.js';

export interface QmiDriverOptions {
  /** How the data pipe is attached: USB, IPA (Qualcomm SoC) or MHI (PCIe), QMAP via WDA; or BAM-DMUX (one channel per PDN). */
  pipe: 'usb' | 'ipa' | 'mhi' | 'bam-dmux';
  /** Interface number of the data pipe (USB: 4, IPA: 1 by default), for WDA endpoint info and Bind Mux Data Port. */
  interfaceNumber?: number;
  /** How long Start Network may take (libqmi: 180 s). */
  startTimeoutMs?: number;
  /** The newest QMAP the data path understands: qmi_wwan's qmimux only v1, rmnet and wwankit v5. */
  qmap?: 'qmap' | 'qmapv5';
  log?: (line: string) => void;
  /** Scan and registration time limits of the radio side. */
  radio?: QmiRadioOptions;
}

type WdsClient = QmiClient<typeof wds>;

/** WDA/WDS endpoint types (libqmi's QmiDataEndpointType): where the modem's data pipe attaches. */
const ENDPOINT_TYPE = { usb: 2, mhi: 3, ipa: 4, 'bam-dmux': 5 } as const;

interface QmiSession {
  clients: { client: WdsClient; handle: number }[];
  /** Handed to the manager: from then on a call that ends is a lost session. */
  established: boolean;
  /** A call that ended while the connect was still under way (the connect then fails). */
  endedEarly?: string;
}

type SignalInfo = ResponseOf<typeof nas.messages.getSignalInfo>;

/** NAS signal info (response or indication) as the manager's measurements: LTE's, else WCDMA's (Ec/Io in -0.5 dB), else GSM's; SNR comes in 0.1 dB. */
function signalQuality(v: SignalInfo): SignalQuality {
  const serving = v.lte
    ? { rssi: v.lte.rssi, rsrq: v.lte.rsrq, rsrp: v.lte.rsrp, snr: v.lte.snr / 10 }
    : v.wcdma
      ? { rssi: v.wcdma.rssi, ecio: v.wcdma.ecio / -2 }
      : v.gsm !== undefined
        ? { rssi: v.gsm }
        : {};
  return {
    ...serving,
    ...(v.nr5g ? { nr5g: { rsrp: v.nr5g.rsrp, snr: v.nr5g.snr / 10, ...(v.nr5gRsrq !== undefined ? { rsrq: v.nr5gRsrq } : {}) } } : {}),
  };
}
/** Whether signal info carries a measurement the manager keeps. */
const measured = (v: SignalInfo): boolean => v.lte !== undefined || v.wcdma !== undefined || v.gsm !== undefined;

const maskToPrefix = (mask: string): number => mask.split('.').reduce((n, o) => n + (Number(o) >>> 0).toString(2).replace(/0/g, '').length, 0);

export class QmiDriver extends EventEmitter<DriverEvents> implements ControlDriver {
  readonly protocol = 'qmi';
  readonly sms: QmiSms;
  /** Radio, network and SIM control on the clients the probe allocated. */
  readonly radio: QmiRadio;
  private dms!: QmiClient<typeof dms>;
  private nas!: QmiClient<typeof nas>;
  private uim!: QmiClient<typeof uim>;
  /** WDS for the LTE attach profile (radio control), allocated when first asked for. */
  /** Clients allocated when first needed (WDS for the LTE attach profile, PDC for carrier configurations). */
  private readonly lazyClients = new Map<number, Promise<QmiClient<AnyService>>>();
  /** One registration query at a time: indications while it runs ask for one more, not one each. */
  private registrationQuery: Promise<void> | undefined;
  private registrationStale = false;

  constructor(
    readonly device: QmiDevice,
    private readonly options: QmiDriverOptions,
  ) {
    super();
    this.sms = new QmiSms(device);
    this.radio = new QmiRadio(() => {
      if (!this.dms || !this.nas || !this.uim) throw new RadioError('wrong-state', 'the modem has not been probed yet');
      return { dms: this.dms, nas: this.nas, uim: this.uim, wds: () => this.lazyClient(wds), pdc: () => this.lazyClient(pdc) };
    }, options.radio);
    device.port.onClose((err) => this.emit('closed', err));
  }

  /** A client allocated once, when first asked for; a failed allocation is tried again next time. */
  private lazyClient<S extends AnyService>(service: S): Promise<QmiClient<S>> {
    let c = this.lazyClients.get(service.id);
    if (!c) {
      c = this.device.allocateClient(service).catch((e: unknown) => {
        this.lazyClients.delete(service.id);
        throw e;
      });
      this.lazyClients.set(service.id, c);
    }
    return c as Promise<QmiClient<S>>;
  }

  /** An indication storm costs at most two queries in flight, however many indications arrive. */
  private refreshRegistration(): void {
    if (this.registrationQuery) {
      this.registrationStale = true;
      return;
    }
    this.registrationQuery = this.registration()
      .then((r) => void this.emit('registration', r), () => undefined)
      .finally(() => {
        this.registrationQuery = undefined;
        if (!this.registrationStale) return;
        this.registrationStale = false;
        this.refreshRegistration();
      });
  }

  async probe(): Promise<ProbeResult> {
    this.dms ??= await this.device.allocateClient(dms);
    // Probed again after radio and SIM changes: the indication handlers are bound with the client, once.
    const bind = this.nas === undefined;
    this.nas ??= await this.device.allocateClient(nas);
    this.uim ??= await this.device.allocateClient(uim);
    const [manufacturer, model, revision, ids, hardware] = await Promise.all([
      this.dms.request(dms.messages.getManufacturer, {}),
      this.dms.request(dms.messages.getModel, {}),
      this.dms.request(dms.messages.getRevision, {}),
      this.dms.request(dms.messages.getIds, {}),
      // Optional in the protocol: a modem without it still probes.
      this.dms.request(dms.messages.getHardwareRevision, {}).then((r) => r.revision, () => undefined),
    ]);
    if (bind) {
      this.nas.on(nas.indications.servingSystem, () => this.refreshRegistration());
      this.nas.on(nas.indications.signalInfo, (v) => measured(v) && this.emit('signal', signalQuality(v)));
      await this.nas.request(nas.messages.registerIndications, { signalInfo: true, servingSystemEvents: true }).catch(() => undefined);
    }
    return {
      identity: { manufacturer: manufacturer.manufacturer, model: model.model, revision: revision.revision, imei: ids.imei ?? '', ...(hardware ? { hardwareRevision: hardware } : {}) },
      sim: await this.simStatus(),
      registration: await this.registration(),
      signal: await this.signal(),
    };
  }

  private async simStatus(): Promise<ProbeResult['sim']> {
    const r = await this.uim.request(uim.messages.getCardStatus, {});
    const card = r.cardStatus?.cards[0];
    const app = card?.applications[0];
    if (!card || card.cardState === 0) return { status: 'absent' };
    if (card.cardState === 2 || !app) return { status: 'error' };
    const status: SimStatus = app.state === 7 ? 'ready' : app.state === 2 ? 'pin-required' : app.state === 3 ? 'puk-required' : 'error';
    return { status, pinRetries: app.pin1Retries, pukRetries: app.puk1Retries, ...(status === 'ready' ? await this.simIdentity(app.applicationIdentifierValue) : {}) };
  }

  /**
   * ICCID (EF_ICCID, 2FE2 under the MF), and under the USIM ADF the IMSI (6F07), the MNC length (EF_AD,
   * 6FAD), the service provider name (EF_SPN, 6F46) and the group ids (EF_GID1/GID2, 6F3E/6F3F), as
   * ModemManager reads them; what cannot be read stays absent.
   */
  private async simIdentity(aid: readonly number[]): Promise<Omit<ProbeResult['sim'], 'status'>> {
    const read = async (fileId: number, filePath: number[], sessionType: number): Promise<number[] | undefined> => {
      try {
        const r = await this.uim.request(uim.messages.readTransparent, {
          session: { sessionType, applicationIdentifier: sessionType === 0 ? [] : [...aid] },
          file: { fileId, filePath },
          readInformation: { offset: 0, length: 0 },
        });
        return r.readResult;
      } catch {
        return undefined;
      }
    };
    const usim = [0x00, 0x3f, 0xff, 0x7f];
    const iccid = await read(0x2fe2, [0x00, 0x3f], 6);
    const imsi = await read(0x6f07, usim, 0);
    const [ad, spn, gid1, gid2] = [await read(0x6fad, usim, 0), await read(0x6f46, usim, 0), await read(0x6f3e, usim, 0), await read(0x6f3f, usim, 0)];
    // The SIM's own number (MSISDN), where the network provisioned one.
    const msisdn = await this.dms!.request(dms.messages.getMsisdn, {}).then((r) => r.msisdn, () => '');
    return {
      ...(msisdn ? { ownNumber: msisdn } : {}),
      ...(iccid ? { iccid: swappedBcdDigits(iccid) } : {}),
      // EF_IMSI: a length byte, then the parity nibble before the digits.
      ...(imsi && imsi.length > 1 ? { imsi: swappedBcdDigits(imsi.slice(1)).slice(1) } : {}),
      ...simFileValues(imsi && imsi.length > 1 ? swappedBcdDigits(imsi.slice(1)).slice(1) : undefined, ad, spn),
      ...(gid1 ? { gid1: Buffer.from(gid1).toString('hex') } : {}),
      ...(gid2 ? { gid2: Buffer.from(gid2).toString('hex') } : {}),
    };
  }

  private async registration(): Promise<Registration> {
    const r = await this.nas.request(nas.messages.getServingSystem, {});
    const s = r.servingSystem;
    const state: Registration['state'] =
      s.registrationState === NasRegistrationState.names.registered ? (r.roamingIndicator === 0 ? 'roaming' : 'home')
      : s.registrationState === NasRegistrationState.names['not-registered-searching'] ? 'searching'
      : s.registrationState === NasRegistrationState.names['registration-denied'] ? 'denied'
      : 'idle';
    const tech = s.radioInterfaces.includes(12) ? '5gnr' : s.radioInterfaces.includes(8) ? 'lte' : s.radioInterfaces.includes(5) ? 'umts' : s.radioInterfaces.includes(4) ? 'gsm' : undefined;
    const p = r.currentPlmn;
    const pcs = r.mncPcsDigitIncludeStatus?.includesPcsDigit;
    return {
      state,
      ...(p ? { operator: { mcc: String(p.mcc).padStart(3, '0'), mnc: String(p.mnc).padStart(pcs ? 3 : 2, '0'), name: p.description } } : {}),
      ...(tech ? { tech } : {}),
    };
  }

  private async signal(): Promise<ProbeResult['signal']> {
    try {
      const r = await this.nas.request(nas.messages.getSignalInfo, {});
      if (measured(r)) return signalQuality(r);
    } catch {
      // no service: no signal to report
    }
    return {};
  }

  async unlockPin(pin: string): Promise<{ unlocked: boolean; retries?: number }> {
    const aid = (await this.uim.request(uim.messages.getCardStatus, {})).cardStatus?.cards[0]?.applications[0]?.applicationIdentifierValue ?? [];
    try {
      const r = await this.uim.request(uim.messages.verifyPin, { session: { sessionType: 0, applicationIdentifier: aid }, info: { pinId: 1, pinValue: pin } });
      return { unlocked: true, retries: r.retriesRemaining?.verifyRetriesLeft };
    } catch (e) {
      // The PIN itself never goes into the error: only what the modem said.
      if (e instanceof QmiProtocolErrorResponse) return { unlocked: false, retries: (e.values.retriesRemaining as { verifyRetriesLeft: number } | undefined)?.verifyRetriesLeft };
      throw e;
    }
  }

  async unblockPin(puk: string, newPin: string): Promise<{ unlocked: boolean; retries?: number }> {
    const aid = (await this.uim.request(uim.messages.getCardStatus, {})).cardStatus?.cards[0]?.applications[0]?.applicationIdentifierValue ?? [];
    try {
      const r = await this.uim.request(uim.messages.unblockPin, { session: { sessionType: 0, applicationIdentifier: aid }, info: { pinId: 1, pukValue: puk, newPinValue: newPin } });
      return { unlocked: true, retries: r.retriesRemaining?.unblockRetriesLeft };
    } catch (e) {
      // What the modem said, never the codes.
      if (e instanceof QmiProtocolErrorResponse) return { unlocked: false, retries: (e.values.retriesRemaining as { unblockRetriesLeft: number } | undefined)?.unblockRetriesLeft };
      throw e;
    }
  }

  async setupData(multiplex: boolean): Promise<DataSetup> {
    if (this.options.pipe === 'bam-dmux') return { format: BAM_DMUX_PIPE_FORMAT, linkIds: multiplex ? [1, 2, 3, 4, 5, 6, 7, 0] : [0] };
    const wdaClient = await this.device.allocateClient(wda);
    try {
      const endpointInfo = this.endpointInfo();
      const agg = multiplex ? WdaDataAggregationProtocol.names[this.options.qmap ?? 'qmapv5'] : WdaDataAggregationProtocol.names.disabled;
      const r = await wdaClient.request(wda.messages.setDataFormat, {
        linkLayerProtocol: 2,
        uplinkDataAggregationProtocol: agg,
        downlinkDataAggregationProtocol: agg,
        ...(multiplex ? { downlinkDataAggregationMaxDatagrams: 32, downlinkDataAggregationMaxSize: 32768, endpointInfo } : {}),
      });
      return {
        format: this.pipeFormat(r, multiplex),
        linkIds: multiplex ? Array.from({ length: 8 }, (_, i) => i + 1) : [0],
        ...(multiplex && r.downlinkDataAggregationMaxSize ? { downlinkMaxSize: r.downlinkDataAggregationMaxSize } : {}),
      };
    } finally {
      await wdaClient.release().catch(() => undefined);
    }
  }

  private endpointInfo(): { endpointType: number; interfaceNumber: number } {
    return { endpointType: ENDPOINT_TYPE[this.options.pipe], interfaceNumber: this.options.interfaceNumber ?? (this.options.pipe === 'ipa' ? 1 : 4) };
  }

  /** The host's framing from what the modem answered: its QMAP version and its uplink limits. */
  private pipeFormat(r: { downlinkDataAggregationProtocol?: number; uplinkDataAggregationMaxDatagrams?: number; uplinkDataAggregationMaxSize?: number }, multiplex: boolean): PipeFormat {
    const dl = r.downlinkDataAggregationProtocol ?? 0;
    if (multiplex && dl === 0) throw new ConnectError('the modem refused QMAP aggregation; multiplexing is not possible', '');
    const names = WdaDataAggregationProtocol.names;
    const protocol: AggregationProtocol = !multiplex || dl === 0 ? 'none' : dl === names.qmapv5 ? 'qmapv5' : dl === names.qmapv4 ? 'qmapv4' : 'qmap';
    const maxDatagrams = r.uplinkDataAggregationMaxDatagrams ?? 1;
    return qmiPipeFormat({ protocol, maxDatagrams, maxBytes: r.uplinkDataAggregationMaxSize ?? 4096, qmimux: dl === names.qmap && (r.uplinkDataAggregationMaxDatagrams ?? 0) <= 1, timeLimitMs: 0.8 });
  }

  async connect(req: DriverConnect): Promise<DriverSession> {
    const families: (4 | 6)[] = req.ipType === 'ipv4v6' ? [4, 6] : req.ipType === 'ipv6' ? [6] : [4];
    const session: QmiSession = { clients: [], established: false };
    // A call can end before the connect has finished (the indication may even share a read with
    // the response): that connect fails, rather than hand over a session that is already gone.
    const stillUp = (): void => {
      if (session.endedEarly) throw new ConnectError(`the call to APN ${req.apn} ended while connecting (${session.endedEarly})`, req.apn);
    };
    let ipv4: Ipv4Config | undefined;
    let ipv6: Ipv6Config | undefined;
    try {
      for (const family of families) {
        const client = await this.device.allocateClient(wds);
        session.clients.push({ client, handle: 0 });
        const entry = session.clients.at(-1)!;
        client.on(wds.indications.packetServiceStatus, (v) => {
          if (v.connectionStatus.status !== 1) return;
          const reason = `call ended (reason ${v.callEndReason ?? 'unknown'})`;
          if (!session.established) {
            session.endedEarly ??= reason;
          } else if (entry.handle !== 0) {
            entry.handle = 0;
            // The session is over: its other call (dual stack) stops and every client id goes back.
            void this.stop(session);
            this.emit('sessionLost', session, reason);
          }
        });
        if (req.linkId > 0 || this.options.pipe === 'bam-dmux') {
          await client.request(wds.messages.bindMuxDataPort, {
            endpointInfo: this.endpointInfo(),
            muxId: req.linkId,
            clientType: 1,
          });
        }
        await client.request(wds.messages.setIpFamily, { preference: family });
        const auth = req.auth === 'pap' ? 1 : req.auth === 'chap' ? 2 : req.auth === 'both' ? 3 : undefined;
        let started;
        try {
          started = await client.request(
            wds.messages.startNetwork,
            { apn: req.apn, ipFamilyPreference: family, ...(auth !== undefined ? { authenticationPreference: auth } : {}), ...(req.user ? { username: req.user } : {}), ...(req.password ? { password: req.password } : {}) },
            { timeoutMs: this.options.startTimeoutMs ?? 180_000 },
          );
        } catch (e) {
          if (e instanceof QmiTimeoutError) throw new ConnectError(`no answer from the modem: ${e.message}`, req.apn, { cause: e });
          throw new ConnectError(`the network refused APN ${req.apn}: ${callEndText(e)}`, req.apn, { cause: e });
        }
        entry.handle = started.packetDataHandle;
        stillUp();
        const s = await client.request(wds.messages.getCurrentSettings, { requestedSettings: 0xe330 });
        stillUp();
        if (family === 4 && s.ipv4Address) {
          ipv4 = { address: s.ipv4Address, prefix: s.ipv4GatewaySubnetMask ? maskToPrefix(s.ipv4GatewaySubnetMask) : 32, gateway: s.ipv4GatewayAddress, dns: [s.primaryIpv4DnsAddress, s.secondaryIpv4DnsAddress].filter((x): x is string => !!x), mtu: s.mtu };
        }
        if (family === 6 && s.ipv6Address) {
          ipv6 = { address: s.ipv6Address.address, prefix: s.ipv6Address.prefixLength, gateway: s.ipv6GatewayAddress?.address, dns: [s.ipv6PrimaryDnsAddress, s.ipv6SecondaryDnsAddress].filter((x): x is string => !!x), mtu: s.mtu };
        }
      }
      stillUp();
    } catch (e) {
      await this.stop(session);
      throw e;
    }
    session.established = true;
    return { token: session, apn: req.apn, linkId: req.linkId, ...(ipv4 ? { ipv4 } : {}), ...(ipv6 ? { ipv6 } : {}) };
  }

  async sessionAlive(session: DriverSession): Promise<boolean | undefined> {
    const s = session.token as QmiSession;
    try {
      for (const entry of s.clients) {
        if (entry.handle === 0) return false;
        const r = await entry.client.request(wds.messages.getPacketServiceStatus, {});
        if (r.connectionStatus !== 2) {
          void this.stop(s);
          return false;
        }
      }
      return s.clients.length > 0;
    } catch {
      return undefined;
    }
  }

  async disconnect(session: DriverSession, opts: { timeoutMs?: number } = {}): Promise<void> {
    await this.stop(session.token as QmiSession, opts.timeoutMs);
  }

  /** Stops every call of the session and releases its clients; what is already gone is not an error. */
  private async stop(session: QmiSession, timeoutMs?: number): Promise<void> {
    const entries = session.clients;
    session.clients = [];
    // Both families at once.
    await Promise.all(
      entries.map(async (entry) => {
        const handle = entry.handle;
        entry.handle = 0;
        if (handle !== 0) await entry.client.request(wds.messages.stopNetwork, { packetDataHandle: handle }, { timeoutMs }).catch(() => undefined);
        await this.device.releaseClient(entry.client as unknown as QmiClient<AnyService>, timeoutMs).catch(() => undefined);
      }),
    );
  }

  async close(): Promise<void> {
    await this.device.close();
  }
}

/** The call-end reason as people read it: `CallFailed: unknown-apn (3GPP 27)`. */
function callEndText(e: unknown): string {
  if (!(e instanceof QmiProtocolErrorResponse)) return (e as Error).message;
  const v = e.values as { verboseCallEndReason?: { type: number; reason: number } };
  const r = v.verboseCallEndReason;
  if (!r) return e.errorName;
  const name = r.type === 6 ? Object.entries(WdsVerboseCallEndReason3gpp.names).find(([, n]) => n === r.reason)?.[0] : undefined;
  return `${e.errorName}: ${name ?? `reason ${r.reason}`}${r.type === 6 ? ` (3GPP cause ${r.reason})` : ''}`;
}
