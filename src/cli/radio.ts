/**
 * Radio and SIM control through the daemon: `wwan scan|register|modes|bands|cells|signal-setup|slots|
 * numbers|power|initial-eps|packet-service|reset MODEM`, `wwan apdu open|send|close`, `wwan sim-pin [ACTION] MODEM`,
 * `wwan sim-lock MODEM [--disable FACILITY]`. Every one
 * takes --json; codes come from files, a prompt or stdin (codes.ts), never needed on the command line.
 */
import { Argument, Command, Option } from 'commander';
import type { CellInfoView, Params, RadioBandsView, RadioModesView, Result, ScannedNetworkView, SimSlotView } from '../daemon/api.js';
import { readCodes, type CodeSource } from './codes.js';
import { EXIT, stdOutput, table, withDaemon } from './manage.js';
import { runSimPin } from './service.js';

interface Common {
  socket?: string;
  json?: boolean;
}

type Tech = Params<'setModes'>['allowed'][number];
const TECHS: readonly Tech[] = ['gsm', 'umts', 'lte', 'nr5g'];

export const networksText = (r: { networks: ScannedNetworkView[] }): string =>
  r.networks.length === 0 ? 'no networks found\n' : table([['MCCMNC', 'NAME', 'TECH', 'STATUS'], ...r.networks.map((n) => [`${n.mcc}${n.mnc}`, n.name, n.tech, n.status])]);

const modeText = (m: { allowed: string[]; preferred?: string }): string => `${m.allowed.join('+')}${m.preferred ? ` (preferred ${m.preferred})` : ''}`;
export const modesText = (r: RadioModesView): string => `current    ${modeText(r.current)}\nsupported  ${r.supported.map(modeText).join(', ')}\n`;

const bandList = (bands: { tech: string; band: number }[]): string => bands.map((b) => `${b.tech}:${b.band}`).join(' ') || 'none';
export const bandsText = (r: RadioBandsView): string => `current    ${r.current.length === 0 ? 'any' : bandList(r.current)}\nsupported  ${bandList(r.supported)}\n`;

export const cellsText = (r: { cells: CellInfoView[] }): string =>
  r.cells.length === 0
    ? 'no cells reported\n'
    : table([
        ['', 'TECH', 'PLMN', 'CELL ID', 'AREA', 'ARFCN', 'BAND', 'PCI', 'RSSI', 'RSRP', 'RSRQ', 'SNR'],
        ...r.cells.map((c) => [c.serving ? 'serving' : 'neighbour', c.tech, c.mcc !== undefined ? `${c.mcc}${c.mnc ?? ''}` : undefined, c.cellId, c.areaCode, c.arfcn, c.band, c.pci, c.rssi, c.rsrp, c.rsrq, c.snr]),
      ]);

export const slotsText = (r: { slots: SimSlotView[] }): string =>
  table([['SLOT', 'ACTIVE', 'CARD', 'PRESENT', 'ICCID', 'EID'], ...r.slots.map((s) => [s.slot, s.active ? '*' : '', s.kind, s.present ? 'yes' : 'no', s.iccid, s.eid])]);

const epsLine = (e: { apn: string; ipType?: string; auth?: string; user?: string }): string => [`apn ${e.apn || '(none)'}`, e.ipType, e.auth && `auth ${e.auth}`, e.user && `user ${e.user}`].filter(Boolean).join(', ');
type Nr5g = Result<'nr5gRegistration'>;
const epsText = (modem: string, r: Result<'initialEps'>): string => `${modem}: attach settings ${epsLine(r.settings)}\n${modem}: attached with ${r.bearer ? epsLine(r.bearer) : 'nothing (not attached to LTE)'}\n`;

const retriesText = (modem: string, r: Result<'simLocks'>): string => {
  const parts = (['pin1', 'puk1', 'pin2', 'puk2'] as const).filter((k) => r.retries[k] !== undefined).map((k) => `${k.toUpperCase()} ${r.retries[k]}`);
  const enabled = r.pin1Enabled === undefined ? '' : `; PIN1 ${r.pin1Enabled ? 'enabled' : 'disabled'}`;
  return `${modem}: tries left ${parts.join(', ') || 'unknown'}${enabled}\n`;
};

