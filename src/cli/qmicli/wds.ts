/** qmicli's WDS operations. */
import {
  DataEndpointType,
  wds,
  WdsCallEndReason,
  WdsClientType,
  WdsConnectionStatus,
  WdsIpFamily,
  WdsPdpType,
  WdsProfileType,
  WdsVerboseCallEndReason3gpp,
  WdsVerboseCallEndReasonCm,
  WdsVerboseCallEndReasonInternal,
  WdsVerboseCallEndReasonType,
  WdsAuthentication,
} from '../../qmi/services/wds.js';
import { QmiProtocolErrorResponse } from '../../qmi/errors.js';
import type { RequestOf } from '../../qmi/schema.js';
import { action, ask, CliError, enumName, enumValue, errorText, keyValues, q, uintArg, yesNo } from './action.js';

const m = wds.messages;

/** libqmi prints a NULL string as `(null)`: reasons it has no name for look like that. */
const nameOrNull = (codec: { names: Record<string, number> }, v: number): string => {
  for (const [k, n] of Object.entries(codec.names)) if (n === v) return k;
  return '(null)';
};
const verboseNames: Record<number, { names: Record<string, number> }> = {
  [WdsVerboseCallEndReasonType.names['3gpp']]: WdsVerboseCallEndReason3gpp,
  [WdsVerboseCallEndReasonType.names.cm]: WdsVerboseCallEndReasonCm,
  [WdsVerboseCallEndReasonType.names.internal]: WdsVerboseCallEndReasonInternal,
};

type StartNetwork = RequestOf<typeof m.startNetwork>;

const AUTH: Record<string, number> = { none: 0, pap: 1, chap: 2, both: 3 };

/** `apn=…,ip-type=4,…` or the legacy `APN[,AUTH[,USER[,PASSWORD]]]`. */
function startNetworkRequest(arg: string | true): StartNetwork {
  if (arg === true || arg === '') return {};
  // Given any argument, qmicli 1.32 states an IP family: unspecified (8) unless ip-type says otherwise.
  const req: StartNetwork = { ipFamilyPreference: WdsIpFamily.names.unspecified };
  if (!arg.includes('=')) {
    const [apn, auth, user, password] = arg.split(',');
    req.apn = apn;
    if (auth !== undefined) req.authenticationPreference = AUTH[auth.toLowerCase()] ?? 0;
    if (auth !== undefined && user) {
      req.username = user;
      if (password) req.password = password;
    }
    return req;
  }
  for (const [key, value] of keyValues(arg)) {
    switch (key) {
      case 'apn':
        req.apn = value;
        break;
      case '3gpp-profile':
        req.profileIndex3gpp = uintArg(value, '3GPP profile', 0xff);
        break;
      case '3gpp2-profile':
        req.profileIndex3gpp2 = uintArg(value, '3GPP2 profile', 0xff);
        break;
      case 'auth': {
        const a = AUTH[value.toLowerCase()];
        if (a === undefined) throw new CliError(`unrecognized authentication method '${value}'`);
        req.authenticationPreference = a;
        break;
      }
      case 'username':
        req.username = value;
        break;
      case 'password':
        req.password = value;
        break;
      case 'autoconnect':
        if (!['yes', 'no'].includes(value)) throw new CliError(`unrecognized autoconnect setting '${value}'`);
        req.enableAutoconnect = value === 'yes';
        break;
      case 'ip-type':
        if (value !== '4' && value !== '6') throw new CliError(`unrecognized IP type '${value}'`);
        req.ipFamilyPreference = Number(value);
        break;
      default:
        throw new CliError(`unrecognized option '${key}'`);
    }
  }
  return req;
}

const ipv4Lines = (label: string, v: string | undefined): string => (v === undefined ? '' : `${label}: ${v}\n`);

