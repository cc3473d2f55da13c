/**
 * WDS's profile database and data defaults: profiles created, modified, deleted and read (3GPP only,
 * as a 3GPP modem has), the default profile a call without one uses, the LTE attach profiles, and
 * the autoconnect setting. Refusals carry the modem's profile error (TLV 0xE0), as modems send them.
 */
import { QmiProtocolError, QmiProtocolErrorResponse } from '../qmi/errors.js';
import type { RequestOf } from '../qmi/schema.js';
import { wds, WdsAuthentication, WdsAutoconnectSetting, WdsAutoconnectSettingRoaming, WdsDsProfileError, WdsIpSupportType, WdsPdpType, WdsProfileType } from '../qmi/services/wds.js';
import type { IpFamily, ModemFirmware, Profile } from './firmware.js';
import type { QmiDeviceEndpoint } from './qmi-endpoint.js';

/** How many profiles the modem's database holds, and how many of them it may attach to LTE with. */
export const MAX_PROFILES = 16;
export const MAX_ATTACH_PDNS = 2;

const profileError = (error: keyof typeof WdsDsProfileError.names): QmiProtocolErrorResponse =>
  new QmiProtocolErrorResponse(QmiProtocolError.ExtendedInternal, 'simulated', { extendedErrorCode: WdsDsProfileError.names[error] });

const PDP_FAMILY: Record<number, IpFamily> = { [WdsPdpType.names.ipv4]: 'ipv4', [WdsPdpType.names.ipv6]: 'ipv6', [WdsPdpType.names['ipv4-or-ipv6']]: 'ipv4v6' };
const FAMILY_PDP: Record<IpFamily, number> = { ipv4: WdsPdpType.names.ipv4, ipv6: WdsPdpType.names.ipv6, ipv4v6: WdsPdpType.names['ipv4-or-ipv6'] };
const AUTH: Record<NonNullable<Profile['auth']>, number> = { none: 0, pap: WdsAuthentication.names.pap, chap: WdsAuthentication.names.chap, both: WdsAuthentication.names.pap | WdsAuthentication.names.chap };
const nameOf = <N extends Record<string, number>>(names: N, v: number): (keyof N & string) | undefined => (Object.keys(names) as (keyof N & string)[]).find((k) => names[k] === v);
const authFrom = (v: number): Profile['auth'] => (Object.entries(AUTH).find(([, n]) => n === (v & 3))?.[0] ?? 'none') as Profile['auth'];

type ProfileChange = Omit<RequestOf<typeof wds.messages.modifyProfile>, 'profileIdentifier'>;

/** Applies the settings a Create or Modify Profile carries; a PDP type the modem has no family for (PPP) is refused. */
function apply(p: Profile, v: ProfileChange): void {
  if (v.pdpType !== undefined) {
    const family = PDP_FAMILY[v.pdpType];
    if (!family) throw profileError('invalid-argument');
    p.family = family;
  }
  if (v.profileName !== undefined) p.name = v.profileName;
  if (v.apnName !== undefined) p.apn = v.apnName;
  if (v.username !== undefined) p.username = v.username;
  if (v.password !== undefined) p.password = v.password;
  if (v.authentication !== undefined) p.auth = authFrom(v.authentication);
  if (v.pdpContextNumber !== undefined) p.contextNumber = v.pdpContextNumber;
  if (v.roamingDisallowedFlag !== undefined) p.noRoaming = v.roamingDisallowedFlag;
  if (v.apnDisabledFlag !== undefined) p.disabled = v.apnDisabledFlag;
}

/** A profile's settings as Get Profile Settings and Get Default Settings return them (the password too: it is the host's own). */
const settingsOf = (p: Profile) => ({
  profileName: p.name,
  pdpType: FAMILY_PDP[p.family],
  apnName: p.apn,
  pdpContextNumber: p.contextNumber ?? p.index,
  ...(p.username !== undefined ? { username: p.username } : {}),
  ...(p.password !== undefined ? { password: p.password } : {}),
  authentication: AUTH[p.auth ?? 'none'],
  roamingDisallowedFlag: p.noRoaming ?? false,
  apnDisabledFlag: p.disabled ?? false,
});

