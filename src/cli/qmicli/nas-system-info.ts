/** qmicli's `--nas-get-system-info`: the per-technology service sections of NAS Get System Info. */
import {
  nas,
  NasCallBarringStatus,
  NasCellBroadcastCapability,
  NasHdrPersonality,
  NasHdrProtocolRevision,
  NasLteCellAccessStatus,
  NasLteRegistrationDomain,
  NasNetworkSelectionRegistrationRestriction,
  NasNetworkServiceDomain,
  NasRejectCause,
  NasRoamingStatus,
  NasServiceStatus,
  NasSimRejectState,
  NasWcdmaHsService,
} from '../../qmi/services/nas.js';
import type { ResponseOf } from '../../qmi/schema.js';
import { action, ask, q, yesNo } from './action.js';

/** A value's name, or "(null)" as glibc prints the NULL libqmi gives for a value it has no name for. */
const enumName = (codec: { names: Record<string, number> }, v: number): string =>
  Object.entries(codec.names).find(([, n]) => n === v)?.[0] ?? '(null)';

type SystemInfo = ResponseOf<typeof nas.messages.getSystemInfo>;
type Status = NonNullable<SystemInfo['gsmServiceStatus']>;
type Common = Omit<NonNullable<SystemInfo['lteSystemInfo']>, 'tacValid' | 'tac'>;
type Service = Pick<Common, 'domainValid' | 'domain' | 'serviceCapabilityValid' | 'serviceCapability' | 'roamingStatusValid' | 'roamingStatus' | 'forbiddenValid' | 'forbidden'>;
type Common3gpp2 = Service & Pick<NonNullable<SystemInfo['hdrSystemInfo']>, 'prlMatchValid' | 'prlMatch'>;

const status = (s: Status): string =>
  `\t\tStatus: ${q(enumName(NasServiceStatus, s.serviceStatus))}\n` +
  `\t\tTrue Status: ${q(enumName(NasServiceStatus, s.trueServiceStatus))}\n` +
  `\t\tPreferred data path: ${q(yesNo(s.preferredDataPath))}\n`;
/** CDMA 1x and HDR report no true status. */
const status3gpp2 = (s: NonNullable<SystemInfo['cdmaServiceStatus']>): string =>
  `\t\tStatus: ${q(enumName(NasServiceStatus, s.serviceStatus))}\n\t\tPreferred data path: ${q(yesNo(s.preferredDataPath))}\n`;

/** The MNC has two digits when its third byte is 0xFF. */
const networkId = (i: { mcc: string; mnc: string }): string => `\t\tMCC: ${q(i.mcc)}\n\t\tMNC: ${q(/^[0-9]$/.test(i.mnc[2] ?? '') ? i.mnc.slice(0, 3) : i.mnc.slice(0, 2))}\n`;
const geoIndex = (n: number): string => (n === 0xffff ? '' : `\t\tGeo system index: '${n}'\n`);
const callBarring = (cs: number, ps: number): string =>
  `\t\tCall barring status (CS): ${q(enumName(NasCallBarringStatus, cs))}\n\t\tCall barring status (PS): ${q(enumName(NasCallBarringStatus, ps))}\n`;
const cipher = (d: number): string => `\t\tCipher Domain: ${q(enumName(NasNetworkServiceDomain, d))}\n`;
const broadcast = (b: number): string => `\t\tCell broadcast support: ${q(enumName(NasCellBroadcastCapability, b))}\n`;

/** The fields every system-info TLV starts with, each only where its valid flag is set. */
function serviceLines(i: Service): string {
  let out = '';
  if (i.domainValid) out += `\t\tDomain: ${q(enumName(NasNetworkServiceDomain, i.domain))}\n`;
  if (i.serviceCapabilityValid) out += `\t\tService capability: ${q(enumName(NasNetworkServiceDomain, i.serviceCapability))}\n`;
  if (i.roamingStatusValid) out += `\t\tRoaming status: ${q(enumName(NasRoamingStatus, i.roamingStatus))}\n`;
  if (i.forbiddenValid) out += `\t\tForbidden: ${q(yesNo(i.forbidden))}\n`;
  return out;
}

/** The fields CDMA 1x and HDR share. */
const common3gpp2 = (i: Common3gpp2): string => serviceLines(i) + (i.prlMatchValid ? `\t\tPRL match: ${q(yesNo(i.prlMatch))}\n` : '');

/** WCDMA's and TD-SCDMA's HS call status and service. */
function hsLines(i: Pick<NonNullable<SystemInfo['wcdmaSystemInfo']>, 'hsCallStatusValid' | 'hsCallStatus' | 'hsServiceValid' | 'hsService'>): string {
  let out = '';
  if (i.hsCallStatusValid) out += `\t\tHS call status: ${q(enumName(NasWcdmaHsService, i.hsCallStatus))}\n`;
  if (i.hsServiceValid) out += `\t\tHS service: ${q(enumName(NasWcdmaHsService, i.hsService))}\n`;
  return out;
}

/** Latitude and longitude come in 0.25 arc seconds; qmicli prints degrees with %lf. */
const degrees = (quarterSeconds: number): string => ((quarterSeconds * 0.25) / 3600).toFixed(6);

