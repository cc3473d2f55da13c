/**
 * mbimcli 1.28's actions on Microsoft's extensions and AT&T's service (MBIM 1.0 layouts; LTE attach info and
 * base stations also MBIMEx 3.0's when agreed): system and
 * device capabilities, SIM slots and their mapping, location, base stations, LTE attach, NITZ, and
 * ATDS signal and location. Printers follow mbimcli's labels and number formats; passwords print
 * as `********`.
 */
import type { ResponseOf } from '../../mbim/service.js';
import { AuthProtocol, Compression, ContextIpType, DataClass, DataClassV3, DataSubclass, NwError } from '../../mbim/services/basic-connect.js';
import { atds } from '../../mbim/services/atds.js';
import { LteAttachContextRoamingControl, ContextSource, PcoType, LteAttachState, UiccSlotState, msBasicConnectExtensions } from '../../mbim/services/ms-basic-connect-extensions.js';
import { msVoiceExtensions } from '../../mbim/services/ms-voice-extensions.js';
import { MASKED, splitArgs } from './basic-connect-radio.js';
import { CliError, flags, named, optionalSession, printDeviceCaps, query, seconds, type Context, type Operation } from './operations.js';

const ext = msBasicConnectExtensions.cids;

/** g_ascii_strtoll over the whole text (leading blanks and a sign allowed), kept as guint32 does. */
function strtollWhole(text: string): bigint | undefined {
  return /^\s*[+-]?\d+$/.test(text) ? BigInt(text.trim()) : undefined;
}

/** A get_string() result printed with %s: a NULL prints as glibc's "(null)". */
export const raw = (e: { nameOf(v: number): string | undefined }, x: number): string => e.nameOf(x) ?? '(null)';
/** VALIDATE_NA: an absent (empty) string. */
const na = (s: string): string => s || 'n/a';
const hex = (n: number, width: number, upper: boolean): string => {
  const h = n.toString(16).padStart(width, '0');
  return upper ? h.toUpperCase() : h;
};

// ---- ATDS

/** ATDS signal indexes to text (3GPP TS 27.007 +CSQ/+CESQ scales). */
function printAtdsSignal(ctx: Context, r: ResponseOf<typeof atds.cids.signal>): void {
  const ber = ['< 0.2%', '0.2% - 0.39%', '0.4% - 0.79%', '0.8% - 1.59%', '1.6% - 3.19%', '3.2% - 6.39%', '6.4% - 12.79%', '> 12.8%'];
  const scale = (x: number, below: string, top: number, at: (x: number) => string, above: string): string | undefined =>
    x === 0 ? below : x < top ? at(x) : x === top ? above : undefined;
  const rssi = r.rssi <= 31 ? `${-113 + 2 * r.rssi} dBm` : undefined;
  const lines = [
    ['      RSSI', rssi],
    ['       BER', ber[r.errorRate] ?? `unknown (${r.errorRate})`],
    ['      RSCP', scale(r.rscp, '< -120 dBm', 96, (x) => `${-120 + x} dBm`, '>= -24 dBm')],
    ['     Ec/No', scale(r.ecno, '< -24 dBm', 49, (x) => `${(-24 + x / 2).toFixed(2)} dBm`, '>= 0.5 dBm')],
    ['      RSRQ', scale(r.rsrq, '< -19.5 dBm', 34, (x) => `${(-19.5 + x / 2).toFixed(2)} dBm`, '>= -2.5 dBm')],
    ['      RSRP', scale(r.rsrp, '< -140 dBm', 97, (x) => `${-140 + x} dBm`, '>= -43 dBm')],
    ['     RSSNR', scale(r.rssnr, '< -5 dB', 35, (x) => `${-5 + x} dB`, '>= 30 dB')],
  ];
  ctx.out(`[${ctx.path}] Signal info retrieved:\n${lines.map(([k, x]) => `\t${k}: ${x ?? 'unknown'}\n`).join('')}`);
}

function printAtdsLocation(ctx: Context, r: ResponseOf<typeof atds.cids.location>): void {
  ctx.out(`[${ctx.path}] Cell location retrieved:\n\t       LAC: ${hex(r.lac, 4, false)}\n\t       TAC: ${hex(r.tac, 4, false)}\n\t   Cell ID: ${hex(r.cellId, 4, false)}\n`);
}

