/**
 * Provisioned contexts over MBIM, on the modem's profile database (the one QMI WDS's profiles are):
 * MS Basic Connect Extensions' v2 list, set (add or replace by context type, delete, restore the
 * factory list) and notification, Basic Connect's MBIM 1.0 view of the same profiles, and the LTE
 * attach info of the profile the modem attaches with.
 */
import { ContextType, contextTypeName } from '../mbim/context-types.js';
import { MbimStatus } from '../mbim/protocol.js';
import type { ResponseOf, SetOf } from '../mbim/service.js';
import { AuthProtocol, Compression, ContextIpType, basicConnect } from '../mbim/services/basic-connect.js';
import {
  ContextMediaType, ContextOperation, ContextRoamingControl, ContextSource, ContextState, msBasicConnectExtensions,
} from '../mbim/services/ms-basic-connect-extensions.js';
import { FACTORY_PROFILES, type IpFamily, type ModemFirmware, type Profile } from './firmware.js';
import { MbimCommandFailure, type MbimDeviceEndpoint } from './mbim-endpoint.js';
import { MAX_PROFILES } from './qmi-wds-profiles.js';

const ext = msBasicConnectExtensions.cids;
type ContextV2 = ResponseOf<typeof ext.provisionedContexts>['provisionedContexts'][number];

/** A profile's IP family as MBIM's context IP type (provisioned contexts, LTE attach). */
export const FAMILY_IP: Record<IpFamily, number> = { ipv4: ContextIpType.names.ipv4, ipv6: ContextIpType.names.ipv6, ipv4v6: ContextIpType.names.ipv4v6 };
const IP_FAMILY: Record<number, IpFamily> = {
  [ContextIpType.names.default]: 'ipv4v6', [ContextIpType.names.ipv4]: 'ipv4', [ContextIpType.names.ipv6]: 'ipv6',
  [ContextIpType.names.ipv4v6]: 'ipv4v6', [ContextIpType.names['ipv4-and-ipv6']]: 'ipv4v6',
};
// The profile's auth, one protocol per context: PAP-or-CHAP reads as CHAP; MBIM's MS-CHAPv2 has no profile value.
const AUTH_MBIM: Record<NonNullable<Profile['auth']>, number> = { none: 0, pap: AuthProtocol.names.pap, chap: AuthProtocol.names.chap, both: AuthProtocol.names.chap };
const MBIM_AUTH: Record<number, Profile['auth']> = { 0: 'none', [AuthProtocol.names.pap]: 'pap', [AuthProtocol.names.chap]: 'chap' };

const invalid = (): MbimCommandFailure => new MbimCommandFailure(MbimStatus.InvalidParameters);
/** A value's libmbim nick, or the host's value refused as InvalidParameters. */
export const nick = (e: { nameOf(v: number): string | undefined }, v: number): string => {
  const n = e.nameOf(v);
  if (n === undefined) throw invalid();
  return n;
};

/** A profile's roaming as MBIM words it: the detail a v2 set gave while it still agrees with noRoaming. */
const roamingOf = (p: Profile): string => (p.roaming !== undefined && (p.roaming === 'home-only') === !!p.noRoaming ? p.roaming : p.noRoaming ? 'home-only' : 'allow-all');

const contextV2 = (p: Profile): ContextV2 => ({
  contextId: p.index,
  contextType: ContextType[(p.contextType ?? 'internet') as keyof typeof ContextType],
  ipType: FAMILY_IP[p.family],
  state: p.disabled ? ContextState.names.disabled : ContextState.names.enabled,
  roaming: ContextRoamingControl.names[roamingOf(p) as keyof typeof ContextRoamingControl.names],
  mediaType: ContextMediaType.names[(p.mediaType ?? 'cellular-only') as keyof typeof ContextMediaType.names],
  source: ContextSource.names[(p.source ?? 'modem') as keyof typeof ContextSource.names],
  accessString: p.apn,
  userName: p.username ?? '',
  password: p.password ?? '',
  compression: Compression.names.none,
  authProtocol: AUTH_MBIM[p.auth ?? 'none'],
});

/** A v2 set's settings on a profile; what the modem cannot keep (header compression, MS-CHAPv2) is refused. */
function applyV2(p: Profile, v: SetOf<typeof ext.provisionedContexts>): void {
  const family = IP_FAMILY[v.ipType];
  const auth = MBIM_AUTH[v.authProtocol];
  if (!family || !auth || v.compression !== Compression.names.none) throw invalid();
  const [state, roaming, mediaType, source] = [nick(ContextState, v.state), nick(ContextRoamingControl, v.roaming), nick(ContextMediaType, v.mediaType), nick(ContextSource, v.source)];
  Object.assign(p, {
    apn: v.accessString, family, username: v.userName, password: v.password, auth, disabled: state === 'disabled', noRoaming: roaming === 'home-only', roaming, mediaType, source,
  });
}

export function serveMbimContexts(ep: MbimDeviceEndpoint, fw: ModemFirmware): void {
  const list = () => ({ provisionedContexts: fw.profiles.map(contextV2) });
  const settings = fw.dataSettings;
  // The profile a call or the LTE attach uses stays (as WDS Delete Profile refuses it).
  const inUse = (p: Profile): boolean =>
    p.index === settings.defaultProfile || settings.attachProfiles.includes(p.index) || [...fw.sessions.values()].some((s) => s.profile === p.index);

  ep.query(ext.provisionedContexts, list);
  ep.set(ext.provisionedContexts, (v) => {
    const operation = nick(ContextOperation, v.operation);
    if (operation === 'restore-factory') {
      fw.profiles.splice(0, fw.profiles.length, ...FACTORY_PROFILES.map((p) => ({ ...p })));
    } else {
      const type = contextTypeName(v.contextType);
      if (!type || type === 'none') throw invalid();
      const matching = fw.profiles.filter((p) => (p.contextType ?? 'internet') === type);
      if (operation === 'delete') {
        if (matching.length === 0) throw invalid();
        if (matching.some(inUse)) throw new MbimCommandFailure(MbimStatus.OperationNotAllowed);
        for (const p of matching) fw.profiles.splice(fw.profiles.indexOf(p), 1);
      } else {
        // Add, or replace the context of that type; checked on a copy so a refusal changes nothing.
        let index = 1;
        while (fw.profiles.some((p) => p.index === index)) index++;
        const old = matching[0];
        if (!old && index > MAX_PROFILES) throw new MbimCommandFailure(MbimStatus.Failure);
        const p: Profile = old ? { ...old } : { index, name: type, apn: '', family: 'ipv4v6', contextType: type };
        applyV2(p, v);
        if (old) Object.assign(old, p);
        else fw.profiles.push(p);
        fw.profiles.sort((a, b) => a.index - b.index);
      }
    }
    const r = list();
    setImmediate(() => ep.indicate(ext.provisionedContexts, r));
    return r;
  });

  // MBIM 1.0's view: the same profiles, without what v2 added.
  ep.query(basicConnect.cids.provisionedContexts, () => ({
    provisionedContexts: fw.profiles.map((p) => {
      const c = contextV2(p);
      return { contextId: c.contextId, contextType: c.contextType, accessString: c.accessString, userName: c.userName, password: c.password, compression: c.compression, authProtocol: c.authProtocol };
    }),
  }));
}