function cdmaSection(r: SystemInfo): string {
  if (!r.cdmaServiceStatus) return '';
  let out = `\tCDMA 1x service:\n${status3gpp2(r.cdmaServiceStatus)}`;
  const c = readable(r.cdmaSystemInfo);
  if (c) {
    out += common3gpp2(c);
    if (c.pRevValid) out += `\t\tP-Rev: '${c.pRev}'\n`;
    if (c.baseStationPRevValid) out += `\t\tBase station P-Rev: '${c.baseStationPRev}'\n`;
    if (c.concurrentServiceSupportValid) out += `\t\tConcurrent service support: ${q(yesNo(c.concurrentServiceSupport))}\n`;
    if (c.cdmaSystemIdValid) out += `\t\tSID: '${c.sid}'\n\t\tNID: '${c.nid}'\n`;
    if (c.baseStationInfoValid) {
      out += `\t\tBase station ID: '${c.baseStationId}'\n\t\tBase station latitude: '${degrees(c.baseStationLatitude)}'º\n\t\tBase station longitude: '${degrees(c.baseStationLongitude)}'º\n`;
    }
    if (c.packetZoneValid) out += `\t\tPacket zone: '${c.packetZone}'\n`;
    if (c.networkIdValid) out += networkId(c);
  }
  const a = r.additionalCdmaSystemInfo;
  if (a) out += geoIndex(a.geoSystemIndex) + (a.registrationPeriod === 0xffff ? '' : `\t\tRegistration period: '${a.registrationPeriod}'\n`);
  return out;
}

function hdrSection(r: SystemInfo): string {
  if (!r.hdrServiceStatus) return '';
  let out = `\tCDMA 1xEV-DO (HDR) service:\n${status3gpp2(r.hdrServiceStatus)}`;
  const h = r.hdrSystemInfo && readableText(r.hdrSystemInfo.is856SystemId) ? r.hdrSystemInfo : undefined;
  if (h) {
    out += common3gpp2(h);
    if (h.personalityValid) out += `\t\tPersonality: ${q(enumName(NasHdrPersonality, h.personality))}\n`;
    if (h.protocolRevisionValid) out += `\t\tProtocol revision: ${q(enumName(NasHdrProtocolRevision, h.protocolRevision))}\n`;
    if (h.is856SystemIdValid) out += `\t\tIS-856 system ID: ${q(h.is856SystemId)}\n`;
  }
  if (r.additionalHdrSystemInfo) out += geoIndex(r.additionalHdrSystemInfo.geoSystemIndex);
  return out;
}

function tdscdmaSection(r: SystemInfo): string {
  if (!r.tdscdmaServiceStatus) return '';
  let out = `\tTD-SCDMA service:\n${status(r.tdscdmaServiceStatus)}`;
  const t = readable(r.tdscdmaSystemInfo);
  if (t) {
    out += common(t) + hsLines(t);
    if (t.cellParameterIdValid) out += `\t\tCell parameter ID: '${t.cellParameterId}'\n`;
    if (t.cellBroadcastSupportValid) out += broadcast(t.cellBroadcastSupport);
    if (t.csCallBarringStatusValid) out += `\t\tCall barring status (CS): ${q(enumName(NasCallBarringStatus, t.csCallBarringStatus))}\n`;
    if (t.psCallBarringStatusValid) out += `\t\tCall barring status (PS): ${q(enumName(NasCallBarringStatus, t.psCallBarringStatus))}\n`;
    if (t.cipherDomainValid) out += cipher(t.cipherDomain);
  }
  return out;
}

/**
 * The fields every 3GPP section shares, each only where its valid flag is set (MNC of two digits when
 * the third is 0xFF); the reject cause by name, but in the NR5G section (libqmi has it a plain number).
 */
function common(i: Common, cause: (v: number) => string = (v) => enumName(NasRejectCause, v)): string {
  let out = serviceLines(i);
  if (i.lacValid) out += `\t\tLocation Area Code: '${i.lac}'\n`;
  if (i.cidValid) out += `\t\tCell ID: '${i.cid}'\n`;
  if (i.registrationRejectInfoValid) {
    out += `\t\tRegistration reject: ${q(enumName(NasNetworkServiceDomain, i.registrationRejectDomain))} (${cause(i.registrationRejectCause)})\n`;
  }
  if (i.networkIdValid) out += networkId(i);
  return out;
}

/**
 * libqmi reads MCC and MNC as UTF-8 and keeps a valid prefix, but fails the whole TLV when there is
 * none (a NUL or a non-ASCII byte first, as in an unset id of 0xFF or 0x00 bytes): qmicli then prints
 * nothing of it.
 */
const readableText = (s: string): boolean => s.length > 0 && s.charCodeAt(0) !== 0 && s.charCodeAt(0) < 0x80;
function readable<T extends { mcc: string; mnc: string }>(i: T | undefined): T | undefined {
  return i && readableText(i.mcc) && readableText(i.mnc) ? i : undefined;
}