// ---- MS Basic Connect Extensions

function printSysCaps(ctx: Context, r: ResponseOf<typeof ext.sysCaps>): void {
  ctx.out(
    `[${ctx.path}] Successfully queried sys caps\n` +
      `[${ctx.path}] System capabilities retrieved:\n` +
      `\t Number of executors: '${r.numberOfExecutors}'\n` +
      `\t     Number of slots: '${r.numberOfSlots}'\n` +
      `\t         Concurrency: '${r.concurrency}'\n` +
      `\t            Modem ID: '${r.modemId}'\n`,
  );
}

function printSlotMappings(updated: boolean) {
  return (ctx: Context, r: ResponseOf<typeof ext.deviceSlotMappings>): void => {
    ctx.out(`[${ctx.path}] ${updated ? 'Updated slot mappings' : 'Slot mappings'} retrieved:\n${r.slotMap.map((m, i) => `\t Executor '${i}': slot '${m.slot}'\n`).join('')}`);
  };
}

/** One cell's lines: labels padded as mbimcli pads them, 0xFFFFFFFF (or the field's own invalid value) as unknown. */
type Line = [label: string, value: (c: any) => string | undefined];
const uintLine = (label: string, key: string, units = ''): Line => [label, (c) => (c[key] === 0xffffffff ? undefined : `${c[key]}${units}`)];
const intLine = (label: string, key: string, invalid: number, units: string): Line => [label, (c) => (c[key] === invalid ? undefined : `${c[key]}${units}`)];
const scaledLine = (label: string, key: string, scale: number, units: string): Line => [label, (c) => (c[key] === 0xffffffff ? undefined : `${(c[key] | 0) + scale}${units}`)];

const CELLS: { serving: [string, string, string]; neighbours: [string, string]; key: string; lines: Line[]; neighbourLines: Line[] }[] = [
  {
    key: 'gsm', serving: ['GSM serving cell', 'GSM serving cell', '    Provider id'], neighbours: ['Neighboring GSM cells', '    Provider id'],
    lines: [uintLine('            LAC', 'locationAreaCode'), uintLine('        Cell ID', 'cellId'), uintLine(' Timing advance', 'timingAdvance', ' bit periods'), uintLine('          ARFCN', 'arfcn'), uintLine('Base station ID', 'baseStationId'), scaledLine('       Rx level', 'rxLevel', -110, ' dBm')],
    neighbourLines: [uintLine('            LAC', 'locationAreaCode'), uintLine('        Cell ID', 'cellId'), uintLine('          ARFCN', 'arfcn'), uintLine('Base station ID', 'baseStationId'), scaledLine('       Rx level', 'rxLevel', -110, ' dBm')],
  },
  {
    key: 'umts', serving: ['UMTS Serving cell', 'UMTS serving cell', '            Provider id'], neighbours: ['Neighboring UMTS cells', '            Provider id'],
    lines: [
      uintLine('                    LAC', 'locationAreaCode'), uintLine('                Cell id', 'cellId'), uintLine('  Frequency info uplink', 'frequencyInfoUl'),
      uintLine('Frequency info downlink', 'frequencyInfoDl'), uintLine('     Frequency info TDD', 'frequencyInfoNt'), uintLine('                 UARFCN', 'uarfcn'),
      uintLine('Primary Scrambling Code', 'primaryScramblingCode'), intLine('                   RSCP', 'rscp', 0, ' dBm'), intLine('                   ECNO', 'ecno', 1, ' dBm'),
      uintLine('              Path loss', 'pathLoss'),
    ],
    neighbourLines: [
      uintLine('                    LAC', 'locationAreaCode'), uintLine('                Cell id', 'cellId'), uintLine('                 UARFCN', 'uarfcn'),
      uintLine('Primary Scrambling Code', 'primaryScramblingCode'), intLine('                   RSCP', 'rscp', 0, ' dBm'), intLine('                   ECNO', 'ecno', 1, ' dBm'),
      uintLine('              Path loss', 'pathLoss'),
    ],
  },
  {
    key: 'tdscdma', serving: ['TDSCDMA Serving cell', 'TDSCDMA serving cell', '      Provider id'], neighbours: ['Neighboring TDSCDMA cells', '      Provider id'],
    lines: [
      uintLine('              LAC', 'locationAreaCode'), uintLine('          Cell id', 'cellId'), uintLine('           UARFCN', 'uarfcn'), uintLine('Cell parameter id', 'cellParameterId'),
      uintLine('   Timing advance', 'timingAdvance'), intLine('             RSCP', 'rscp', -1, ' dBm'), uintLine('        Path loss', 'pathLoss'),
    ],
    neighbourLines: [
      uintLine('              LAC', 'locationAreaCode'), uintLine('          Cell id', 'cellId'), uintLine('           UARFCN', 'uarfcn'), uintLine('Cell parameter id', 'cellParameterId'),
      uintLine('   Timing advance', 'timingAdvance'), intLine('             RSCP', 'rscp', -1, ' dBm'), uintLine('        Path Loss', 'pathLoss'),
    ],
  },
  {
    key: 'lte', serving: ['LTE Serving cell', 'LTE serving cell', '      Provider id'], neighbours: ['Neighboring LTE cells', '      Provider id'],
    lines: [
      uintLine('          Cell id', 'cellId'), uintLine('           EARFCN', 'earfcn'), uintLine(' Physical cell id', 'physicalCellId'), uintLine('              TAC', 'tac'),
      intLine('             RSRP', 'rsrp', -1, ' dBm'), intLine('             RSRQ', 'rsrq', -1, ' dBm'), uintLine('   Timing advance', 'timingAdvance'),
    ],
    neighbourLines: [
      uintLine('          Cell id', 'cellId'), uintLine('           EARFCN', 'earfcn'), uintLine(' Physical cell id', 'physicalCellId'), uintLine('              TAC', 'tac'),
      intLine('             RSRP', 'rsrp', -1, ' dBm'), intLine('             RSRQ', 'rsrq', -1, ' dBm'),
    ],
  },
];