export function serveQmiWdsProfiles(ep: QmiDeviceEndpoint, fw: ModemFirmware): void {
  const w = wds.messages;
  const settings = fw.dataSettings;
  const only3gpp = (type: number): void => {
    if (type !== WdsProfileType.names['3gpp']) throw profileError('invalid-profile-type');
  };
  const profile = (type: number, index: number): Profile => {
    only3gpp(type);
    const p = fw.profiles.find((x) => x.index === index);
    if (!p) throw profileError('invalid-profile-number');
    return p;
  };

  ep.handle(w.getProfileList, (v) => {
    if (v.profileType !== undefined && v.profileType !== WdsProfileType.names['3gpp']) return { profileList: [] };
    return { profileList: fw.profiles.map((p) => ({ profileType: 0, profileIndex: p.index, profileName: p.name })) };
  });
  ep.handle(w.getProfileSettings, (v) => settingsOf(profile(v.profileId.profileType, v.profileId.profileIndex)));
  ep.handle(w.createProfile, (v) => {
    only3gpp(v.profileType);
    // The first free index.
    let index = 1;
    while (fw.profiles.some((p) => p.index === index)) index++;
    if (index > MAX_PROFILES) throw profileError('3gpp-out-of-profiles');
    const p: Profile = { index, name: '', apn: '', family: 'ipv4' };
    apply(p, v);
    fw.profiles.push(p);
    fw.profiles.sort((a, b) => a.index - b.index);
    return { profileIdentifier: { profileType: v.profileType, profileIndex: index } };
  });
  ep.handle(w.modifyProfile, (v) => {
    const p = profile(v.profileIdentifier.profileType, v.profileIdentifier.profileIndex);
    // Checked on a copy: a refused change leaves the profile as it was.
    const changed = { ...p };
    apply(changed, v);
    Object.assign(p, changed);
    return {};
  });
  ep.handle(w.deleteProfile, (v) => {
    const p = profile(v.profileIdentifier.profileType, v.profileIdentifier.profileIndex);
    // The profile a call or the LTE attach uses stays.
    if (p.index === settings.defaultProfile || settings.attachProfiles.includes(p.index) || [...fw.sessions.values()].some((s) => s.profile === p.index)) {
      throw profileError('3gpp-access-error');
    }
    fw.profiles.splice(fw.profiles.indexOf(p), 1);
    return {};
  });

  ep.handle(w.getDefaultSettings, (v) => settingsOf(profile(v.profileType, settings.defaultProfile)));
  ep.handle(w.getDefaultProfileNumber, (v) => {
    only3gpp(v.profileType.type);
    return { index: settings.defaultProfile };
  });
  ep.handle(w.setDefaultProfileNumber, (v) => {
    settings.defaultProfile = profile(v.profileIdentifier.type, v.profileIdentifier.index).index;
    return {};
  });

  ep.handle(w.getAutoconnectSettings, () => ({
    status: WdsAutoconnectSetting.names[settings.autoconnect],
    roaming: WdsAutoconnectSettingRoaming.names[settings.autoconnectRoaming],
  }));
  ep.handle(w.setAutoconnectSettings, (v) => {
    const status = nameOf(WdsAutoconnectSetting.names, v.status);
    const roaming = v.roaming === undefined ? settings.autoconnectRoaming : nameOf(WdsAutoconnectSettingRoaming.names, v.roaming);
    if (!status || !roaming) throw new QmiProtocolErrorResponse(QmiProtocolError.InvalidArgument, 'simulated', {});
    settings.autoconnect = status;
    settings.autoconnectRoaming = roaming;
    return {};
  });

  // The attach profiles that still exist, in order.
  const attachProfiles = (): Profile[] => settings.attachProfiles.flatMap((i) => fw.profiles.filter((p) => p.index === i));
  ep.handle(w.getMaxLteAttachPdnNumber, () => ({ info: MAX_ATTACH_PDNS }));
  ep.handle(w.getLteAttachPdnList, () => ({ currentList: attachProfiles().map((p) => p.index), pendingList: [] }));
  ep.handle(w.setLteAttachPdnList, (v) => {
    const unique = new Set(v.list);
    if (v.list.length === 0 || v.list.length > MAX_ATTACH_PDNS || unique.size !== v.list.length || v.list.some((i) => !fw.profiles.some((p) => p.index === i))) {
      throw new QmiProtocolErrorResponse(QmiProtocolError.InvalidArgument, 'simulated', {});
    }
    settings.attachProfiles = [...v.list];
    return {};
  });
  ep.handle(w.getLteAttachParameters, () => {
    const p = attachProfiles()[0];
    if (!p) throw new QmiProtocolErrorResponse(QmiProtocolError.NotProvisioned, 'simulated', {});
    return { apn: p.apn, ipSupportType: WdsIpSupportType.names[p.family], otaAttachPerformed: fw.registered };
  });
}
