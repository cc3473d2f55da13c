/**
 * QMI PDC on the simulated modem, over the modem's one image store (qmi-dms-images.ts): its PRI images
 * are the software carrier configurations; there are no platform ones. As Qualcomm firmware does, most
 * operations answer at once with a bare result and send their data in an indication to the asking
 * client with the request's token (ModemManager and qmicli wait for the indications). Selecting a
 * configuration makes it pending (the PRI of the boot preference) with a Config Change to registered
 * clients; activating resets the modem into it; deactivating stops the running one; loading stores a
 * new one from the file's chunks; deleting removes one that does not run. A SIM slot switch refreshes
 * the configuration for the new card (Refresh start and complete to clients registered for them).
 */
import { createHash } from 'node:crypto';
import { QmiProtocolError, QmiProtocolErrorResponse } from '../qmi/errors.js';
import type { IndicationDef, IndicationOf } from '../qmi/schema.js';
import { DmsFirmwareImageType } from '../qmi/services/dms.js';
import { pdc, PdcConfigurationType, PdcRefreshEventType } from '../qmi/services/pdc.js';
import { sameBytes } from '../wire/bytes.js';
import type { ModemFirmware } from './firmware.js';
import { CARRIER_CONFIGS, firmwareVersion, imageStore, type CarrierConfig, type ImageStore, type StoredImage } from './qmi-dms-images.js';
import type { QmiDeviceEndpoint } from './qmi-endpoint.js';

export { CARRIER_CONFIGS, type CarrierConfig };

const PRI = DmsFirmwareImageType.names.pri;
const SOFTWARE = PdcConfigurationType.names.software;
const fail = (code: number): QmiProtocolErrorResponse => new QmiProtocolErrorResponse(code, 'simulated', {});
/** How long after the Activate Config indication the modem reboots (qmicli releases its client first). */
const ACTIVATE_RESET_MS = 100;

/** A configuration file being received chunk by chunk. */
interface Upload {
  id: number[];
  totalSize: number;
  bytes: number[];
}

