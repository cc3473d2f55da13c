/**
 * ModemManager 1.20's D-Bus interfaces, declared as data: each property and method with its D-Bus
 * signature, as the introspection XML gives them. One generic class turns a declaration into a
 * dbus-next interface whose properties are read from a backend, whose methods call the backend's
 * handlers (a method without a handler is refused as Unsupported), and which emits
 * PropertiesChanged for exactly the properties whose value changed.
 */
import dbus from 'dbus-next';
import { MM_NAME, MmError } from './mm-enums.js';

export interface InterfaceDecl {
  name: string;
  /** Property name → signature. */
  properties: Record<string, string>;
  /** Method name → [in signature, out signature]. */
  methods: Record<string, [string, string]>;
  signals?: Record<string, string>;
}

export const MANAGER: InterfaceDecl = {
  name: MM_NAME,
  properties: { Version: 's' },
  methods: { ScanDevices: ['', ''], SetLogging: ['s', ''], ReportKernelEvent: ['a{sv}', ''], InhibitDevice: ['sb', ''] },
};

export const OBJECT_MANAGER: InterfaceDecl = {
  name: 'org.freedesktop.DBus.ObjectManager',
  properties: {},
  methods: { GetManagedObjects: ['', 'a{oa{sa{sv}}}'] },
  signals: { InterfacesAdded: 'oa{sa{sv}}', InterfacesRemoved: 'oas' },
};

export const MODEM: InterfaceDecl = {
  name: `${MM_NAME}.Modem`,
  properties: {
    Sim: 'o',
    SimSlots: 'ao',
    PrimarySimSlot: 'u',
    Bearers: 'ao',
    SupportedCapabilities: 'au',
    CurrentCapabilities: 'u',
    MaxBearers: 'u',
    MaxActiveBearers: 'u',
    MaxActiveMultiplexedBearers: 'u',
    Manufacturer: 's',
    Model: 's',
    Revision: 's',
    CarrierConfiguration: 's',
    CarrierConfigurationRevision: 's',
    HardwareRevision: 's',
    DeviceIdentifier: 's',
    Device: 's',
    Drivers: 'as',
    Plugin: 's',
    PrimaryPort: 's',
    Ports: 'a(su)',
    EquipmentIdentifier: 's',
    UnlockRequired: 'u',
    UnlockRetries: 'a{uu}',
    State: 'i',
    StateFailedReason: 'u',
    AccessTechnologies: 'u',
    SignalQuality: '(ub)',
    OwnNumbers: 'as',
    PowerState: 'u',
    SupportedModes: 'a(uu)',
    CurrentModes: '(uu)',
    SupportedBands: 'au',
    CurrentBands: 'au',
    SupportedIpFamilies: 'u',
  },
  methods: {
    Enable: ['b', ''],
    ListBearers: ['', 'ao'],
    CreateBearer: ['a{sv}', 'o'],
    DeleteBearer: ['o', ''],
    Reset: ['', ''],
    FactoryReset: ['s', ''],
    SetPowerState: ['u', ''],
    SetCurrentCapabilities: ['u', ''],
    SetCurrentModes: ['(uu)', ''],
    SetCurrentBands: ['au', ''],
    SetPrimarySimSlot: ['u', ''],
    GetCellInfo: ['', 'aa{sv}'],
    Command: ['su', 's'],
  },
  signals: { StateChanged: 'iiu' },
};

export const SIMPLE: InterfaceDecl = {
  name: `${MM_NAME}.Modem.Simple`,
  properties: {},
  methods: { Connect: ['a{sv}', 'o'], Disconnect: ['o', ''], GetStatus: ['', 'a{sv}'] },
};

export const MODEM_3GPP: InterfaceDecl = {
  name: `${MM_NAME}.Modem.Modem3gpp`,
  properties: {
    Imei: 's',
    RegistrationState: 'u',
    OperatorCode: 's',
    OperatorName: 's',
    EnabledFacilityLocks: 'u',
    SubscriptionState: 'u',
    EpsUeModeOperation: 'u',
    Pco: 'a(ubay)',
    InitialEpsBearer: 'o',
    InitialEpsBearerSettings: 'a{sv}',
    PacketServiceState: 'u',
    Nr5gRegistrationSettings: 'a{sv}',
  },
  methods: {
    Register: ['s', ''],
    Scan: ['', 'aa{sv}'],
    SetEpsUeModeOperation: ['u', ''],
    SetInitialEpsBearerSettings: ['a{sv}', ''],
    SetNr5gRegistrationSettings: ['a{sv}', ''],
    DisableFacilityLock: ['(us)', ''],
    SetPacketServiceState: ['u', ''],
  },
};

export const SIGNAL: InterfaceDecl = {
  name: `${MM_NAME}.Modem.Signal`,
  properties: { Rate: 'u', RssiThreshold: 'u', ErrorRateThreshold: 'b', Cdma: 'a{sv}', Evdo: 'a{sv}', Gsm: 'a{sv}', Umts: 'a{sv}', Lte: 'a{sv}', Nr5g: 'a{sv}' },
  methods: { Setup: ['u', ''], SetupThresholds: ['a{sv}', ''] },
};