const u64Line = (label: string, key: string, units = ''): Line => [label, (c) => (c[key] === 0xffffffffffffffffn ? undefined : `${c[key]}${units}`)];
const NR_SIGNAL: Line[] = [
  uintLine('Physical cell id', 'physicalCellId'), uintLine('             TAC', 'tac'), scaledLine('            RSRP', 'rsrp', -156, ' dBm'),
  scaledLine('            RSRQ', 'rsrq', -43, ' dB'), scaledLine('            SINR', 'sinr', -23, ' dB'),
];
const NR_SERVING: Line[] = [u64Line('             NCI', 'nci'), NR_SIGNAL[0]!, uintLine('         NRARFCN', 'nrarfcn'), ...NR_SIGNAL.slice(1), u64Line('  Timing advance', 'timingAdvance', ' us')];

type BaseStations = ResponseOf<typeof ext.baseStationsInfo> | ResponseOf<typeof ext.baseStationsInfoV3>;

/**
 * `--ms-query-base-stations-info` as mbimcli 1.28 prints an MBIM 1.0 or MBIMEx 3.0 answer (3.0: the
 * data subclass and NR cells). CDMA cells print as "n/a" only: mbimcli's CDMA loop reads past its
 * array (it crashes on a modem that reports some).
 */
function printBaseStations(ctx: Context, r: BaseStations): void {
  const cellLines = (c: any, lines: Line[], indent: string): string => lines.map(([label, f]) => `${indent}${label}: ${f(c) ?? 'unknown'}\n`).join('');
  let s: string;
  if ('systemSubType' in r) s = `System type: ${DataClassV3.list(r.systemType).join(', ') || '(null)'}\nSystem subtype: ${flags(DataSubclass, r.systemSubType)}\n`;
  else s = `System type: ${DataClass.list(r.systemType).join(', ') || '(null)'}\n`;
  const cells = r as unknown as Record<string, any>;
  for (const t of CELLS) {
    const serving = cells[`${t.key}ServingCell`];
    s += serving ? `${t.serving[0]}:\n\t${t.serving[2]}: ${serving.providerId || 'unknown'}\n${cellLines(serving, t.lines, '\t')}` : `${t.serving[1]}: n/a\n`;
    const near: any[] = cells[`${t.key}NeighboringCells`];
    if (near.length === 0) s += `${t.neighbours[0]}: n/a\n`;
    else {
      s += `${t.neighbours[0]}: ${near.length}\n`;
      near.forEach((c, i) => (s += `\tNeighboring cell [${i + 1}]:\n\t\t${t.neighbours[1]}: ${c.providerId || 'unknown'}\n${cellLines(c, t.neighbourLines, '\t\t')}`));
    }
  }
  s += 'CDMA cells: n/a\n';
  const nrServing = 'nrServingCells' in r ? r.nrServingCells : [];
  const nrNear = 'nrNeighborCells' in r ? r.nrNeighborCells : [];
  if (nrServing.length === 0) s += 'Serving NR cells: n/a\n';
  else {
    s += `Serving NR cells: ${nrServing.length}\n`;
    nrServing.forEach((c, i) => (s += `\tServing cell [${i + 1}]:\n\t\t     Provider id: ${c.providerId || 'unknown'}\n${cellLines(c, NR_SERVING, '\t\t')}`));
  }
  if (nrNear.length === 0) s += 'Neighboring NR cells: n/a\n';
  else {
    s += `Neighboring NR cells: ${nrNear.length}\n`;
    nrNear.forEach(
      (c, i) =>
        (s +=
          `\tNeighboring cell [${i + 1}]:\n\t\t  System subtype: ${flags(DataSubclass, c.systemSubType)}\n\t\t     Provider id: ${c.providerId || 'unknown'}\n` +
          `\t\t         Cell id: ${c.cellId || 'unknown'}\n${cellLines(c, NR_SIGNAL, '\t\t')}`),
    );
  }
  ctx.out(s);
}

