/**
 * The daemon's radio and SIM control methods (params checked by api.ts): scan, registration, modes,
 * bands, cells, signal reporting, SIM locks, slots, APDUs, numbers, power, resets. Every call goes
 * through the modem's ModemRadio (src/modem/radio.ts); its RadioErrors answer as `refused` errors.
 */
import type { Manager } from '../modem/manager.js';
import { RadioError, type ModemRadio } from '../modem/radio-driver.js';
import { ParamsError, type Handlers } from './protocol.js';

export type RadioMethod =
  | 'scan'
  | 'register'
  | 'modes'
  | 'setModes'
  | 'bands'
  | 'setBands'
  | 'cells'
  | 'signalSetup'
  | 'simLocks'
  | 'simLockDisable'
  | 'pinEnable'
  | 'pinChange'
  | 'slots'
  | 'setSlot'
  | 'apduOpen'
  | 'apdu'
  | 'apduClose'
  | 'numbers'
  | 'preferredNetworks'
  | 'power'
  | 'initialEps'
  | 'packetService'
  | 'carrierConfig'
  | 'nr5gRegistration'
  | 'pco'
  | 'emergencyNumbers'
  | 'reset'
  | 'factoryReset';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

export function radioHandlers(m: Manager): Pick<Handlers, RadioMethod> {
  const radio = (id: string): ModemRadio => {
    const modem = m.get(id);
    if (!modem.radio) throw new RadioError('not-supported', `${id}'s driver offers no radio or SIM control`);
    return modem.radio;
  };
  const empty = {};
  return {
    scan: async ({ modem }) => ({ networks: await radio(modem).scan() }),
    register: async ({ modem, mcc, mnc, tech }) => {
      if ((mcc === undefined) !== (mnc === undefined)) throw new ParamsError('give mcc and mnc together, or neither for automatic registration');
      if (tech !== undefined && mcc === undefined) throw new ParamsError('tech needs an operator (mcc and mnc)');
      await radio(modem).register(mcc === undefined ? { mode: 'automatic' } : { mode: 'manual', mcc, mnc: mnc!, ...(tech !== undefined ? { tech } : {}) });
      return empty;
    },
    modes: ({ modem }) => radio(modem).modes(),
    setModes: async ({ modem, allowed, preferred }) => {
      if (preferred !== undefined && !allowed.includes(preferred)) throw new ParamsError(`the preferred technology ${preferred} must be one of the allowed ones`);
      if (new Set(allowed).size !== allowed.length) throw new ParamsError('params.allowed names a technology twice');
      const r = radio(modem);
      await r.setModes({ allowed, ...(preferred !== undefined ? { preferred } : {}) });
      return r.modes();
    },
    bands: ({ modem }) => radio(modem).bands(),
    setBands: async ({ modem, bands }) => {
      const r = radio(modem);
      await r.setBands(bands);
      return r.bands();
    },
    cells: async ({ modem }) => ({ cells: await radio(modem).cells() }),
    signalSetup: async ({ modem, ...t }) => {
      await radio(modem).setSignalThresholds(t);
      return empty;
    },
    simLocks: async ({ modem }) => {
      const r = radio(modem);
      const retries = await r.retries();
      const enabled = await r.pin1Enabled?.();
      const pin2 = await r.pin2Enabled?.();
      // A modem that cannot tell its personalizations still tells its PIN tries.
      const personalization = await r.personalization().catch(() => undefined);
      return { retries, ...(enabled !== undefined ? { pin1Enabled: enabled } : {}), ...(pin2 !== undefined ? { pin2Enabled: pin2 } : {}), ...(personalization ? { personalization } : {}) };
    },
    simLockDisable: ({ modem, facility, key }) => radio(modem).disablePersonalization(facility, key),
    pinEnable: ({ modem, lock, pin, enable }) => radio(modem).enablePin(lock, pin, enable),
    pinChange: ({ modem, lock, pin, newPin }) => radio(modem).changePin(lock, pin, newPin),
    slots: async ({ modem }) => ({ slots: await radio(modem).slots() }),
    setSlot: async ({ modem, slot }) => {
      const r = radio(modem);
      await r.setPrimarySlot(slot);
      return { slots: await r.slots() };
    },
    apduOpen: async ({ modem, aid }) => ({ channel: await radio(modem).openChannel(bytes(aid)) }),
    apdu: async ({ modem, channel, apdu }) => ({ response: hex(await radio(modem).transmitApdu(channel, bytes(apdu))) }),
    apduClose: async ({ modem, channel }) => {
      await radio(modem).closeChannel(channel);
      return empty;
    },
    numbers: async ({ modem }) => ({ numbers: await radio(modem).ownNumbers() }),
    preferredNetworks: async ({ modem, networks }) => {
      const r = radio(modem);
      if (networks !== undefined) await r.setPreferredNetworks(networks);
      return { networks: await r.preferredNetworks() };
    },
    power: async ({ modem, state }) => {
      const r = radio(modem);
      if (state !== undefined) await r.setPower(state);
      return { state: await r.power() };
    },
    initialEps: async ({ modem, settings }) => {
      const r = radio(modem);
      if (settings !== undefined) await r.setInitialEps(settings);
      const eps = await r.initialEps();
      return { settings: eps.settings, bearer: eps.bearer ?? null };
    },
    packetService: async ({ modem, state }) => {
      const r = radio(modem);
      if (state !== undefined) await r.setPacketService(state);
      return { state: await r.packetService() };
    },
    carrierConfig: async ({ modem }) => {
      const c = await radio(modem).carrierConfig();
      return { name: c.name, revision: c.revision ?? null };
    },
    nr5gRegistration: async ({ modem, settings }) => {
      const r = radio(modem);
      if (settings !== undefined) await r.setNr5gRegistration(settings);
      return r.nr5gRegistration();
    },
    pco: async ({ modem }) => ({ pco: (await radio(modem).pco()).map((p) => ({ sessionId: p.sessionId, complete: p.complete, data: hex(p.data) })) }),
    emergencyNumbers: async ({ modem }) => ({ numbers: await radio(modem).emergencyNumbers() }),
    reset: async ({ modem }) => {
      await radio(modem).reset();
      return empty;
    },
    factoryReset: async ({ modem, code }) => {
      await radio(modem).factoryReset(code);
      return empty;
    },
  };
}
