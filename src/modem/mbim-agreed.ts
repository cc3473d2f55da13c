/**
 * Basic Connect's commands in the layouts of the MBIMEx version agreed when the device opened: the
 * daemon asks for 3.0 as ModemManager 1.20 does, and a function that agreed answers and notifies
 * Connect, Register State, Packet Service, Signal State and Subscriber Ready Status in the revised
 * layouts only. Each revision keeps MBIM 1.0's fields, so callers read them alike.
 */
import type { MbimDevice } from '../mbim/client.js';
import { ContextType } from '../mbim/context-types.js';
import { AccessMediaType, basicConnect, basicConnectMbimex } from '../mbim/services/basic-connect.js';
import type { SetOf } from '../mbim/service.js';

const v1 = basicConnect.cids;
const mbx = basicConnectMbimex.cids;

/** Connect's set without the fields a revision adds or fixes (compression off in both). */
export type ConnectValues = Omit<SetOf<typeof v1.connect>, 'compression'>;

export function agreedBasicConnect(device: MbimDevice) {
  const v3 = device.mbimexAtLeast(3);
  return {
    connect: device.pick<typeof v1.connect | typeof mbx.connectV3>(v1.connect, mbx.connectV3),
    registerState: device.pick<typeof v1.registerState | typeof mbx.registerStateV2>(v1.registerState, mbx.registerStateV2),
    packetService: device.pick<typeof v1.packetService | typeof mbx.packetServiceV2 | typeof mbx.packetServiceV3>(v1.packetService, mbx.packetServiceV2, mbx.packetServiceV3),
    signalState: device.pick<typeof v1.signalState | typeof mbx.signalStateV2>(v1.signalState, mbx.signalStateV2),
    subscriberReadyStatus: device.pick<typeof v1.subscriberReadyStatus | typeof mbx.subscriberReadyStatusV3>(v1.subscriberReadyStatus, mbx.subscriberReadyStatusV3),
    /** Activates or deactivates a context; 3.0 adds the media preference (unknown, as ModemManager sends it). */
    setConnect: (values: ConnectValues, opts: { timeoutMs?: number } = {}) =>
      v3
        ? device.set(mbx.connectV3, { ...values, compression: 0, mediaPreference: AccessMediaType.names.unknown, unnamedIes: new Uint8Array() }, opts)
        : device.set(v1.connect, { ...values, compression: 0 }, opts),
    /** A session's state: 3.0 asks with the session id alone, 1.0 with a whole Connect structure. */
    queryConnect: (sessionId: number) =>
      v3
        ? device.query(mbx.connectV3, { sessionId })
        : device.query(v1.connect, { sessionId, activationState: 0, voiceCallState: 0, ipType: 0, contextType: ContextType.internet, nwError: 0 }),
  };
}

export type AgreedBasicConnect = ReturnType<typeof agreedBasicConnect>;