export const SIM: InterfaceDecl = {
  name: `${MM_NAME}.Sim`,
  properties: {
    Active: 'b',
    SimIdentifier: 's',
    Imsi: 's',
    Eid: 's',
    OperatorIdentifier: 's',
    OperatorName: 's',
    EmergencyNumbers: 'as',
    PreferredNetworks: 'a(su)',
    Gid1: 'ay',
    Gid2: 'ay',
    SimType: 'u',
    EsimStatus: 'u',
    Removability: 'u',
  },
  methods: { SendPin: ['s', ''], SendPuk: ['ss', ''], EnablePin: ['sb', ''], ChangePin: ['ss', ''], SetPreferredNetworks: ['a(su)', ''] },
};

export const BEARER: InterfaceDecl = {
  name: `${MM_NAME}.Bearer`,
  properties: {
    Interface: 's',
    Connected: 'b',
    ConnectionError: '(ss)',
    Suspended: 'b',
    Multiplexed: 'b',
    Ip4Config: 'a{sv}',
    Ip6Config: 'a{sv}',
    Stats: 'a{sv}',
    ReloadStatsSupported: 'b',
    IpTimeout: 'u',
    BearerType: 'u',
    ProfileId: 'i',
    Properties: 'a{sv}',
  },
  methods: { Connect: ['', ''], Disconnect: ['', ''] },
};

export type Handler = (...args: never[]) => unknown;

export interface Backend {
  /** Every property's current value, in the JavaScript shape dbus-next marshals for its signature. */
  values(): Record<string, unknown>;
  handlers?: Record<string, Handler>;
}

/** An error with ModemManager's D-Bus name, as clients (libmm-glib) map them. */
export function mmError(name: string, message: string): dbus.DBusError {
  return new dbus.DBusError(name, message);
}

/** A declared interface on the bus, backed by a backend. */
export class Exported extends dbus.interface.Interface {
  private last = new Map<string, string>();

  constructor(
    readonly decl: InterfaceDecl,
    readonly backend: Backend,
  ) {
    super(decl.name);
    for (const [k, v] of Object.entries(backend.values())) this.last.set(k, fingerprint(v));
  }

  /** The properties as a{sv}, for GetManagedObjects and InterfacesAdded. */
  variants(): Record<string, dbus.Variant> {
    const values = this.backend.values();
    return Object.fromEntries(Object.entries(this.decl.properties).map(([name, sig]) => [name, new dbus.Variant(sig, values[name])]));
  }

  /** Emits PropertiesChanged for the properties whose value differs from the last one seen. */
  refresh(): void {
    const changed: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this.backend.values())) {
      const f = fingerprint(v);
      if (this.last.get(k) === f) continue;
      this.last.set(k, f);
      changed[k] = v;
    }
    if (Object.keys(changed).length > 0) dbus.interface.Interface.emitPropertiesChanged(this, changed, []);
  }

  /** Emits a declared signal. */
  emitSignal(name: string, ...args: unknown[]): void {
    (this as unknown as Record<string, (...a: unknown[]) => void>)[name]!(...args);
  }

  async call(method: string, args: unknown[]): Promise<unknown> {
    const h = this.backend.handlers?.[method];
    if (!h) throw mmError(MmError.unsupported, `${this.decl.name}.${method} is not supported by wwankit`);
    try {
      return await (h as (...a: unknown[]) => unknown)(...args);
    } catch (e) {
      // dbus-next would send any other error with its stack; clients get ModemManager's names instead.
      if (e instanceof dbus.DBusError) throw e;
      const name = (e as Error).name === 'ConfigError' ? MmError.invalidArgs : MmError.failed;
      throw mmError(name, (e as Error).message);
    }
  }
}

/** A class per declaration: dbus-next reads members from the prototype. */
const classes = new Map<InterfaceDecl, new (decl: InterfaceDecl, backend: Backend) => Exported>();

export function exportable(decl: InterfaceDecl, backend: Backend): Exported {
  let C = classes.get(decl);
  if (!C) {
    const Declared = class extends Exported {};
    const proto = Declared.prototype as unknown as Record<string, unknown>;
    for (const name of Object.keys(decl.properties)) {
      Object.defineProperty(proto, name, {
        get(this: Exported) {
          return this.backend.values()[name];
        },
      });
    }
    for (const name of Object.keys(decl.methods)) {
      proto[name] = function (this: Exported, ...args: unknown[]) {
        return this.call(name, args);
      };
    }
    for (const name of Object.keys(decl.signals ?? {})) proto[name] = (...args: unknown[]) => (args.length === 1 ? args[0] : args);
    Declared.configureMembers({
      properties: Object.fromEntries(Object.entries(decl.properties).map(([n, signature]) => [n, { signature, access: 'read' as const }])),
      methods: Object.fromEntries(Object.entries(decl.methods).map(([n, [inSignature, outSignature]]) => [n, { inSignature, outSignature }])),
      signals: Object.fromEntries(Object.entries(decl.signals ?? {}).map(([n, signature]) => [n, { signature }])),
    });
    C = Declared;
    classes.set(decl, C);
  }
  return new C(decl, backend);
}

function fingerprint(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));
}
