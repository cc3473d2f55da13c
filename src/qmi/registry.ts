/** Every declared QMI service, and lookups by the ids found in a QMUX frame. */
import type { AnyService, IndicationDef, MessageDef } from './schema.js';

export type { AnyService };
import { ctl } from './services/ctl.js';
import { dms } from './services/dms.js';
import { nas } from './services/nas.js';
import { pdc } from './services/pdc.js';
import { uim } from './services/uim.js';
import { wda } from './services/wda.js';
import { wds } from './services/wds.js';
import { wms } from './services/wms.js';

export { ctl, dms, nas, pdc, uim, wda, wds, wms };


/** Every QMI service declared. */
export const services: readonly AnyService[] = [ctl, wds, dms, nas, uim, wda, wms, pdc];

const byId = new Map<number, AnyService>(services.map((s) => [s.id, s]));

/** Per service: message id → declaration. Messages and indications may share an id, so they are kept apart. */
const index = <D extends { id: number }>(pick: (s: AnyService) => Record<string, D>): Map<number, Map<number, D>> =>
  new Map(services.map((s) => [s.id, new Map(Object.values(pick(s)).map((d) => [d.id, d]))]));

const messages = index((s) => s.messages);
const indications = index((s) => s.indications);

/** The declaration of a QMI service by id. */
export const findService = (serviceId: number): AnyService | undefined => byId.get(serviceId);

/** The declaration of a QMI message by service and message id. */
export const findMessage = (serviceId: number, messageId: number): MessageDef | undefined =>
  messages.get(serviceId)?.get(messageId);

export const findIndication = (serviceId: number, messageId: number): IndicationDef | undefined =>
  indications.get(serviceId)?.get(messageId);
