/**
 * PDC (service 0x24), persistent device configuration: the carrier configurations (MBNs) the modem
 * stores and the one selected. Each operation answers at once and sends its result later as an
 * indication of the same id carrying the request's token.
 */
import { array, bool8, enumOf, indication, message, optional, required, service, stringU8, struct, u16, u32, u8 } from '../schema.js';

export const PdcConfigurationType = enumOf(u32, { platform: 0, software: 1 });
export const PdcRefreshEventType = enumOf(u32, { start: 0, complete: 1, 'client-refresh': 2 });

const typeWithId = struct({ configType: PdcConfigurationType, id: array(u8) });
const token = optional(0x10, u32);
/** The operation's result: a QMI protocol error code, 0 for none. */
const indicationResult = required(0x01, u16);

export const pdc = service(
  'pdc',
  0x24,
  {
    register: message(0x0020, { enableReporting: optional(0x10, bool8), enableRefresh: optional(0x11, bool8) }, {}),
    configChange: message(0x0021, { typeWithId: required(0x01, typeWithId) }, { typeWithId: optional(0x01, typeWithId) }),
    getSelectedConfig: message(0x0022, { configType: required(0x01, PdcConfigurationType), token }, { token }),
    setSelectedConfig: message(0x0023, { typeWithId: required(0x01, typeWithId), token }, { token }),
    listConfigs: message(0x0024, { token, configType: optional(0x11, PdcConfigurationType) }, {}),
    activateConfig: message(0x0027, { configType: required(0x01, PdcConfigurationType), token }, { token }),
    /** Removes a stored configuration; answered in the response alone. */
    deleteConfig: message(0x0025, { configType: required(0x01, PdcConfigurationType), token, id: required(0x11, array(u8)) }, { token }),
    /** One chunk of a configuration file; the file's SHA-1 is its id. */
    loadConfig: message(
      0x0026,
      { configChunk: optional(0x01, struct({ configType: PdcConfigurationType, id: array(u8), totalSize: u32, chunk: array(u8, 'u16') })), token },
      { token },
    ),
    getConfigInfo: message(0x0028, { typeWithId: required(0x01, typeWithId), token }, {}),
    /** Stops running the active configuration (the modem falls back to its default). */
    deactivateConfig: message(0x002b, { configType: required(0x01, PdcConfigurationType), token }, { token }),
  },
  {
    configChange: indication(0x0021, { typeWithId: optional(0x01, typeWithId) }),
    getSelectedConfig: indication(0x0022, { indicationResult, token, activeId: optional(0x11, array(u8)), pendingId: optional(0x12, array(u8)) }),
    setSelectedConfig: indication(0x0023, { indicationResult, token }),
    listConfigs: indication(0x0024, { indicationResult, token, configs: optional(0x11, array(typeWithId)) }),
    loadConfig: indication(0x0026, {
      token,
      indicationResult,
      received: optional(0x11, u32),
      remainingSize: optional(0x12, u32),
      /** The modem wants the file again from its first chunk. */
      frameReset: optional(0x13, bool8),
    }),
    activateConfig: indication(0x0027, { indicationResult, token }),
    getConfigInfo: indication(0x0028, {
      indicationResult,
      token,
      totalSize: optional(0x11, u32),
      description: optional(0x12, stringU8),
      version: optional(0x13, u32),
    }),
    deactivateConfig: indication(0x002b, { indicationResult, token }),
    refresh: indication(0x002f, { refreshEvent: required(0x01, PdcRefreshEventType), subscriptionId: optional(0x10, u32), slotId: optional(0x11, u32) }),
  },
);