export const wdsActions = [
  action({
    option: { long: 'wds-start-network', arg: 'required' },
    service: wds,
    async run(ctx, arg) {
      const req = startNetworkRequest(arg);
      let r;
      try {
        r = await ctx.client.request(m.startNetwork, req, { timeoutMs: 180_000 });
      } catch (e) {
        let text = `couldn't start network: ${errorText(e)}`;
        if (e instanceof QmiProtocolErrorResponse && e.code === 14) {
          const v = e.values as { callEndReason?: number; verboseCallEndReason?: { type: number; reason: number } };
          if (v.callEndReason !== undefined) text += `\ncall end reason (${v.callEndReason}): ${nameOrNull(WdsCallEndReason, v.callEndReason)}`;
          if (v.verboseCallEndReason) {
            const { type, reason } = v.verboseCallEndReason;
            const table = verboseNames[type];
            text += `\nverbose call end reason (${type},${reason}): [${nameOrNull(WdsVerboseCallEndReasonType, type)}] ${table ? nameOrNull(table, reason) : '(null)'}`;
          }
        }
        throw new CliError(text, { cause: e });
      }
      ctx.print(`${ctx.tag} Network started\n\tPacket data handle: '${r.packetDataHandle}'\n`);
    },
  }),
  action({
    option: { long: 'wds-stop-network', arg: 'required' },
    service: wds,
    async run(ctx, arg) {
      const value = String(arg);
      // With `disable-autoconnect` there is no handle: qmicli sends the global handle 0xFFFFFFFF.
      const req: RequestOf<typeof m.stopNetwork> =
        value === 'disable-autoconnect' ? { packetDataHandle: 0xffffffff, disableAutoconnect: true } : { packetDataHandle: uintArg(value, 'packet data handle given') };
      if (req.packetDataHandle === 0) throw new CliError(`invalid packet data handle given '${value}'`);
      ctx.print('Network cancelled... releasing resources\n');
      await ask('stop network', ctx.client.request(m.stopNetwork, req, { timeoutMs: 120_000 }));
      ctx.print(`${ctx.tag} Network stopped\n`);
    },
  }),
  action({
    option: { long: 'wds-get-packet-service-status', arg: 'none' },
    service: wds,
    async run(ctx) {
      const r = await ask('get packet service status', ctx.client.request(m.getPacketServiceStatus, {}));
      ctx.print(`${ctx.tag} Connection status: ${q(enumName(WdsConnectionStatus, r.connectionStatus))}\n`);
    },
  }),
  action({
    option: { long: 'wds-get-current-settings', arg: 'none' },
    service: wds,
    async run(ctx) {
      // DNS | granted QoS | IP address | gateway | MTU | domain list | IP family.
      const r = await ask('get current settings', ctx.client.request(m.getCurrentSettings, { requestedSettings: 0xe330 }));
      let out = `${ctx.tag} Current settings retrieved:\n`;
      if (r.ipFamily !== undefined) out += `           IP Family: ${r.ipFamily === 4 ? 'IPv4' : r.ipFamily === 6 ? 'IPv6' : 'unknown'}\n`;
      out += ipv4Lines('        IPv4 address', r.ipv4Address);
      out += ipv4Lines('    IPv4 subnet mask', r.ipv4GatewaySubnetMask);
      out += ipv4Lines('IPv4 gateway address', r.ipv4GatewayAddress);
      out += ipv4Lines('    IPv4 primary DNS', r.primaryIpv4DnsAddress);
      out += ipv4Lines('  IPv4 secondary DNS', r.secondaryIpv4DnsAddress);
      if (r.ipv6Address) out += `        IPv6 address: ${r.ipv6Address.address}/${r.ipv6Address.prefixLength}\n`;
      if (r.ipv6GatewayAddress) out += `IPv6 gateway address: ${r.ipv6GatewayAddress.address}/${r.ipv6GatewayAddress.prefixLength}\n`;
      out += ipv4Lines('    IPv6 primary DNS', r.ipv6PrimaryDnsAddress);
      out += ipv4Lines('  IPv6 secondary DNS', r.ipv6SecondaryDnsAddress);
      if (r.mtu !== undefined) out += `                 MTU: ${r.mtu}\n`;
      if (r.domainNameList) out += `             Domains: ${r.domainNameList.length ? r.domainNameList.join(', ') : 'none'}\n`;
      ctx.print(out);
    },
  }),
  action({
    option: { long: 'wds-set-ip-family', arg: 'required' },
    service: wds,
    async run(ctx, arg) {
      const v = String(arg);
      if (v !== '4' && v !== '6') throw new CliError(`invalid IP family value given: '${v}'`);
      await ask('set IP family', ctx.client.request(m.setIpFamily, { preference: WdsIpFamily.names[v === '4' ? 'ipv4' : 'ipv6'] }));
    },
  }),
  action({
    option: { long: 'wds-bind-mux-data-port', arg: 'required' },
    service: wds,
    async run(ctx, arg) {
      let muxId: number | undefined;
      let epType: number = DataEndpointType.names.hsusb;
      let iface: number | undefined;
      let clientType: number = WdsClientType.names.tethered;
      for (const [key, value] of keyValues(arg)) {
        if (key === 'mux-id') muxId = uintArg(value, 'mux id', 254);
        else if (key === 'ep-type') epType = enumValue(DataEndpointType, value, 'endpoint type');
        else if (key === 'ep-iface-number') iface = uintArg(value, 'interface number');
        else if (key === 'client-type') clientType = enumValue(WdsClientType, value, 'client type');
        else throw new CliError(`unrecognized option '${key}'`);
      }
      if (iface === undefined) throw new CliError("missing mandatory 'ep-iface-number' key");
      const req = { endpointInfo: { endpointType: epType, interfaceNumber: iface }, clientType, ...(muxId === undefined ? {} : { muxId }) };
      await ask('bind mux data port', ctx.client.request(m.bindMuxDataPort, req));
    },
  }),
  action({
    option: { long: 'wds-get-profile-list', arg: 'required' },
    service: wds,
    async run(ctx, arg) {
      const profileType = enumValue(WdsProfileType, String(arg), 'profile type');
      const r = await ask('get profile list', ctx.client.request(m.getProfileList, { profileType }));
      if (r.profileList.length === 0) {
        ctx.print('Profile list empty\n');
        return;
      }
      ctx.print('Profile list retrieved:\n');
      for (const p of r.profileList) {
        ctx.print(`\t[${p.profileIndex}] ${enumName(WdsProfileType, p.profileType)} - ${p.profileName}\n`);
        try {
          const s = await ctx.client.request(m.getProfileSettings, { profileId: { profileType: p.profileType, profileIndex: p.profileIndex } });
          let out = '';
          if (s.apnName !== undefined) out += `\t\tAPN: ${q(s.apnName)}\n`;
          if (s.pdpType !== undefined) out += `\t\tPDP type: ${q(enumName(WdsPdpType, s.pdpType))}\n`;
          if (s.pdpContextNumber !== undefined) out += `\t\tPDP context number: '${s.pdpContextNumber}'\n`;
          if (s.username !== undefined) out += `\t\tUsername: ${q(s.username)}\n`;
          // A profile's password stays on the modem: wwankit never prints secrets.
          if (s.password !== undefined) out += `\t\tPassword: '********'\n`;
          if (s.authentication !== undefined) out += `\t\tAuth: ${q((WdsAuthentication.show(s.authentication) as string[]).join(', ') || 'none')}\n`;
          if (s.roamingDisallowedFlag !== undefined) out += `\t\tNo roaming: ${q(yesNo(s.roamingDisallowedFlag))}\n`;
          if (s.apnDisabledFlag !== undefined) out += `\t\tAPN disabled: ${q(yesNo(s.apnDisabledFlag))}\n`;
          ctx.print(out);
        } catch (e) {
          process.stderr.write(`error: couldn't get profile settings: ${errorText(e)}\n`);
        }
      }
    },
  }),
];
