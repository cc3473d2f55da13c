/**
 * The attach side of ModemManager's Modem3gpp and Sim objects: the initial EPS bearer as ModemManager
 * exports it (a Bearer of type default-attach, connected, without a data interface, its Properties the
 * settings the modem attached with; there while the modem is attached to LTE, replaced when those
 * change), and the values these interfaces show from the daemon's answers.
 */
import dbus from 'dbus-next';
import type { EpsBearerSettings, Nr5gRegistration, PacketServiceState, SimSlot } from '../modem/radio-driver.js';
import { BEARER, exportable, mmError, type Exported } from './interfaces.js';
import { BearerType, MmError, Modem3gppPacketServiceState, SimEsimStatus, SimRemovability } from './mm-enums.js';
import { epsProperties, ipConfig, nr5gProperties } from './values.js';

export class EpsBearerObject {
  private current: { path: string; iface: Exported; key: string } | undefined;

  constructor(
    private readonly bus: dbus.MessageBus,
    private readonly nextPath: () => string,
  ) {}

  /** InitialEpsBearer: the object's path, or "/" while there is none. */
  get path(): string {
    return this.current?.path ?? '/';
  }

  /** The bearer the modem attached with now (null: not attached); a new object when its settings changed, as ModemManager makes one. */
  update(bearer: EpsBearerSettings | null | undefined): void {
    const key = bearer ? JSON.stringify(epsProperties(bearer)) : '';
    if (key === (this.current?.key ?? '')) return;
    this.drop();
    if (!bearer) return;
    const iface = exportable(BEARER, {
      values: () => ({
        Interface: '',
        Connected: true,
        ConnectionError: ['', ''],
        Suspended: false,
        Multiplexed: false,
        Ip4Config: ipConfig(undefined),
        Ip6Config: ipConfig(undefined),
        Stats: {},
        ReloadStatsSupported: false,
        IpTimeout: 20,
        BearerType: BearerType.defaultAttach,
        ProfileId: -1,
        Properties: epsProperties(bearer),
      }),
      handlers: {
        Connect: () => {
          throw mmError(MmError.failed, "Bearer doesn't allow explicit connection requests");
        },
        Disconnect: () => {
          throw mmError(MmError.failed, "Bearer doesn't allow explicit disconnection requests");
        },
      },
    });
    this.current = { path: this.nextPath(), iface, key };
    this.bus.export(this.current.path, iface);
  }

  drop(): void {
    if (!this.current) return;
    (this.bus.unexport as (path: string) => void).call(this.bus, this.current.path);
    this.current = undefined;
  }
}

/** What Modem3gpp shows of the attach: the settings, the bearer, the packet service state and the PCOs. */
export interface Modem3gppRadio {
  eps?: { settings: EpsBearerSettings };
  packet?: PacketServiceState;
  nr5g?: Nr5gRegistration;
  pco?: { sessionId: number; complete: boolean; data: string }[];
}

/**
 * Modem3gpp's attach properties. SubscriptionState and EpsUeModeOperation stay unknown: ModemManager
 * 1.20 fills neither for QMI or MBIM modems. Nr5gRegistrationSettings is empty unless the modem has
 * them (MBIM modems that agreed on MBIMEx 3.0).
 */
export function modem3gppValues(radio: Modem3gppRadio, epsBearer: EpsBearerObject, registered: boolean): Record<string, unknown> {
  const P = Modem3gppPacketServiceState;
  return {
    SubscriptionState: 0,
    EpsUeModeOperation: 0,
    Pco: (radio.pco ?? []).map((p) => [p.sessionId, p.complete, Buffer.from(p.data, 'hex')]),
    InitialEpsBearer: epsBearer.path,
    InitialEpsBearerSettings: radio.eps ? epsProperties(radio.eps.settings) : {},
    // Where the modem cannot say, registered means attached (the modem attaches automatically).
    PacketServiceState: radio.packet ? P[radio.packet] : registered ? P.attached : P.detached,
    Nr5gRegistrationSettings: radio.nr5g ? nr5gProperties(radio.nr5g) : {},
  };
}

/** Sim's EsimStatus and Removability as the slot list says them (MBIM: slot state and MBIMEx 3.0's ready-status flags; QMI: unknown, as ModemManager). */
export function simCardValues(slot: SimSlot | undefined): { EsimStatus: number; Removability: number } {
  return {
    EsimStatus: slot?.esim === 'with-profiles' ? SimEsimStatus.withProfiles : slot?.esim === 'no-profiles' ? SimEsimStatus.noProfiles : SimEsimStatus.unknown,
    Removability: slot?.removable === undefined ? SimRemovability.unknown : slot.removable ? SimRemovability.removable : SimRemovability.notRemovable,
  };
}