type SimLockFacility = Params<'simLockDisable'>['facility'];
const SIM_LOCK_FACILITIES: readonly SimLockFacility[] = ['network', 'network-subset', 'service-provider', 'corporate'];

const simLocksText = (modem: string, r: Result<'simLocks'>): string =>
  r.personalization === undefined
    ? `${modem}: the modem does not report SIM locks\n`
    : r.personalization.length === 0
      ? `${modem}: no SIM lock enabled\n`
      : table([['LOCK', 'TRIES', 'UNBLOCK TRIES'], ...r.personalization.map((l) => [l.facility, l.retries ?? 'unknown', l.unblockRetries ?? 'unknown'])]);

const REFUSAL_TEXT: Record<NonNullable<Result<'simLockDisable'>['refusal']>, string> = {
  'incorrect-key': 'the key was refused',
  blocked: 'the lock is blocked: no tries left',
  'permanently-blocked': 'the lock is blocked for good',
  'not-enabled': 'that lock is not enabled',
};
const simLockResultText = (modem: string, facility: string) => (r: Result<'simLockDisable'>): string =>
  `${modem}: ${facility} lock ${r.refusal ? `kept: ${REFUSAL_TEXT[r.refusal]}` : 'disabled'}${r.retries !== undefined ? ` (${r.retries} tries left, ${r.unblockRetries ?? 'unknown'} unblock tries)` : ''}\n`;

/** `lte:3`, `nr5g:78`, `gsm:900`: a band by technology and number. */
function parseBand(text: string): { tech: Tech; band: number } {
  const m = /^(gsm|umts|lte|nr5g):(\d{1,5})$/.exec(text.trim());
  if (!m) throw new Error(`a band is TECH:NUMBER (e.g. lte:3, nr5g:78, gsm:900), not ${JSON.stringify(text.slice(0, 32))}`);
  return { tech: m[1] as Tech, band: Number(m[2]) };
}

const techList = (text: string): Tech[] => {
  const list = text.split(/[,+]/).map((s) => s.trim());
  const bad = list.find((t) => !(TECHS as readonly string[]).includes(t));
  if (bad !== undefined) throw new Error(`a technology is one of ${TECHS.join(', ')}, not ${JSON.stringify(bad.slice(0, 16))}`);
  return list as Tech[];
};

