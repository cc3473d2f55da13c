/**
 * QMI PDC on the simulated modem: the carrier configurations (MBNs) it stores and the one selected.
 * Each request is answered at once and its result follows as an indication to the asking client,
 * with the request's token, as Qualcomm firmware does (ModemManager waits for the indications).
 */
import { QmiProtocolError, QmiProtocolErrorResponse } from '../qmi/errors.js';
import { pdc, PdcConfigurationType } from '../qmi/services/pdc.js';
import type { QmiDeviceEndpoint } from './qmi-endpoint.js';
import { sameBytes } from '../wire/bytes.js';

/** A stored carrier configuration: its id, what it says of itself and its size. */
export interface CarrierConfig {
  id: number[];
  description: string;
  version: number;
  totalSize: number;
}

const textId = (s: string): number[] => [...Buffer.from(s, 'latin1')];

/** The software configurations a global module ships (a generic one selected), ids as such modems give them. */
export const CARRIER_CONFIGS: readonly CarrierConfig[] = [
  { id: textId('ROW_Generic_3GPP_PTCRB'), description: 'ROW_Generic_3GPP', version: 0x0501081f, totalSize: 56_880 },
  { id: textId('Commercial-VZW'), description: 'VZW_IMS', version: 0x05010824, totalSize: 92_464 },
  { id: textId('Commercial-ATT'), description: 'ATT_VoLTE', version: 0x05010a20, totalSize: 88_112 },
];

const SOFTWARE = PdcConfigurationType.names.software;

export function serveQmiPdc(ep: QmiDeviceEndpoint, configs: readonly CarrierConfig[] = CARRIER_CONFIGS): void {
  const m = pdc.messages;
  const ind = pdc.indications;
  let selected: readonly number[] | undefined = configs[0]?.id;
  /** After the answer, on the next turn: the result to the client that asked. */
  const later = (fn: () => void): void => void setImmediate(fn);
  const software = (type: number): void => {
    if (type !== SOFTWARE && type !== PdcConfigurationType.names.platform) throw new QmiProtocolErrorResponse(QmiProtocolError.InvalidArgument, 'simulated', {});
  };

  ep.handle(m.register, () => ({}));
  ep.handle(m.listConfigs, (v, ctx) => {
    // Platform configurations are the modem's own: none listed.
    const list = (v.configType ?? SOFTWARE) === SOFTWARE ? configs.map((c) => ({ configType: SOFTWARE, id: c.id })) : [];
    later(() => ep.indicate(ind.listConfigs, ctx.clientId, { indicationResult: 0, ...(v.token !== undefined ? { token: v.token } : {}), configs: list }));
    return {};
  });
  ep.handle(m.getConfigInfo, (v, ctx) => {
    software(v.typeWithId.configType);
    const c = configs.find((x) => sameBytes(x.id, v.typeWithId.id));
    const token = v.token !== undefined ? { token: v.token } : {};
    later(() =>
      ep.indicate(
        ind.getConfigInfo,
        ctx.clientId,
        c ? { indicationResult: 0, ...token, totalSize: c.totalSize, description: c.description, version: c.version } : { indicationResult: QmiProtocolError.InvalidArgument, ...token },
      ),
    );
    return {};
  });
  ep.handle(m.getSelectedConfig, (v, ctx) => {
    software(v.configType);
    const active = v.configType === SOFTWARE ? selected : undefined;
    // None selected (or a platform type): "not provisioned", as firmware answers.
    later(() =>
      ep.indicate(ind.getSelectedConfig, ctx.clientId, {
        indicationResult: active ? 0 : QmiProtocolError.NotProvisioned,
        ...(v.token !== undefined ? { token: v.token } : {}),
        ...(active ? { activeId: [...active] } : {}),
      }),
    );
    return v.token !== undefined ? { token: v.token } : {};
  });
  ep.handle(m.setSelectedConfig, (v, ctx) => {
    software(v.typeWithId.configType);
    const c = configs.find((x) => sameBytes(x.id, v.typeWithId.id));
    if (c) selected = c.id;
    later(() => ep.indicate(ind.setSelectedConfig, ctx.clientId, { indicationResult: c ? 0 : QmiProtocolError.InvalidArgument, ...(v.token !== undefined ? { token: v.token } : {}) }));
    return v.token !== undefined ? { token: v.token } : {};
  });
}
