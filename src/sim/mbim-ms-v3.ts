/**
 * The MS Basic Connect Extensions CIDs MBIMEx 3.0 brought: 5G registration parameters (kept by the
 * modem, reported back), the modem's configuration (the carrier configuration the SIM selected) and
 * the wake reason (the last Connect response or indication, or network packet an IP packet filter
 * matched, that would have woken a sleeping host). A
 * function that speaks MBIMEx 3.0 answers them to any host, as firmware does; an older one does not
 * know them (NoDeviceSupport).
 */
import { MbimStatus } from '../mbim/protocol.js';
import type { ResponseOf } from '../mbim/service.js';
import { basicConnect } from '../mbim/services/basic-connect.js';
import {
  DefaultPduActivationHint, DrxCycle, LadnInfo, MicoMode, ModemConfigurationStatus, WakeCommand, WakePacket, WakeTlv, WakeTlvType, WakeType, msBasicConnectExtensions,
} from '../mbim/services/ms-basic-connect-extensions.js';
import type { ModemFirmware, RegistrationParameters } from './firmware.js';
import { nick } from './mbim-contexts.js';
import { MbimCommandFailure, type MbimDeviceEndpoint } from './mbim-endpoint.js';

const ext = msBasicConnectExtensions.cids;
const MBIMEX_3 = 0x0300;

const value = <N extends Record<string, number>>(e: { names: N }, n: string): number => e.names[n as keyof N]!;

const registrationValues = (r: RegistrationParameters): ResponseOf<typeof ext.registrationParameters> => ({
  micoMode: value(MicoMode, r.micoMode),
  drxCycle: value(DrxCycle, r.drxCycle),
  ladnInfo: value(LadnInfo, r.ladnInfo),
  defaultPduActivationHint: value(DefaultPduActivationHint, r.defaultPduActivationHint),
  reRegisterIfNeeded: r.reRegisterIfNeeded ? 1 : 0,
  unnamedIes: new Uint8Array(0),
});

/** A wake: the Connect response or indication of a session coming up or going down, or a packet a filter matched. */
type Wake =
  | { type: 'cid-response' | 'cid-indication'; sessionId: number; activated: boolean }
  | { type: 'packet'; sessionId: number; filterId: number; packet: Uint8Array };

/** How much of a waking packet the function keeps. */
const SAVED_PACKET_BYTES = 128;

/** Tells the function a network packet matched a session's IP packet filter (the host would wake for it). */
export type PacketWake = (sessionId: number, filterId: number, packet: Uint8Array) => void;

export function serveMbimMsV3(ep: MbimDeviceEndpoint, fw: ModemFirmware): PacketWake {
  const known = (): void => {
    if ((fw.config.mbimex ?? 0x0100) < MBIMEX_3) throw new MbimCommandFailure(MbimStatus.NoDeviceSupport);
  };

  // ---- Registration parameters: MICO 'default' is the modem's own (disabled); 'unsupported' is only ever an answer.
  ep.query(ext.registrationParameters, () => {
    known();
    return registrationValues(fw.registrationParameters);
  });
  ep.set(ext.registrationParameters, (v) => {
    known();
    const mico = nick(MicoMode, v.micoMode);
    if (mico === 'unsupported' || v.reRegisterIfNeeded > 1) throw new MbimCommandFailure(MbimStatus.InvalidParameters);
    const next: RegistrationParameters = {
      micoMode: mico === 'default' ? 'disabled' : mico,
      drxCycle: nick(DrxCycle, v.drxCycle),
      ladnInfo: nick(LadnInfo, v.ladnInfo),
      defaultPduActivationHint: nick(DefaultPduActivationHint, v.defaultPduActivationHint),
      reRegisterIfNeeded: v.reRegisterIfNeeded === 1,
    };
    Object.assign(fw.registrationParameters, next);
    return registrationValues(fw.registrationParameters);
  });

  // ---- Modem configuration: the SIM's operator selects it; none without a ready SIM.
  const configuration = (): ResponseOf<typeof ext.modemConfiguration> => {
    const ready = fw.simState === 'ready';
    return {
      configurationStatus: ready ? ModemConfigurationStatus.names.completed : ModemConfigurationStatus.names.unknown,
      configurationName: ready ? `${fw.home.name} ${fw.home.mcc}${fw.home.mnc}` : '',
      unnamedIes: new Uint8Array(0),
    };
  };
  ep.query(ext.modemConfiguration, () => {
    known();
    return configuration();
  });
  fw.on('sim', () => {
    if ((fw.config.mbimex ?? 0x0100) >= MBIMEX_3) ep.indicate(ext.modemConfiguration, configuration());
  });

  // ---- Wake reason: sessions the host brought up or down answer it; one the network or a reset ended is indicated.
  let wake: Wake | undefined;
  fw.on('sessionUp', (s) => (wake = { type: 'cid-response', sessionId: s.linkId, activated: true }));
  fw.on('sessionDown', (s, why) => (wake = { type: why === 'host' ? 'cid-response' : 'cid-indication', sessionId: s.linkId, activated: false }));
  ep.query(ext.wakeReason, () => {
    known();
    if (!wake) throw new MbimCommandFailure(MbimStatus.Failure);
    if (wake.type === 'packet') {
      const packet = wake.packet.subarray(0, SAVED_PACKET_BYTES);
      const data = WakePacket.encode({ filterId: wake.filterId, originalPacketSize: wake.packet.length, packet });
      return { wakeType: WakeType.names.packet, sessionId: wake.sessionId, wakeTlv: WakeTlv.encode({ tlvType: WakeTlvType.packet, reservedAndPadding: 0, data }) };
    }
    const payload = new Uint8Array(4);
    new DataView(payload.buffer).setUint32(0, wake.activated ? 1 : 0, true);
    const data = WakeCommand.encode({ service: basicConnect.uuid, cid: basicConnect.cids.connect.id, payload });
    return {
      wakeType: WakeType.names[wake.type],
      sessionId: wake.sessionId,
      wakeTlv: WakeTlv.encode({ tlvType: WakeTlvType.command, reservedAndPadding: 0, data }),
    };
  });
  return (sessionId, filterId, packet) => (wake = { type: 'packet', sessionId, filterId, packet: Uint8Array.from(packet) });
}