/** Runs `fn` unless building its params failed: then a usage error (exit 2). */
async function usage(command: string, fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`wwan ${command}: ${e.message}\n`);
    return EXIT.usage;
  }
}
class UsageError extends Error {}
const check = <T>(f: () => T): T => {
  try {
    return f();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
};
const codes = async (sources: CodeSource[]): Promise<string[]> => readCodes(sources).catch((e: Error) => Promise.reject(new UsageError(e.message)));

const codeResultText = (what: string) => (r: { ok: boolean; retries?: number }) => `${what}${r.ok ? '' : ': the code was refused'}${r.retries !== undefined ? ` (${r.retries} tries left)` : ''}\n`;

const PIN_ACTIONS = ['enable', 'disable', 'change', 'enter', 'unblock', 'retries'] as const;
type PinAction = (typeof PIN_ACTIONS)[number];

interface PinOptions extends Common {
  lock: 'pin1' | 'pin2';
  pin?: string;
  pinFile?: string;
  newPinFile?: string;
  pukFile?: string;
}

/** `wwan sim-pin ACTION MODEM`: one code operation; a refused code exits 1 with the tries left. */
async function runPinAction(action: PinAction, modem: string, o: PinOptions): Promise<number> {
  const out = stdOutput(!!o.json);
  const pin: CodeSource = { what: o.lock === 'pin2' ? 'PIN2' : 'PIN', ...(o.pinFile !== undefined ? { file: o.pinFile } : {}), ...(o.pin !== undefined ? { value: o.pin } : {}) };
  const newPin: CodeSource = { what: `new ${o.lock === 'pin2' ? 'PIN2' : 'PIN'}`, ...(o.newPinFile !== undefined ? { file: o.newPinFile } : {}) };
  let refused = false;
  const outcome =
    (what: string) =>
    (r: { ok: boolean; retries?: number }): string => {
      refused = !r.ok;
      return codeResultText(`${modem}: ${what}`)(r);
    };
  let code: number;
  switch (action) {
    case 'retries':
      return withDaemon(o.socket, out, (c) => c.call('simLocks', { modem }), (r) => retriesText(modem, r));
    case 'enable':
    case 'disable': {
      const [p] = await codes([pin]);
      code = await withDaemon(o.socket, out, (c) => c.call('pinEnable', { modem, lock: o.lock, pin: p!, enable: action === 'enable' }), outcome(`${o.lock.toUpperCase()} ${action}d`));
      break;
    }
    case 'change': {
      const [p, n] = await codes([pin, newPin]);
      code = await withDaemon(o.socket, out, (c) => c.call('pinChange', { modem, lock: o.lock, pin: p!, newPin: n! }), outcome(`${o.lock.toUpperCase()} changed`));
      break;
    }
    case 'enter':
    case 'unblock': {
      if (o.lock !== 'pin1') throw new UsageError(`${action} is for PIN1 (PIN2 is entered by the operation that needs it)`);
      const [k, p] = action === 'unblock' ? await codes([{ what: 'PUK', ...(o.pukFile !== undefined ? { file: o.pukFile } : {}) }, newPin]) : [undefined, ...(await codes([pin]))];
      code = await withDaemon(
        o.socket,
        out,
        async (c) => {
          const r = await c.call('unlock', { modem, pin: p!, ...(k !== undefined ? { puk: k } : {}) });
          return { ok: r.unlocked, sim: r.sim, ...(r.retries !== undefined ? { retries: r.retries } : {}) };
        },
        outcome(action === 'unblock' ? 'SIM unblocked, new PIN set' : 'SIM unlocked'),
      );
      break;
    }
  }
  return code === EXIT.ok && refused ? EXIT.refused : code;
}

/** Adds the radio and SIM commands to `program`; `done` takes each action's exit code. */
export function registerRadioCommands(program: Command, socketOpt: (c: Command) => Command, done: (code: number) => void): void {
  const call = <R>(o: Common, fn: Parameters<typeof withDaemon<R>>[2], human: (r: R) => string): Promise<number> => withDaemon(o.socket, stdOutput(!!o.json), fn, human);

  socketOpt(program.command('scan').description('scan for networks (tens of seconds on real modems; progress on stderr)').argument('<modem>')).action(async (modem: string, o: Common) => {
    done(
      await call(
        o,
        async (c) => {
          if (!o.json) {
            c.onEvent((e) => {
              if (e.event === 'radio' && e.modem === modem && e.what === 'scan' && !e.done) process.stderr.write(`scanning ${modem}…\n`);
            });
            await c.call('subscribe');
          }
          return c.call('scan', { modem });
        },
        networksText,
      ),
    );
  });
  socketOpt(
    program
      .command('register')
      .description('register in an operator (MCCMNC, e.g. 00101), or `auto` for the modem\'s own choice; a refusal shows the network\'s cause')
      .argument('<modem>')
      .argument('[operator]', 'MCCMNC or auto', 'auto')
      .addOption(new Option('--tech <tech>', 'only on this technology').choices(TECHS)),
  ).action(async (modem: string, operator: string, o: Common & { tech?: Tech }) => {
    done(
      await usage('register', () => {
        const m = check(() => {
          if (operator === 'auto') return undefined;
          const x = /^(\d{3})(\d{2,3})$/.exec(operator);
          if (!x) throw new Error(`the operator is MCCMNC (5 or 6 digits) or auto, not ${JSON.stringify(operator.slice(0, 16))}`);
          return { mcc: x[1]!, mnc: x[2]! };
        });
        const params: Params<'register'> = { modem, ...(m ?? {}), ...(o.tech !== undefined ? { tech: o.tech } : {}) };
        return call(o, (c) => c.call('register', params), () => `${modem}: ${m ? `registering in ${m.mcc}${m.mnc}` : 'automatic registration'}\n`);
      }),
    );
  });
  socketOpt(
    program
      .command('modes')
      .description('the allowed access technologies and the preferred one; --allowed (and --preferred) set them')
      .argument('<modem>')
      .option('--allowed <techs>', `allowed technologies, e.g. lte,nr5g (of ${TECHS.join(', ')})`)
      .addOption(new Option('--preferred <tech>', 'the preferred one among them').choices(TECHS)),
  ).action(async (modem: string, o: Common & { allowed?: string; preferred?: Tech }) => {
    done(
      await usage('modes', async () => {
        if (o.allowed === undefined && o.preferred !== undefined) throw new UsageError('--preferred needs --allowed');
        const allowed = o.allowed === undefined ? undefined : check(() => techList(o.allowed!));
        return call(o, (c) => (allowed ? c.call('setModes', { modem, allowed, ...(o.preferred ? { preferred: o.preferred } : {}) }) : c.call('modes', { modem })), modesText);
      }),
    );
  });
  socketOpt(
    program
      .command('bands')
      .description('the current and supported bands; --set or --any change them')
      .argument('<modem>')
      .option('--set <bands>', 'the bands to use, e.g. lte:3,lte:7,nr5g:78')
      .option('--any', 'use every supported band'),
  ).action(async (modem: string, o: Common & { set?: string; any?: boolean }) => {
    done(
      await usage('bands', async () => {
        if (o.set !== undefined && o.any) throw new UsageError('give --set or --any, not both');
        const bands = o.any ? [] : o.set === undefined ? undefined : check(() => o.set!.split(',').map(parseBand));
        return call(o, (c) => (bands ? c.call('setBands', { modem, bands }) : c.call('bands', { modem })), bandsText);
      }),
    );
  });
  socketOpt(program.command('cells').description('the serving and neighbouring cells').argument('<modem>')).action(async (modem: string, o: Common) => {
    done(await call(o, (c) => c.call('cells', { modem }), cellsText));
  });
  socketOpt(
    program
      .command('signal-setup')
      .description('signal reporting: an RSSI change (dB) and error-rate changes that trigger a report, and a polling rate')
      .argument('<modem>')
      .option('--rssi-delta <dB>', 'report when RSSI moves this much (0: off)')
      .option('--error-rate', 'report error-rate changes')
      .option('--rate <seconds>', 'poll every this many seconds (0: off)'),
  ).action(async (modem: string, o: Common & { rssiDelta?: string; errorRate?: boolean; rate?: string }) => {
    const params: Params<'signalSetup'> = { modem, ...(o.rssiDelta !== undefined ? { rssiDelta: Number(o.rssiDelta) } : {}), ...(o.errorRate ? { errorRate: true } : {}), ...(o.rate !== undefined ? { rateSeconds: Number(o.rate) } : {}) };
    done(await call(o, (c) => c.call('signalSetup', params), () => `${modem}: signal reporting set\n`));
  });
  socketOpt(program.command('slots').description('the SIM slots and their cards (ICCID, EID); --set N makes slot N the active one').argument('<modem>').option('--set <slot>', 'the slot to make active (1-based)')).action(
    async (modem: string, o: Common & { set?: string }) => {
      done(await call(o, (c) => (o.set !== undefined ? c.call('setSlot', { modem, slot: Number(o.set) }) : c.call('slots', { modem })), slotsText));
    },
  );
  socketOpt(program.command('numbers').description("the SIM's own numbers").argument('<modem>')).action(async (modem: string, o: Common) => {
    done(await call(o, (c) => c.call('numbers', { modem }), (r) => (r.numbers.length ? `${r.numbers.join('\n')}\n` : 'no own numbers on the SIM\n')));
  });
  socketOpt(program.command('power').description('the radio power state; on, low (radio off) or off sets it').argument('<modem>').addArgument(new Argument('[state]').choices(['on', 'low', 'off']))).action(
    async (modem: string, state: 'on' | 'low' | 'off' | undefined, o: Common) => {
      done(await call(o, (c) => c.call('power', { modem, ...(state ? { state } : {}) }), (r) => `${modem}: power ${r.state}\n`));
    },
  );
  socketOpt(
    program
      .command('initial-eps')
      .description('the initial EPS bearer: the settings the modem attaches to LTE with, and the bearer it attached with; --apn stores new settings')
      .argument('<modem>')
      .option('--apn <apn>', 'the APN to attach with (the modem re-attaches)')
      .addOption(new Option('--ip-type <type>', 'the IP type to attach with').choices(['ipv4', 'ipv6', 'ipv4v6']))
      .addOption(new Option('--auth <auth>', 'the authentication to attach with').choices(['none', 'pap', 'chap', 'both']))
      .option('--user <user>', 'the user name to attach with')
      .option('--password-file <file>', 'a file holding the password (never on the command line)'),
  ).action(async (modem: string, o: Common & { apn?: string; ipType?: 'ipv4' | 'ipv6' | 'ipv4v6'; auth?: 'none' | 'pap' | 'chap' | 'both'; user?: string; passwordFile?: string }) => {
    done(
      await usage('initial-eps', async () => {
        const setting = o.ipType !== undefined || o.auth !== undefined || o.user !== undefined || o.passwordFile !== undefined;
        if (o.apn === undefined && setting) throw new UsageError('give --apn with the other settings');
        const password = o.passwordFile !== undefined ? (await codes([{ what: 'password', file: o.passwordFile }]))[0] : undefined;
        const settings = o.apn === undefined ? undefined : { apn: o.apn, ...(o.ipType ? { ipType: o.ipType } : {}), ...(o.auth ? { auth: o.auth } : {}), ...(o.user !== undefined ? { user: o.user } : {}), ...(password !== undefined ? { password } : {}) };
        return call(o, (c) => c.call('initialEps', { modem, ...(settings ? { settings } : {}) }), (r) => epsText(modem, r));
      }),
    );
  });
  socketOpt(program.command('packet-service').description('packet domain attach: attached or detached sets it (detaching ends the data calls)').argument('<modem>').addArgument(new Argument('[state]').choices(['attached', 'detached']))).action(
    async (modem: string, state: 'attached' | 'detached' | undefined, o: Common) => {
      done(await call(o, (c) => c.call('packetService', { modem, ...(state ? { state } : {}) }), (r) => `${modem}: packet service ${r.state}\n`));
    },
  );
  socketOpt(
    program
      .command('nr5g-registration')
      .description('5G registration settings: MICO mode and DRX cycle (MBIM modems with MBIMEx 3.0); an option left out keeps its value')
      .argument('<modem>')
      .addOption(new Option('--mico <mode>', 'MICO mode').choices(['enabled', 'disabled', 'unsupported', 'unknown']))
      .addOption(new Option('--drx <cycle>', 'DRX cycle (T in radio frames; unknown: the network default)').choices(['32', '64', '128', '256', 'unsupported', 'unknown'])),
  ).action(async (modem: string, o: Common & { mico?: Nr5g['micoMode']; drx?: Nr5g['drxCycle'] }) => {
    const text = (r: Nr5g): string => `${modem}: MICO mode ${r.micoMode}, DRX cycle ${r.drxCycle}\n`;
    done(
      await call(
        o,
        async (c) => {
          const now = await c.call('nr5gRegistration', { modem });
          if (o.mico === undefined && o.drx === undefined) return now;
          return c.call('nr5gRegistration', { modem, settings: { micoMode: o.mico ?? now.micoMode, drxCycle: o.drx ?? now.drxCycle } });
        },
        text,
      ),
    );
  });
  socketOpt(
    program
      .command('reset')
      .description('reset the modem (it comes back, bearers restored); --factory restores factory settings')
      .argument('<modem>')
      .option('--factory [code]', "restore factory settings with the carrier's service code (read from --code-file, a prompt or stdin when not given: given here, `ps` shows it)")
      .option('--code-file <file>', 'a file holding the service code'),
  ).action(async (modem: string, o: Common & { factory?: string | true; codeFile?: string }) => {
    done(
      await usage('reset', async () => {
        if (o.factory === undefined) return call(o, (c) => c.call('reset', { modem }), () => `${modem}: reset\n`);
        const [code] = await codes([{ what: 'service code', ...(typeof o.factory === 'string' ? { value: o.factory } : {}), ...(o.codeFile !== undefined ? { file: o.codeFile } : {}) }]);
        return call(o, (c) => c.call('factoryReset', { modem, code: code! }), () => `${modem}: factory settings restored\n`);
      }),
    );
  });

  const apdu = program.command('apdu').description('APDUs to the SIM on a logical channel (what eSIM tools need): open, send, close');
  socketOpt(apdu.command('open').description('open a logical channel to an application').argument('<modem>').argument('<aid>', 'the application id in hex')).action(async (modem: string, aid: string, o: Common) => {
    done(await call(o, (c) => c.call('apduOpen', { modem, aid }), (r) => `${r.channel}\n`));
  });
  socketOpt(apdu.command('send').description('send a command APDU; prints the response with its status word').argument('<modem>').argument('<channel>').argument('<apdu>', 'the command in hex')).action(
    async (modem: string, channel: string, hex: string, o: Common) => {
      done(await call(o, (c) => c.call('apdu', { modem, channel: Number(channel), apdu: hex.replace(/\s+/g, '') }), (r) => `${r.response}\n`));
    },
  );
  socketOpt(apdu.command('close').description('close a logical channel').argument('<modem>').argument('<channel>')).action(async (modem: string, channel: string, o: Common) => {
    done(await call(o, (c) => c.call('apduClose', { modem, channel: Number(channel) }), () => `channel ${channel} closed\n`));
  });

  socketOpt(
    program
      .command('sim-lock')
      .description('SIM locks (personalizations: the SIMs the modem accepts): the ones enabled with their key\'s tries left; --disable FACILITY lifts one with its control key, from --key-file, else a prompt, else stdin')
      .argument('<modem>')
      .addOption(new Option('--disable <facility>', 'the lock to disable').choices(SIM_LOCK_FACILITIES))
      .option('--key-file <file>', 'a file holding the control key')
      .option('--key <key>', 'the control key itself: `ps` shows it to every user, prefer a file or the prompt'),
  ).action(async (modem: string, o: Common & { disable?: SimLockFacility; keyFile?: string; key?: string }) => {
    if (o.disable === undefined) {
      if (o.key !== undefined || o.keyFile !== undefined) {
        process.stderr.write('wwan sim-lock: a key is for --disable\n');
        return done(EXIT.usage);
      }
      return done(await call(o, (c) => c.call('simLocks', { modem }), (r) => simLocksText(modem, r)));
    }
    const facility = o.disable;
    done(
      await usage('sim-lock', async () => {
        const [key] = await codes([{ what: 'control key', ...(o.keyFile !== undefined ? { file: o.keyFile } : {}), ...(o.key !== undefined ? { value: o.key } : {}) }]);
        let refused = false;
        const code = await call(o, (c) => c.call('simLockDisable', { modem, facility, key: key! }), (r) => {
          refused = !r.ok;
          return simLockResultText(modem, facility)(r);
        });
        return code === EXIT.ok && refused ? EXIT.refused : code;
      }),
    );
  });

  socketOpt(
    program
      .command('sim-pin')
      .description(
        `SIM codes: \`sim-pin MODEM\` shows the lock state (with --pin-file/--puk-file it unlocks like \`wwan unlock\`); \`sim-pin ACTION MODEM\` with ACTION one of ${PIN_ACTIONS.join(', ')}. Codes come from --pin-file/--new-pin-file/--puk-file, else a prompt, else stdin lines`,
      )
      .argument('<action-or-modem>')
      .argument('[modem]')
      .addOption(new Option('--lock <lock>', 'the lock: PIN1 (the SIM PIN) or PIN2').choices(['pin1', 'pin2']).default('pin1'))
      .option('--pin-file <file>', 'a file holding the PIN (legacy form with --puk-file: the new PIN)')
      .option('--new-pin-file <file>', 'a file holding the new PIN (change, unblock)')
      .option('--puk-file <file>', 'a file holding the PUK (unblock)')
      .option('--pin <pin>', 'the PIN itself: `ps` shows it to every user, prefer a file or the prompt'),
  ).action(async (first: string, second: string | undefined, o: PinOptions) => {
    if (second === undefined) return done(await runSimPin(first, o));
    if (!(PIN_ACTIONS as readonly string[]).includes(first)) {
      process.stderr.write(`wwan sim-pin: the action is one of ${PIN_ACTIONS.join(', ')}, not ${JSON.stringify(first.slice(0, 16))}\n`);
      return done(EXIT.usage);
    }
    done(await usage('sim-pin', () => runPinAction(first as PinAction, second, o)));
  });
}
