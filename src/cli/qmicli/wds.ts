/** qmicli's WDS operations. */
import {
  DataEndpointType,
  wds,
  WdsCallEndReason,
  WdsClientType,
  WdsConnectionStatus,
  WdsIpFamily,
  WdsIpSupportType,
  WdsPdpType,
  WdsProfileType,
  WdsVerboseCallEndReason3gpp,
  WdsVerboseCallEndReasonCm,
  WdsVerboseCallEndReasonInternal,
  WdsVerboseCallEndReasonType,
  WdsAuthentication,
  WDS_RATE_UNAVAILABLE,
  WdsAttachPdnListAction,
  WdsAutoconnectSetting,
  WdsAutoconnectSettingRoaming,
  WdsDataBearerTechnology,
  WdsDormancyStatus,
  WdsDsProfileError,
  WdsNetworkType,
  WdsPacketStatisticsMaskFlag,
  WdsProfileFamily,
  WdsRat3gpp,
} from '../../qmi/services/wds.js';
import { QmiProtocolErrorResponse } from '../../qmi/errors.js';
import type { RequestOf } from '../../qmi/schema.js';
import { QmiProtocolError } from '../../qmi/errors.js';
import { action, ask, CliError, enumName, errorText, keyValuePairs, keyValues, q, readUint, uintArg, unparsable, yesNo } from './action.js';
import { parseEnumArg } from './enum-arg.js';
import { noopAction, resetAction } from './service-actions.js';
import { FOLLOW_NETWORK, followNetwork } from './wds-follow.js';

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
    modifiers: [FOLLOW_NETWORK],
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
      if (ctx.has(FOLLOW_NETWORK.option.long)) await followNetwork(ctx, r.packetDataHandle);
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
    // qmicli 1.32's reader and messages; where it fails it still sends an empty request (and exits 0): we exit 1.
    async run(ctx, arg) {
      const text = arg === true ? '' : arg;
      if (!text.includes('=')) throw new CliError('error: malformed input string, key=value format expected.', { bare: true });
      let muxId: number | undefined;
      let epType: number = DataEndpointType.names.hsusb;
      let iface: number | undefined;
      for (const [key, value] of keyValuePairs(text)) {
        if (key === 'mux-id') {
          muxId = readUint(value);
          if (muxId === undefined || muxId >= 255) throw unparsable(`failed reading key 'mux-id' value in range [0,254]: '${value}'`);
        } else if (key === 'ep-type') {
          const t = parseEnumArg(DataEndpointType.names, value);
          if (t === undefined) throw unparsable(`failed reading key 'ep-type' value: '${value}'`, `error: invalid data endpoint type value given: '${value}'\n`);
          epType = t;
        } else if (key === 'ep-iface-number') {
          const n = readUint(value);
          if (n === undefined) throw unparsable(`failed reading key 'ep-iface-number' value: '${value}'`);
          // qmicli keeps it in an int whose -1 means "not given".
          iface = n === 0xffffffff ? undefined : n;
        } else throw unparsable(`unrecognized key: '${key}'`);
      }
      if (muxId === undefined || iface === undefined) throw new CliError('error: Mux ID and Endpoint Iface Number are both needed', { bare: true });
      const req = { endpointInfo: { endpointType: epType, interfaceNumber: iface }, clientType: WdsClientType.names.tethered, muxId };
      await ask('bind mux data port', ctx.client.request(m.bindMuxDataPort, req));
    },
  }),
  action({
    option: { long: 'wds-get-profile-list', arg: 'required' },
    service: wds,
    async run(ctx, arg) {
      const profileType = exactProfileType(String(arg), 'profile');
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
  action({
    option: { long: 'wds-get-packet-statistics', arg: 'none' },
    service: wds,
    async run(ctx) {
      const f = WdsPacketStatisticsMaskFlag.names;
      const mask = Object.values(f).reduce((a, b) => a | b, 0);
      const r = await ask('get packet statistics', ctx.client.request(m.getPacketStatistics, { mask }));
      let out = `${ctx.tag} Connection statistics:\n`;
      // 0xFFFFFFFF: the modem does not count it.
      const count = (label: string, v: number | undefined): void => {
        if (v !== undefined && v !== 0xffffffff) out += `\t${label}: ${v}\n`;
      };
      const total = (label: string, v: bigint | undefined): void => {
        if (v !== undefined) out += `\t${label}: ${v}\n`;
      };
      count('TX packets OK', r.txPacketsOk);
      count('RX packets OK', r.rxPacketsOk);
      count('TX packets error', r.txPacketsError);
      count('RX packets error', r.rxPacketsError);
      count('TX overflows', r.txOverflows);
      count('RX overflows', r.rxOverflows);
      count('TX packets dropped', r.txPacketsDropped);
      count('RX packets dropped', r.rxPacketsDropped);
      total('TX bytes OK', r.txBytesOk);
      total('RX bytes OK', r.rxBytesOk);
      total('TX bytes OK (last)', r.lastCallTxBytesOk);
      total('RX bytes OK (last)', r.lastCallRxBytesOk);
      ctx.print(out);
    },
  }),
  action({
    option: { long: 'wds-get-channel-rates', arg: 'none' },
    service: wds,
    async run(ctx) {
      const { channelRates: c } = await ask('get channel rates', ctx.client.request(m.getChannelRates, {}));
      const rate = (v: number): string => (v === WDS_RATE_UNAVAILABLE ? 'n/a' : `${v}bps`);
      ctx.print(
        `Channel data rates:\n\tCurrent TX rate: ${rate(c.channelTxRateBps)}\n\tCurrent RX rate: ${rate(c.channelRxRateBps)}\n` +
          `\tMax TX rate:     ${c.maxChannelTxRateBps}bps\n\tMax RX rate:     ${c.maxChannelRxRateBps}bps\n`,
      );
    },
  }),
  action({
    option: { long: 'wds-get-data-bearer-technology', arg: 'none' },
    service: wds,
    async run(ctx) {
      try {
        const r = await ctx.client.request(m.getDataBearerTechnology, {});
        ctx.print(`${ctx.tag} Data bearer technology (current): ${q(enumName(WdsDataBearerTechnology, r.current))}\n`);
      } catch (e) {
        // Out of a call the modem still says what the last call was on (stdout, before the error).
        const last = e instanceof QmiProtocolErrorResponse && e.code === QmiProtocolError.OutOfCall ? (e.values as { last?: number }).last : undefined;
        if (last !== undefined) ctx.print(`${ctx.tag} Data bearer technology (last): ${q(enumName(WdsDataBearerTechnology, last))}(${last})\n`);
        throw new CliError(`couldn't get data bearer technology: ${errorText(e)}`, { cause: e });
      }
    },
  }),
  action({
    option: { long: 'wds-get-current-data-bearer-technology', arg: 'none' },
    service: wds,
    async run(ctx) {
      const print = (which: string, b: { networkType: number; ratMask: number }): void => {
        const rat = b.networkType === WdsNetworkType.names['3gpp'] ? (WdsRat3gpp.show(b.ratMask) as (string | number)[]).join(', ') : '';
        ctx.print(`${ctx.tag} Data bearer technology (${which}):\n              Network type: ${q(enumName(WdsNetworkType, b.networkType))}\n   Radio Access Technology: ${q(rat || 'none')}\n`);
      };
      try {
        const r = await ctx.client.request(m.getCurrentDataBearerTechnology, {});
        if (r.current) print('current', r.current);
      } catch (e) {
        const last = e instanceof QmiProtocolErrorResponse ? (e.values as { last?: { networkType: number; ratMask: number } }).last : undefined;
        if (last) print('last', last);
        throw new CliError(`couldn't get current data bearer technology: ${errorText(e)}`, { cause: e });
      }
    },
  }),
  action({
    option: { long: 'wds-get-dormancy-status', arg: 'none' },
    service: wds,
    async run(ctx) {
      const r = await ask('get dormancy status', ctx.client.request(m.getDormancyStatus, {}));
      ctx.print(`${ctx.tag} Dormancy Status: ${q(enumName(WdsDormancyStatus, r.dormancyStatus))}\n`);
    },
  }),
  action({
    option: { long: 'wds-create-profile', arg: 'required' },
    service: wds,
    async run(ctx, arg) {
      const str = String(arg);
      if (str === '') throw new CliError("expected at least 1 arguments for 'wds create profile' command");
      const comma = str.indexOf(',');
      const type = profileTypeArg(comma < 0 ? str : str.slice(0, comma), false);
      const req: RequestOf<typeof m.createProfile> = { profileType: type, ...(comma < 0 ? {} : profileSettingsArg(str.slice(comma + 1))) };
      const r = await profileRequest('create profile', ctx.client.request(m.createProfile, req));
      ctx.print(`New profile created:\n\tProfile type: ${q(enumName(WdsProfileType, r.profileIdentifier.profileType))}\n\tProfile index: '${r.profileIdentifier.profileIndex}'\n`);
    },
  }),
  action({
    option: { long: 'wds-modify-profile', arg: 'required' },
    service: wds,
    async run(ctx, arg) {
      const parts = splitN(String(arg), 3);
      if (parts.length < 3) throw new CliError("expected at least 3 arguments for 'wds modify profile' command");
      const profileType = profileTypeArg(parts[0]!, true);
      const profileIndex = profileIndexArg(parts[1]!, 'profile index', '\n');
      await profileRequest('modify profile', ctx.client.request(m.modifyProfile, { profileIdentifier: { profileType, profileIndex }, ...profileSettingsArg(parts[2]!) }));
      ctx.print('Profile successfully modified.\n');
    },
  }),
  action({
    option: { long: 'wds-delete-profile', arg: 'required' },
    service: wds,
    async run(ctx, arg) {
      const parts = String(arg).split(',');
      if (parts.length !== 2) throw new CliError('expected 2 arguments for delete profile command');
      const profileType = profileTypeArg(parts[0]!, true);
      const profileIndex = profileIndexArg(parts[1]!, 'profile number');
      await profileRequest('delete profile', ctx.client.request(m.deleteProfile, { profileIdentifier: { profileType, profileIndex } }));
      ctx.print('Profile successfully deleted.\n');
    },
  }),
  action({
    option: { long: 'wds-get-default-settings', arg: 'required' },
    service: wds,
    async run(ctx, arg) {
      const profileType = exactProfileType(String(arg), 'default');
      const s = await profileRequest('get default settings', ctx.client.request(m.getDefaultSettings, { profileType }), 'ds default error');
      let out = 'Default settings retrieved:\n';
      if (s.apnName !== undefined) out += `\tAPN: ${q(s.apnName)}\n`;
      if (s.pdpType !== undefined) out += `\tPDP type: ${q(enumName(WdsPdpType, s.pdpType))}\n`;
      if (s.username !== undefined) out += `\tUsername: ${q(s.username)}\n`;
      // qmicli prints the password here; wwankit never prints secrets.
      if (s.password !== undefined) out += `\tPassword: '********'\n`;
      if (s.authentication !== undefined) out += `\tAuth: ${q((WdsAuthentication.show(s.authentication) as string[]).join(', ') || 'none')}\n`;
      ctx.print(out);
    },
  }),
  action({
    option: { long: 'wds-get-default-profile-number', arg: 'required' },
    service: wds,
    async run(ctx, arg) {
      const type = exactProfileType(String(arg), 'profile');
      // qmicli always asks for the tethered family.
      const r = await profileRequest('get default profile number', ctx.client.request(m.getDefaultProfileNumber, { profileType: { type, family: WdsProfileFamily.names.tethered } }));
      ctx.print(`Default profile number retrieved:\n${r.index === undefined ? '' : `\tDefault profile number: '${r.index}'\n`}`);
    },
  }),
  action({
    option: { long: 'wds-set-default-profile-number', arg: 'required' },
    service: wds,
    async run(ctx, arg) {
      const parts = String(arg).split(',');
      if (parts.length !== 2) throw new CliError('expected 2 options in default profile number settings');
      const type = profileTypeArg(parts[0]!, true);
      const index = profileIndexArg(parts[1]!, 'profile number');
      // qmicli 1.32 says "default settings" for this one.
      await profileRequest('set default settings', ctx.client.request(m.setDefaultProfileNumber, { profileIdentifier: { type, family: WdsProfileFamily.names.tethered, index } }));
      ctx.print('Default profile number updated\n');
    },
  }),
  action({
    option: { long: 'wds-get-autoconnect-settings', arg: 'none' },
    service: wds,
    async run(ctx) {
      const r = await ask('get autoconnect settings', ctx.client.request(m.getAutoconnectSettings, {}));
      let out = `Autoconnect settings retrieved:\n\tStatus: ${q(enumName(WdsAutoconnectSetting, r.status))}\n`;
      if (r.roaming !== undefined) out += `\tRoaming: ${q(enumName(WdsAutoconnectSettingRoaming, r.roaming))}\n`;
      ctx.print(out);
    },
  }),
  action({
    option: { long: 'wds-set-autoconnect-settings', arg: 'required' },
    service: wds,
    async run(ctx, arg) {
      const parts = String(arg).split(',').map((p) => p.trim());
      if (parts.length !== 1 && parts.length !== 2) throw new CliError('expected 1 or 2 options in autoconnect settings');
      const status = (WdsAutoconnectSetting.names as Record<string, number>)[parts[0]!];
      if (status === undefined) throw new CliError(`invalid autoconnect setting value given: '${parts[0]}'\nerror: failed to parse autoconnect setting`);
      const req: RequestOf<typeof m.setAutoconnectSettings> = { status };
      if (parts.length === 2) {
        const name = parts[1] === 'roaming-allowed' ? 'allowed' : parts[1]!;
        const roaming = (WdsAutoconnectSettingRoaming.names as Record<string, number>)[name];
        if (roaming === undefined) throw new CliError(`invalid autoconnect setting roaming value given: '${name}'\nerror: failed to parse autoconnect roaming setting`);
        req.roaming = roaming;
      }
      await ask('set autoconnect settings', ctx.client.request(m.setAutoconnectSettings, req));
      ctx.print('Autoconnect settings updated\n');
    },
  }),
  action({
    option: { long: 'wds-get-lte-attach-parameters', arg: 'none' },
    service: wds,
    async run(ctx) {
      const r = await ask('get LTE attach parameters', ctx.client.request(m.getLteAttachParameters, {}));
      let out = 'LTE attach parameters successfully retrieved:\n';
      if (r.apn !== undefined) out += `\tAPN: ${r.apn}\n`;
      if (r.ipSupportType !== undefined) out += `\tIP support type: ${enumName(WdsIpSupportType, r.ipSupportType)}\n`;
      if (r.otaAttachPerformed !== undefined) out += `\tOTA attach performed: ${yesNo(r.otaAttachPerformed)}\n`;
      ctx.print(out);
    },
  }),
  action({
    option: { long: 'wds-get-max-lte-attach-pdn-num', arg: 'none' },
    service: wds,
    async run(ctx) {
      const r = await ask('get maximum number of attach PDN', ctx.client.request(m.getMaxLteAttachPdnNumber, {}));
      ctx.print(`Maximum number of LTE attach PDN: ${r.info ?? 0}\n`);
    },
  }),
  action({
    option: { long: 'wds-get-lte-attach-pdn-list', arg: 'none' },
    service: wds,
    async run(ctx) {
      const r = await ask('get the list of LTE attach PDN', ctx.client.request(m.getLteAttachPdnList, {}));
      const list = (l: number[] | undefined): string => (l && l.length > 0 ? `'${l.join(', ')}'` : 'n/a');
      ctx.print(`Attach PDN list retrieved:\n\tCurrent list: ${list(r.currentList)}\n\tPending list: ${list(r.pendingList)}\n`);
    },
  }),
  action({
    option: { long: 'wds-set-lte-attach-pdn-list', arg: 'required' },
    service: wds,
    async run(ctx, arg) {
      const list = String(arg)
        .split(',')
        .map((p) => {
          const v = p.trim();
          if (!/^\d+$/.test(v) || Number(v) === 0 || Number(v) > 0xffff) throw new CliError(`invalid or out of range profile number [1,65535]: '${v}'`);
          return Number(v);
        });
      await ask('set attach PDN list', ctx.client.request(m.setLteAttachPdnList, { list, action: WdsAttachPdnListAction.names['detach-or-pdn-disconnect'] }));
      ctx.print('Attach PDN list update successfully requested\n');
    },
  }),
  resetAction(wds),
  noopAction(wds),
];

// ---------------------------------------------------------------------------------------------
// Profile arguments, as qmicli reads them

/** C's atoi: leading blanks, a sign, the digits that follow; 0 without any. */
const atoi = (s: string): number => {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m ? Number.parseInt(m[1]!, 10) : 0;
};

/** g_strsplit with a limit: the last piece keeps the rest. */
function splitN(s: string, n: number): string[] {
  const parts = s.split(',');
  return parts.length <= n ? parts : [...parts.slice(0, n - 1), parts.slice(n - 1).join(',')];
}

/** `3gpp` or `3gpp2` (blanks around allowed); create-profile's message names no value. */
function profileTypeArg(s: string, named: boolean): number {
  const t = s.trim();
  if (t === '3gpp' || t === '3gpp2') return WdsProfileType.names[t];
  throw new CliError(named ? `invalid profile type '${t}'. Expected '3gpp' or '3gpp2'.'` : "invalid profile type. Expected '3gpp' or '3gpp2'.'");
}

/** The type argument of get-default-settings and get-default-profile-number: exactly `3gpp` or `3gpp2`. */
function exactProfileType(s: string, what: string): number {
  if (s === '3gpp' || s === '3gpp2') return WdsProfileType.names[s];
  throw new CliError(`invalid ${what} type '${s}'. Expected '3gpp' or '3gpp2'.'`);
}

function profileIndexArg(s: string, what: string, trailer = ''): number {
  const t = s.trim();
  const v = atoi(t);
  if (v <= 0 || v > 0xff) throw new CliError(`invalid or out of range ${what} [1,255]: '${t}'${trailer}`);
  return v;
}

const PDP_TYPES: Record<string, number> = { ip: 0, ipv4: 0, ppp: 1, ipv6: 2, ipv4v6: 3 };

type ProfileSettingsArg = Omit<RequestOf<typeof m.modifyProfile>, 'profileIdentifier'>;

/** The `key=value` profile settings create and modify take (each key once; the string keys may be empty). */
function profileSettingsArg(str: string): ProfileSettingsArg {
  const out: ProfileSettingsArg = {};
  const bad = (message: string, printed = ''): never => {
    throw new CliError(`${printed}couldn't parse input string: ${message}`);
  };
  const yesNoValue = (key: string, value: string): boolean => {
    const v = value.toLowerCase();
    if (v === 'yes' || v === 'true') return true;
    if (v === 'no' || v === 'false') return false;
    return bad(`unknown '${key}' value '${value}'`, `expected 'true', 'false', 'yes' or 'no', got: ${value}\nerror: `);
  };
  for (const [k, value] of keyValues(str)) {
    const key = k.toLowerCase();
    if (key === 'name' && out.profileName === undefined) out.profileName = value;
    else if (key === 'apn' && out.apnName === undefined) out.apnName = value;
    else if (key === 'username' && out.username === undefined) out.username = value;
    else if (key === 'password' && out.password === undefined) out.password = value;
    else if (!value) bad(`key '${k}' required a value`);
    else if (key === 'context-num' && out.pdpContextNumber === undefined) {
      const n = atoi(value);
      if (n <= 0 || n > 0xff) bad(`invalid or out of range context number [1,255]: '${value}'`);
      out.pdpContextNumber = n;
    } else if (key === 'auth' && out.authentication === undefined) {
      const a = value.toLowerCase();
      const v = a === 'pap' ? 1 : a === 'chap' ? 2 : a === 'both' ? 3 : a === 'none' ? 0 : undefined;
      if (v === undefined) bad(`unknown auth protocol '${value}'`);
      out.authentication = v;
    } else if (key === 'pdp-type' && out.pdpType === undefined) {
      const v = PDP_TYPES[value.toLowerCase()];
      if (v === undefined) bad(`unknown pdp type '${value}'`);
      out.pdpType = v;
    } else if (key === 'no-roaming' && out.roamingDisallowedFlag === undefined) out.roamingDisallowedFlag = yesNoValue(k, value);
    else if (key === 'disabled' && out.apnDisabledFlag === undefined) out.apnDisabledFlag = yesNoValue(k, value);
    else bad(`unrecognized or duplicate option '${k}'`);
  }
  return out;
}

/** A profile operation's failure: with ExtendedInternal, the modem's profile error by name. */
async function profileRequest<T>(what: string, p: Promise<T>, label = 'ds profile error'): Promise<T> {
  try {
    return await p;
  } catch (e) {
    const code = e instanceof QmiProtocolErrorResponse && e.code === QmiProtocolError.ExtendedInternal ? (e.values as { extendedErrorCode?: number }).extendedErrorCode : undefined;
    if (code !== undefined) throw new CliError(`couldn't ${what}: ${label}: ${enumName(WdsDsProfileError, code)}`, { cause: e });
    throw new CliError(`couldn't ${what}: ${errorText(e)}`, { cause: e });
  }
}