/** PCO bytes as mbimcli_str_hex gives them: upper case, space separated; none is a NULL printed by glibc as "(null)". */
function printPco(ctx: Context, r: ResponseOf<typeof ext.pco>): void {
  const data = r.pcoDataBuffer.length ? [...r.pcoDataBuffer].map((b) => hex(b, 2, true)).join(' ') : '(null)';
  ctx.out(
    `[${ctx.path}] Successfully queried PCO\n[${ctx.path}] PCO:\n\t   Session ID: '${r.sessionId}'\n\tPCO data type: '${named(PcoType, r.pcoDataType)}'\n` +
      `\tPCO data size: '${r.pcoDataBuffer.length}'\n\t     PCO data: '${data}'\n`,
  );
}

function printLocationInfo(ctx: Context, r: ResponseOf<typeof ext.locationInfoStatus>): void {
  ctx.out(
    `[${ctx.path}] Successfully queried location info status\n` +
      ` Location area code:  ${hex(r.locationAreaCode, 4, true)}\n Tracking area code:  ${hex(r.trackingAreaCode, 6, true)}\n Cell ID:             ${hex(r.cellId, 8, true)}\n`,
  );
}

/** The MBIMEx 3.0 answer has the network's reject cause: printed last, 0 as none and all ones as unknown. */
function printLteAttachInfo(ctx: Context, r: ResponseOf<typeof ext.lteAttachInfo> | ResponseOf<typeof ext.lteAttachInfoV3>): void {
  const v3 = 'nwError' in r;
  let nwError = '';
  if (v3) {
    const name = r.nwError === 0 ? 'none' : r.nwError === 0xffffffff ? 'unknown' : (NwError.nameOf(r.nwError) ?? `unknown (0x${hex(r.nwError, 8, false)})`);
    nwError = `  Network error: ${name}\n`;
  }
  ctx.out(
    `[${ctx.path}] Successfully received ${v3 ? 'v3.0' : 'v1.0'} LTE attach info\n` +
      `  Attach state:  ${raw(LteAttachState, r.lteAttachState)}\n` +
      `  IP type:       ${raw(ContextIpType, r.ipType)}\n` +
      `  Access string: ${na(r.accessString)}\n` +
      `  Username:      ${na(r.userName)}\n` +
      `  Password:      ${r.password ? MASKED : 'n/a'}\n` +
      `  Compression:   ${raw(Compression, r.compression)}\n` +
      `  Auth protocol: ${raw(AuthProtocol, r.authProtocol)}\n` +
      nwError,
  );
}

