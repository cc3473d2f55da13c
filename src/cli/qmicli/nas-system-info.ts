/** qmicli's `--nas-get-system-info`: the per-technology service sections of NAS Get System Info. */
import {
  nas,
  NasNetworkServiceDomain,
  NasRejectCause,
  NasRoamingStatus,
  NasServiceStatus,
  NasWcdmaHsService,
} from '../../qmi/services/nas.js';
import type { ResponseOf } from '../../qmi/schema.js';
import { action, ask, enumName, q, yesNo } from './action.js';

type SystemInfo = ResponseOf<typeof nas.messages.getSystemInfo>;
type Status = NonNullable<SystemInfo['gsmServiceStatus']>;
type Common = Omit<NonNullable<SystemInfo['lteSystemInfo']>, 'tacValid' | 'tac'>;

const status = (s: Status): string =>
  `\t\tStatus: ${q(enumName(NasServiceStatus, s.serviceStatus))}\n` +
  `\t\tTrue Status: ${q(enumName(NasServiceStatus, s.trueServiceStatus))}\n` +
  `\t\tPreferred data path: ${q(yesNo(s.preferredDataPath))}\n`;

/** The fields every 3GPP section shares, each only where its valid flag is set (MNC of two digits when the third is 0xFF). */
function common(i: Common): string {
  let out = '';
  if (i.domainValid) out += `\t\tDomain: ${q(enumName(NasNetworkServiceDomain, i.domain))}\n`;
  if (i.serviceCapabilityValid) out += `\t\tService capability: ${q(enumName(NasNetworkServiceDomain, i.serviceCapability))}\n`;
  if (i.roamingStatusValid) out += `\t\tRoaming status: ${q(enumName(NasRoamingStatus, i.roamingStatus))}\n`;
  if (i.forbiddenValid) out += `\t\tForbidden: ${q(yesNo(i.forbidden))}\n`;
  if (i.lacValid) out += `\t\tLocation Area Code: '${i.lac}'\n`;
  if (i.cidValid) out += `\t\tCell ID: '${i.cid}'\n`;
  if (i.registrationRejectInfoValid) {
    out += `\t\tRegistration reject: ${q(enumName(NasNetworkServiceDomain, i.registrationRejectDomain))} (${enumName(NasRejectCause, i.registrationRejectCause)})\n`;
  }
  if (i.networkIdValid) {
    out += `\t\tMCC: ${q(i.mcc)}\n\t\tMNC: ${q(/^[0-9]$/.test(i.mnc[2] ?? '') ? i.mnc.slice(0, 3) : i.mnc.slice(0, 2))}\n`;
  }
  return out;
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
      const g = r.gsmSystemInfo;
      if (g) {
        out += common(g);
        if (g.egprsSupportValid) out += `\t\tE-GPRS supported: ${q(yesNo(g.egprsSupport))}\n`;
        if (g.dtmSupportValid) out += `\t\tDual Transfer Mode supported: ${q(yesNo(g.dtmSupport))}\n`;
      }
    }
    if (r.wcdmaServiceStatus) {
      out += `\tWCDMA service:\n${status(r.wcdmaServiceStatus)}`;
      const w = r.wcdmaSystemInfo;
      if (w) {
        out += common(w);
        if (w.hsCallStatusValid) out += `\t\tHS call status: ${q(enumName(NasWcdmaHsService, w.hsCallStatus))}\n`;
        if (w.hsServiceValid) out += `\t\tHS service: ${q(enumName(NasWcdmaHsService, w.hsService))}\n`;
        if (w.primaryScramblingCodeValid) out += `\t\tPrimary scrambling code: '${w.primaryScramblingCode}'\n`;
      }
    }
    if (r.lteServiceStatus) {
      out += `\tLTE service:\n${status(r.lteServiceStatus)}`;
      const l = r.lteSystemInfo;
      if (l) {
        out += common(l);
        if (l.tacValid) out += `\t\tTracking Area Code: '${l.tac}'\n`;
      }
      if (r.lteVoiceSupport !== undefined) out += `\t\tVoice support: ${q(yesNo(r.lteVoiceSupport))}\n`;
    }
    return out;
}