export function serveQmiPdc(ep: QmiDeviceEndpoint, fw: ModemFirmware, images: ImageStore = imageStore(fw)): void {
  const p = pdc.messages;
  const i = pdc.indications;
  /** Clients that asked for Config Change indications, and those that asked for Refresh ones. */
  const registered = new Set<number>();
  const refreshing = new Set<number>();
  let upload: Upload | undefined;
  const pris = () => images.ofType(PRI);
  const byId = (id: readonly number[]): StoredImage | undefined => pris().images.find((x) => sameBytes(x.uniqueId, id));
  const preferred = (): StoredImage | undefined => {
    const want = images.preference.find((x) => x.type === PRI);
    return want && images.find(PRI, want.uniqueId, want.buildId);
  };
  const pending = (): StoredImage | undefined => {
    const next = preferred();
    return next === pris().running ? undefined : next;
  };
  /** The PRI half of the boot preference: `image`, or none. */
  const prefer = (image: StoredImage | undefined): void => {
    images.preference = [...images.preference.filter((x) => x.type !== PRI), ...(image ? [images.asId(PRI, image)] : [])];
  };
  /** The indication follows the response, to the client that asked, if it is still there. */
  const later = <I extends IndicationDef<any>>(def: I, cid: number, values: IndicationOf<I>): void => {
    setImmediate(() => ep.clientsOf(pdc.id).includes(cid) && ep.indicate(def, cid, values));
  };
  const knownType = (type: number): void => {
    if (type !== SOFTWARE && type !== PdcConfigurationType.names.platform) throw fail(QmiProtocolError.InvalidArgument);
  };
  const tok = (token: number | undefined) => (token !== undefined ? { token } : {});

  ep.handle(p.register, (v, ctx) => {
    if (v.enableReporting) registered.add(ctx.clientId);
    else registered.delete(ctx.clientId);
    if (v.enableRefresh) refreshing.add(ctx.clientId);
    else refreshing.delete(ctx.clientId);
    return {};
  });
  ep.handle(p.listConfigs, (v, ctx) => {
    const type = v.configType ?? SOFTWARE;
    knownType(type);
    const configs = type === SOFTWARE ? pris().images.map((x) => ({ configType: SOFTWARE, id: [...x.uniqueId] })) : [];
    later(i.listConfigs, ctx.clientId, { ...tok(v.token), indicationResult: 0, configs });
    return {};
  });
  ep.handle(p.getConfigInfo, (v, ctx) => {
    knownType(v.typeWithId.configType);
    const image = v.typeWithId.configType === SOFTWARE ? byId(v.typeWithId.id) : undefined;
    if (!image?.config || !image.priVersion) {
      later(i.getConfigInfo, ctx.clientId, { ...tok(v.token), indicationResult: QmiProtocolError.NoEntry });
      return {};
    }
    const { config, priVersion } = image;
    later(i.getConfigInfo, ctx.clientId, { ...tok(v.token), indicationResult: 0, totalSize: config.size, description: config.description, version: priVersion.priVersion });
    return {};
  });
  ep.handle(p.getSelectedConfig, (v, ctx) => {
    knownType(v.configType);
    const active = v.configType === SOFTWARE ? pris().running : undefined;
    const next = v.configType === SOFTWARE ? pending() : undefined;
    // Nothing running (or the platform type, of which none is loaded): Not Provisioned, as firmware says.
    later(i.getSelectedConfig, ctx.clientId, {
      ...tok(v.token),
      indicationResult: active ? 0 : QmiProtocolError.NotProvisioned,
      ...(active ? { activeId: [...active.uniqueId] } : {}),
      ...(next ? { pendingId: [...next.uniqueId] } : {}),
    });
    return tok(v.token);
  });
  ep.handle(p.setSelectedConfig, (v, ctx) => {
    knownType(v.typeWithId.configType);
    const image = v.typeWithId.configType === SOFTWARE ? byId(v.typeWithId.id) : undefined;
    if (!image) {
      later(i.setSelectedConfig, ctx.clientId, { ...tok(v.token), indicationResult: QmiProtocolError.NoEntry });
      return tok(v.token);
    }
    prefer(image);
    later(i.setSelectedConfig, ctx.clientId, { ...tok(v.token), indicationResult: 0 });
    for (const cid of registered) later(i.configChange, cid, { typeWithId: { configType: SOFTWARE, id: [...image.uniqueId] } });
    return tok(v.token);
  });
  ep.handle(p.activateConfig, (v, ctx) => {
    knownType(v.configType);
    if (v.configType !== SOFTWARE || !pending()) {
      later(i.activateConfig, ctx.clientId, { ...tok(v.token), indicationResult: QmiProtocolError.NoEffect });
      return tok(v.token);
    }
    later(i.activateConfig, ctx.clientId, { ...tok(v.token), indicationResult: 0 });
    // Loading a configuration takes a reboot: the indication goes out first, then every client id is gone.
    setTimeout(() => {
      fw.reset();
      fw.setOperatingMode('online');
    }, ACTIVATE_RESET_MS);
    return tok(v.token);
  });
  ep.handle(p.deactivateConfig, (v, ctx) => {
    knownType(v.configType);
    if (v.configType !== SOFTWARE || !pris().running) {
      later(i.deactivateConfig, ctx.clientId, { ...tok(v.token), indicationResult: QmiProtocolError.NoEffect });
      return tok(v.token);
    }
    // The modem runs its built-in default until another configuration is activated.
    pris().running = undefined;
    prefer(undefined);
    later(i.deactivateConfig, ctx.clientId, { ...tok(v.token), indicationResult: 0 });
    return tok(v.token);
  });
  ep.handle(p.deleteConfig, (v) => {
    knownType(v.configType);
    const image = v.configType === SOFTWARE ? byId(v.id) : undefined;
    if (!image) throw fail(QmiProtocolError.NoEntry);
    // The running configuration stays until it is deactivated or another one runs.
    if (image === pris().running) throw fail(QmiProtocolError.InvalidOperation);
    if (image === preferred()) prefer(undefined);
    pris().images.splice(pris().images.indexOf(image), 1);
    return tok(v.token);
  });
  ep.handle(p.loadConfig, (v, ctx) => {
    const c = v.configChunk;
    if (!c) throw fail(QmiProtocolError.MissingArgument);
    knownType(c.configType);
    if (c.configType !== SOFTWARE) throw fail(QmiProtocolError.InvalidArgument);
    // A chunk of another file (or the first one again) starts a new upload.
    if (!upload || !sameBytes(upload.id, c.id) || upload.totalSize !== c.totalSize) upload = { id: [...c.id], totalSize: c.totalSize, bytes: [] };
    const u = upload;
    if (u.bytes.length + c.chunk.length > u.totalSize) {
      upload = undefined;
      later(i.loadConfig, ctx.clientId, { ...tok(v.token), indicationResult: 0, frameReset: true });
      return tok(v.token);
    }
    u.bytes.push(...c.chunk);
    const remaining = u.totalSize - u.bytes.length;
    if (remaining > 0) {
      later(i.loadConfig, ctx.clientId, { ...tok(v.token), indicationResult: 0, received: u.bytes.length, remainingSize: remaining });
      return tok(v.token);
    }
    upload = undefined;
    const t = pris();
    // The file must be the one its id (a SHA-1) names; an id already stored, or a full store, is refused.
    const digest = [...createHash('sha1').update(Buffer.from(u.bytes)).digest()];
    const refusal =
      u.id.length === digest.length && !sameBytes(u.id, digest) ? QmiProtocolError.InvalidArgument
      : byId(u.id) ? QmiProtocolError.NoEffect
      : t.images.length >= t.maximum ? QmiProtocolError.DeviceStorageFull
      : 0;
    if (!refusal) t.images.push(loadedImage(u, fw));
    later(i.loadConfig, ctx.clientId, { ...tok(v.token), indicationResult: refusal, ...(refusal ? {} : { received: u.bytes.length, remainingSize: 0 }) });
    return tok(v.token);
  });

  // Another card in use: the modem refreshes its configuration for it (the first subscription, slots from 0).
  fw.on('slot', (slot: number) => {
    for (const refreshEvent of [PdcRefreshEventType.names.start, PdcRefreshEventType.names.complete]) {
      for (const cid of refreshing) ep.indicate(i.refresh, cid, { refreshEvent, subscriptionId: 0, slotId: slot - 1 });
    }
  });
  ep.onRelease((service, cid) => {
    if (service !== pdc.id) return;
    registered.delete(cid);
    refreshing.delete(cid);
  });
  fw.on('reset', () => {
    registered.clear();
    refreshing.clear();
    upload = undefined;
  });
}

/**
 * A loaded file as a PRI image. The simulator does not parse MBN contents: the configuration is named
 * by its id's first four bytes and has version 0.
 */
function loadedImage(u: Upload, fw: ModemFirmware): StoredImage {
  const tag = Buffer.from(u.id.slice(0, 4)).toString('hex').toUpperCase();
  return {
    uniqueId: [...u.id],
    buildId: `${firmwareVersion(fw)}_MBN${tag}`,
    storageIndex: 255,
    failureCount: 255,
    priVersion: { priVersion: 0, priInfo: `MBN ${tag}` },
    config: { description: `MBN_${tag}`, size: u.totalSize },
  };
}