export const nasSystemInfoAction = action({
  option: { long: 'nas-get-system-info', arg: 'none' },
  service: nas,
  async run(ctx) {
    ctx.print(systemInfoText(ctx.tag, await ask('get system info', ctx.client.request(nas.messages.getSystemInfo, {}))));
  },
});

/** The response as qmicli prints it; every TLV optional, so any decoded response prints. */
export function systemInfoText(tag: string, r: SystemInfo): string {
    let out = `${tag} Successfully got system info:\n${cdmaSection(r)}${hdrSection(r)}`;
    if (r.gsmServiceStatus) {
      out += `\tGSM service:\n${status(r.gsmServiceStatus)}`;
      const g = readable(r.gsmSystemInfo);
      if (g) {
        out += common(g);
        if (g.egprsSupportValid) out += `\t\tE-GPRS supported: ${q(yesNo(g.egprsSupport))}\n`;
        if (g.dtmSupportValid) out += `\t\tDual Transfer Mode supported: ${q(yesNo(g.dtmSupport))}\n`;
      }
      out += extras3gpp(r.additionalGsmSystemInfo, r.gsmCallBarringStatus, r.gsmCipherDomain);
    }
    if (r.wcdmaServiceStatus) {
      out += `\tWCDMA service:\n${status(r.wcdmaServiceStatus)}`;
      const w = readable(r.wcdmaSystemInfo);
      if (w) {
        out += common(w) + hsLines(w);
        if (w.primaryScramblingCodeValid) out += `\t\tPrimary scrambling code: '${w.primaryScramblingCode}'\n`;
      }
      out += extras3gpp(r.additionalWcdmaSystemInfo, r.wcdmaCallBarringStatus, r.wcdmaCipherDomain);
    }
    if (r.lteServiceStatus) {
      out += `\tLTE service:\n${status(r.lteServiceStatus)}`;
      const l = readable(r.lteSystemInfo);
      if (l) {
        out += common(l);
        if (l.tacValid) out += `\t\tTracking Area Code: '${l.tac}'\n`;
      }
      if (r.additionalLteSystemInfo) out += geoIndex(r.additionalLteSystemInfo.geoSystemIndex);
      if (r.lteVoiceSupport !== undefined) out += `\t\tVoice support: ${q(yesNo(r.lteVoiceSupport))}\n`;
      if (r.imsVoiceSupport !== undefined) out += `\t\tIMS voice support: ${q(yesNo(r.imsVoiceSupport))}\n`;
      if (r.lteEmbmsCoverageInfoSupport !== undefined) out += `\t\teMBMS coverage info support: ${q(yesNo(r.lteEmbmsCoverageInfoSupport))}\n`;
      if (r.lteEmbmsCoverageInfoTraceId !== undefined) out += `\t\teMBMS coverage info trace ID: '${r.lteEmbmsCoverageInfoTraceId}'\n`;
      if (r.lteCellAccessStatus !== undefined) out += `\t\tCell access: ${q(enumName(NasLteCellAccessStatus, r.lteCellAccessStatus))}\n`;
      if (r.networkSelectionRegistrationRestriction !== undefined) {
        out += `\t\tRegistration restriction: ${q(enumName(NasNetworkSelectionRegistrationRestriction, r.networkSelectionRegistrationRestriction))}\n`;
      }
      if (r.lteRegistrationDomain !== undefined) out += `\t\tRegistration domain: ${q(enumName(NasLteRegistrationDomain, r.lteRegistrationDomain))}\n`;
      if (r.eutraWithNr5gAvailability !== undefined) out += `\t\t5G NSA Available: ${q(yesNo(r.eutraWithNr5gAvailability))}\n`;
      if (r.dcnrRestriction !== undefined) out += `\t\tDCNR Restriction: ${q(yesNo(r.dcnrRestriction))}\n`;
    }
    out += tdscdmaSection(r);
    if (r.nr5gServiceStatus) {
      out += `\t5G SA service:\n${status(r.nr5gServiceStatus)}`;
      const n = readable(r.nr5gSystemInfo);
      if (n) {
        out += common(n, String);
        if (n.tacValid) out += `\t\tTracking Area Code: '${n.tac}'\n`;
      }
    }
    const tac = r.nr5gTrackingAreaCode;
    if (tac) out += `\t5GNR Tracking Area Code: '${((tac[0]! << 16) | (tac[1]! << 8) | tac[2]!) >>> 0}'\n`;
    if (r.simRejectInfo !== undefined) out += `\tSIM reject info: ${q(enumName(NasSimRejectState, r.simRejectInfo))}\n`;
    return out;
}

/** GSM's and WCDMA's additional info (geo system index, cell broadcast), call barring and cipher domain. */
function extras3gpp(a: SystemInfo['additionalGsmSystemInfo'], barring: SystemInfo['gsmCallBarringStatus'], cipherDomain: number | undefined): string {
  let out = a ? geoIndex(a.geoSystemIndex) + broadcast(a.cellBroadcastSupport) : '';
  if (barring) out += callBarring(barring.csStatus, barring.psStatus);
  if (cipherDomain !== undefined) out += cipher(cipherDomain);
  return out;
}
