/**
 * MS Basic Connect Extensions' LTE attach: the configurations the modem attaches with (home, partner,
 * non-partner) and what it attached with. The home configuration is the firmware's LTE attach
 * profile, the one QMI's WDS shows, so both protocols see one model; the roaming ones are kept here.
 */
import { AuthProtocol, ContextIpType } from '../mbim/services/basic-connect.js';
import { LteAttachContextOperation, LteAttachContextRoamingControl, LteAttachState, msBasicConnectExtensions } from '../mbim/services/ms-basic-connect-extensions.js';
import { MbimStatus } from '../mbim/protocol.js';
import type { IpFamily, ModemFirmware, Profile } from './firmware.js';
import { MbimCommandFailure, type MbimDeviceEndpoint } from './mbim-endpoint.js';
import { FAMILY_IP } from './mbim-contexts.js';
import { registrationNwError } from './mbim-radio.js';

const ext = msBasicConnectExtensions.cids;

const FAMILY: Record<number, IpFamily> = { [ContextIpType.names.ipv4]: 'ipv4', [ContextIpType.names.ipv6]: 'ipv6', [ContextIpType.names.ipv4v6]: 'ipv4v6', [ContextIpType.names['ipv4-and-ipv6']]: 'ipv4v6' };
const PROTOCOL = { none: AuthProtocol.names.none, pap: AuthProtocol.names.pap, chap: AuthProtocol.names.chap, both: AuthProtocol.names.chap } as const;
const AUTH: Record<number, Profile['auth']> = { [AuthProtocol.names.none]: 'none', [AuthProtocol.names.pap]: 'pap', [AuthProtocol.names.chap]: 'chap' };

interface Configuration {
  ipType: number;
  roaming: number;
  source: number;
  accessString: string;
  userName: string;
  password: string;
  compression: number;
  authProtocol: number;
}

export function serveMbimLteAttach(ep: MbimDeviceEndpoint, fw: ModemFirmware): void {
  const attachProfile = (): Profile | undefined => fw.profiles.find((p) => p.index === fw.dataSettings.attachProfiles[0]);
  const fromProfile = (p: Profile | undefined, roaming: number): Configuration => ({
    ipType: p ? FAMILY_IP[p.family] : ContextIpType.names.default,
    roaming,
    // Provisioned by the modem until a host sets it.
    source: 3,
    accessString: p?.apn ?? '',
    userName: p?.username ?? '',
    password: p?.password ?? '',
    compression: 0,
    authProtocol: PROTOCOL[p?.auth ?? 'none'],
  });
  const R = LteAttachContextRoamingControl.names;
  const roamingConfigs = new Map<number, Configuration>([R.partner, R['non-partner']].map((r) => [r, fromProfile(attachProfile(), r)]));
  let homeSource = 3;
  const configurations = () => ({ configurations: [{ ...fromProfile(attachProfile(), R.home), source: homeSource }, ...roamingConfigs.values()] });

  ep.query(ext.lteAttachConfiguration, configurations);
  ep.set(ext.lteAttachConfiguration, (v) => {
    if (v.operation === LteAttachContextOperation.names['restore-factory']) throw new MbimCommandFailure(MbimStatus.OperationNotAllowed);
    for (const c of v.configurations) {
      if (c.roaming !== R.home) {
        if (roamingConfigs.has(c.roaming)) roamingConfigs.set(c.roaming, { ...c });
        continue;
      }
      const p = attachProfile();
      if (!p) throw new MbimCommandFailure(MbimStatus.Failure);
      // The modem chooses the family for "default".
      Object.assign(p, { apn: c.accessString, family: FAMILY[c.ipType] ?? p.family, username: c.userName, password: c.password, auth: AUTH[c.authProtocol] ?? 'none' });
      homeSource = c.source;
    }
    return configurations();
  });

  /** Attached to LTE (or NR over an LTE anchor) with the attach profile; MBIMEx 3.0 adds the registration's reject cause. */
  const info = () => {
    const on = fw.registered && fw.packetAttached && (fw.rat === 'lte' || fw.rat === '5gnr');
    const c = fromProfile(attachProfile(), R.home);
    return { lteAttachState: on ? LteAttachState.names.attached : LteAttachState.names.detached, nwError: registrationNwError(fw), ...c, ...(on ? {} : { accessString: '', userName: '', password: '' }) };
  };
  ep.queryVersions([ext.lteAttachInfo, ext.lteAttachInfoV3], info);
  fw.on('registration', () => ep.indicateVersions([ext.lteAttachInfo, ext.lteAttachInfoV3], info()));
}