function printLteAttachConfiguration(ctx: Context, r: ResponseOf<typeof ext.lteAttachConfiguration>): void {
  let s = `[${ctx.path}] Successfully queried LTE attach configuration\n`;
  r.configurations.forEach((c, i) => {
    s +=
      `Configuration ${i}:\n` +
      `  IP type:       ${raw(ContextIpType, c.ipType)}\n` +
      `  Roaming:       ${raw(LteAttachContextRoamingControl, c.roaming)}\n` +
      `  Source:        ${raw(ContextSource, c.source)}\n` +
      `  Access string: ${na(c.accessString)}\n` +
      `  Username:      ${na(c.userName)}\n` +
      `  Password:      ${c.password ? MASKED : 'n/a'}\n` +
      `  Compression:   ${raw(Compression, c.compression)}\n` +
      `  Auth protocol: ${raw(AuthProtocol, c.authProtocol)}\n`;
  });
  ctx.out(s);
}

const pad2 = (n: number): string => String(n).padStart(2, '0');
function printNitz(ctx: Context, r: ResponseOf<typeof msVoiceExtensions.cids.nitz>): void {
  ctx.out(
    'Successfully queried NITZ info from modem:\n' +
      `\t                               Date: ${pad2(r.day)}/${pad2(r.month)}/${r.year}\n` +
      `\t                               Time: ${pad2(r.hour)}:${pad2(r.minute)}:${pad2(r.second)}\n` +
      `\t           Time zone offset minutes: ${r.timeZoneOffsetMinutes}\n` +
      `\tDaylight saving time offset minutes: ${r.daylightSavingTimeOffsetMinutes}\n` +
      `\t                         Data class: ${flags(DataClass, r.dataClass)}\n`,
  );
}

const ms = 'ms-basic-connect-extensions' as const;

/** "MAJOR.MINOR" as BCD digits (mbimcli_read_uint8_from_bcd_string each): "1.0" is 0x0100, "3.10" 0x0310. */
function bcdVersion(text: string, what: string): number {
  const [major, minor] = text.split('.');
  const byte = (d: string | undefined): number | undefined => (d && /^\d+$/.test(d) && parseInt(d, 16) <= 0xff ? parseInt(d, 16) : undefined);
  const [a, b] = [byte(major), byte(minor)];
  if (a === undefined || b === undefined) throw new CliError(`couldn't parse ${what} string`);
  return (a << 8) | b;
}

const versionText = (v: number): string => `${(v >> 8).toString(16)}.${(v & 0xff).toString(16).padStart(2, '0')}`;

/** WCDMA bands as mbimcli lists them: bit n is band n + 1 (bits 0-30). */
const wcdmaBands = (mask: number): number[] => Array.from({ length: 31 }, (_, i) => i + 1).filter((band) => (mask >>> (band - 1)) & 1);

/** MBIMEx 3.0 adds the 5G subclasses and the bands after the executor index; its data subclass is named from the u64's low 32 bits, as mbimcli passes it. */
function printMsDeviceCaps(ctx: Context, r: ResponseOf<typeof ext.deviceCaps> | ResponseOf<typeof ext.deviceCapsV3>): void {
  const v3 = 'dataSubclass' in r;
  printDeviceCaps(ctx, r, v3);
  ctx.out(`\t   Executor Index: '${r.executorIndex}'\n`);
  if (!v3) return;
  ctx.out(
    `\t    Data subclass: '${DataSubclass.list(Number(BigInt.asUintN(32, r.dataSubclass))).join(', ')}'\n` +
      `\t WCDMA band class: '${wcdmaBands(r.wcdmaBandClass).join(', ')}'\n` +
      `\t   LTE band class: '${r.lteBandClass.join(', ')}'\n` +
      `\t    NR band class: '${r.nrBandClass.join(', ')}'\n`,
  );
}

