/** qmicli's `--nas-get-system-info`: the per-technology service sections of NAS Get System Info. */
import {
  nas,
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

const status = (s: Status): string =>
  `\t\tStatus: ${q(enumName(NasServiceStatus, s.serviceStatus))}\n` +
  `\t\tTrue Status: ${q(enumName(NasServiceStatus, s.trueServiceStatus))}\n` +
  `\t\tPreferred data path: ${q(yesNo(s.preferredDataPath))}\n`;

/**
 * The fields every 3GPP section shares, each only where its valid flag is set (MNC of two digits when
 * the third is 0xFF); the reject cause by name, but in the NR5G section (libqmi has it a plain number).
 */
function common(i: Common, cause: (v: number) => string = (v) => enumName(NasRejectCause, v)): string {
  let out = '';
  if (i.domainValid) out += `\t\tDomain: ${q(enumName(NasNetworkServiceDomain, i.domain))}\n`;
  if (i.serviceCapabilityValid) out += `\t\tService capability: ${q(enumName(NasNetworkServiceDomain, i.serviceCapability))}\n`;
  if (i.roamingStatusValid) out += `\t\tRoaming status: ${q(enumName(NasRoamingStatus, i.roamingStatus))}\n`;
  if (i.forbiddenValid) out += `\t\tForbidden: ${q(yesNo(i.forbidden))}\n`;
  if (i.lacValid) out += `\t\tLocation Area Code: '${i.lac}'\n`;
  if (i.cidValid) out += `\t\tCell ID: '${i.cid}'\n`;
  if (i.registrationRejectInfoValid) {
    out += `\t\tRegistration reject: ${q(enumName(NasNetworkServiceDomain, i.registrationRejectDomain))} (${cause(i.registrationRejectCause)})\n`;
  }
  if (i.networkIdValid) {
    out += `\t\tMCC: ${q(i.mcc)}\n\t\tMNC: ${q(/^[0-9]$/.test(i.mnc[2] ?? '') ? i.mnc.slice(0, 3) : i.mnc.slice(0, 2))}\n`;
  }
  return out;
}

/**
 * libqmi reads MCC and MNC as UTF-8 and keeps a valid prefix, but fails the whole TLV when there is
 * none (a NUL or a non-ASCII byte first, as in an unset id of 0xFF or 0x00 bytes): qmicli then prints
 * nothing of it.
 */
function readable<T extends { mcc: string; mnc: string }>(i: T | undefined): T | undefined {
  const ok = (s: string): boolean => s.length > 0 && s.charCodeAt(0) !== 0 && s.charCodeAt(0) < 0x80;
  return i && ok(i.mcc) && ok(i.mnc) ? i : undefined;
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
    let out = `${tag} Successfully got system info:\n`;
    if (r.gsmServiceStatus) {
      out += `\tGSM service:\n${status(r.gsmServiceStatus)}`;
      const g = readable(r.gsmSystemInfo);
      if (g) {
        out += common(g);
        if (g.egprsSupportValid) out += `\t\tE-GPRS supported: ${q(yesNo(g.egprsSupport))}\n`;
        if (g.dtmSupportValid) out += `\t\tDual Transfer Mode supported: ${q(yesNo(g.dtmSupport))}\n`;
      }
    }
    if (r.wcdmaServiceStatus) {
      out += `\tWCDMA service:\n${status(r.wcdmaServiceStatus)}`;
      const w = readable(r.wcdmaSystemInfo);
      if (w) {
        out += common(w);
        if (w.hsCallStatusValid) out += `\t\tHS call status: ${q(enumName(NasWcdmaHsService, w.hsCallStatus))}\n`;
        if (w.hsServiceValid) out += `\t\tHS service: ${q(enumName(NasWcdmaHsService, w.hsService))}\n`;
        if (w.primaryScramblingCodeValid) out += `\t\tPrimary scrambling code: '${w.primaryScramblingCode}'\n`;
      }
    }
    if (r.lteServiceStatus) {
      out += `\tLTE service:\n${status(r.lteServiceStatus)}`;
      const l = readable(r.lteSystemInfo);
      if (l) {
        out += common(l);
        if (l.tacValid) out += `\t\tTracking Area Code: '${l.tac}'\n`;
      }
      if (r.lteVoiceSupport !== undefined) out += `\t\tVoice support: ${q(yesNo(r.lteVoiceSupport))}\n`;
      if (r.eutraWithNr5gAvailability !== undefined) out += `\t\t5G NSA Available: ${q(yesNo(r.eutraWithNr5gAvailability))}\n`;
      if (r.dcnrRestriction !== undefined) out += `\t\tDCNR Restriction: ${q(yesNo(r.dcnrRestriction))}\n`;
    }
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