export const msOperations: readonly Operation[] = [
  query('atds-query-signal', atds.cids.signal, printAtdsSignal, 'atds'),
  query('atds-query-location', atds.cids.location, printAtdsLocation, 'atds'),
  {
    option: 'ms-query-pco',
    group: ms,
    arg: 'optional',
    prepare(value) {
      const sessionId = optionalSession(value);
      return async (ctx) => {
        printPco(ctx, await ctx.device.query(ext.pco, { sessionId, pcoDataType: PcoType.names.complete, pcoDataBuffer: new Uint8Array(0) }, seconds(10)));
        return true;
      };
    },
  },
  query('ms-query-sys-caps', ext.sysCaps, printSysCaps, ms),
  query('ms-query-device-caps', [ext.deviceCaps, ext.deviceCapsV3], printMsDeviceCaps, ms),
  {
    option: 'ms-query-slot-info-status',
    group: ms,
    arg: 'required',
    prepare(value) {
      const text = String(value);
      const n = strtollWhole(text);
      if (n === undefined) throw new CliError(`couldn't parse slot index: ${text ? `couldn't parse slot index '${text}'` : 'slot index not given'}`);
      const slotIndex = Number(BigInt.asUintN(32, n));
      return async (ctx) => {
        const r = await ctx.device.query(ext.slotInfoStatus, { slotIndex }, seconds(10));
        ctx.out(`[${ctx.path}] Slot info status retrieved:\n\t        Slot '${r.slotIndex}': '${named(UiccSlotState, r.state)}'\n`);
        return true;
      };
    },
  },
  {
    option: 'ms-set-device-slot-mappings',
    group: ms,
    arg: 'required',
    prepare(value, { out }) {
      out('Asynchronously set device slot mappings\n');
      const parts = splitArgs(String(value));
      if (parts.length === 0) throw new CliError("couldn't parse setting argument: missing arguments");
      const slotMap = parts.map((p) => {
        const n = strtollWhole(p);
        if (n === undefined || n < 0n || n > 0xffffffffn) throw new CliError(`couldn't parse setting argument: couldn't parse device slot index '${p}'`);
        return { slot: Number(n) };
      });
      return async (ctx) => {
        printSlotMappings(true)(ctx, await ctx.device.set(ext.deviceSlotMappings, { slotMap }, seconds(10)));
        return true;
      };
    },
  },
  query('ms-query-device-slot-mappings', ext.deviceSlotMappings, printSlotMappings(false), ms),
  query('ms-query-location-info-status', ext.locationInfoStatus, printLocationInfo, ms),
  {
    // mbimcli asks for up to 15 cells of each kind (MBIMEx 3.0: NR too).
    option: 'ms-query-base-stations-info',
    group: ms,
    arg: 'none',
    prepare: () => async (ctx) => {
      const max = { maxGsmCount: 15, maxUmtsCount: 15, maxTdscdmaCount: 15, maxLteCount: 15, maxCdmaCount: 15 };
      const r = ctx.device.mbimexAtLeast(3)
        ? await ctx.device.query(ext.baseStationsInfoV3, { ...max, maxNrCount: 15 }, seconds(10))
        : await ctx.device.query(ext.baseStationsInfo, max, seconds(10));
      printBaseStations(ctx, r);
      return true;
    },
  },
  query('ms-query-lte-attach-info', [ext.lteAttachInfo, ext.lteAttachInfoV3], printLteAttachInfo, ms),
  query('ms-query-lte-attach-configuration', ext.lteAttachConfiguration, printLteAttachConfiguration, ms),
  query('ms-query-nitz', msVoiceExtensions.cids.nitz, printNitz, 'ms-voice-extensions'),
  {
    // The version exchange by hand: what the function answers is printed (libmbim keeps the version it agreed on open).
    option: 'ms-query-version',
    group: ms,
    arg: 'required',
    prepare(value) {
      const split = String(value).split(',');
      if (split.length > 2) throw new CliError("couldn't parse input string, too many arguments");
      if (split.length < 2) throw new CliError("couldn't parse input string, missing arguments");
      const body = { mbimVersion: bcdVersion(split[0]!, 'version'), mbimExtendedVersion: bcdVersion(split[1]!, 'extended version') };
      return async (ctx) => {
        const r = await ctx.device.query(ext.version, body, seconds(10));
        ctx.out(`[${ctx.path}] Successfully exchanged version information\n MBIM version          : ${versionText(r.mbimVersion)}\n MBIM extended version : ${versionText(r.mbimExtendedVersion)}\n`);
        return true;
      };
    },
  },
];
