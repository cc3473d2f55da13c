/**
 * The modem's firmware image store, as Qualcomm modems with carrier switching keep it: modem images
 * (the firmware) and PRI images (carrier configurations) in slots, one of each running, and the
 * preference of the pair to boot next. Selecting a pair sets the preference; a pair not stored is what
 * the modem will wait for in download mode; a reset boots the preferred pair when both are stored.
 */
import { QmiProtocolError, QmiProtocolErrorResponse } from '../qmi/errors.js';
import { dms, DmsFirmwareImageType } from '../qmi/services/dms.js';
import type { ModemFirmware } from './firmware.js';
import type { QmiDeviceEndpoint } from './qmi-endpoint.js';
import { sameBytes } from '../wire/bytes.js';

const fail = (code: number): QmiProtocolErrorResponse => new QmiProtocolErrorResponse(code, 'simulated', {});

const T = DmsFirmwareImageType.names;

interface StoredImage {
  uniqueId: number[];
  buildId: string;
  /** The flash slot (modem images; 255 where the modem does not say). */
  storageIndex: number;
  failureCount: number;
  bootVersion?: { majorVersion: number; minorVersion: number };
  priVersion?: { priVersion: number; priInfo: string };
}

interface ImageType {
  type: number;
  maximum: number;
  images: StoredImage[];
  running: StoredImage;
}

/** A text id in its 16 bytes, NUL-padded. */
const textId = (id: string): number[] => Array.from({ length: 16 }, (_, i) => (i < id.length ? id.charCodeAt(i) & 0xff : 0));

/** The modem image's unique id on these modems: a wildcard, the build id names it. */
const ANY = textId('?_?');
/** An older carrier package whose PRI carries a binary id (a digest), as some carriers' do. */
const DIGEST_ID = [0x8f, 0x3a, 0x01, 0xc4, 0x5e, 0x92, 0x00, 0x7b, 0xd1, 0x26, 0xaa, 0x40, 0x13, 0xfe, 0x68, 0x05];

export function serveQmiDmsImages(ep: QmiDeviceEndpoint, fw: ModemFirmware): void {
  const d = dms.messages;
  // The running firmware's version as the revision starts with; an older one is kept in the second slot.
  const version = fw.identity.revision.split(' ')[0] ?? 'WK1.0.0';
  const older = 'WK0.9.2';
  const modem = (v: string, slot: number): StoredImage => ({ uniqueId: ANY, buildId: `${v}_?`, storageIndex: slot, failureCount: 0, bootVersion: { majorVersion: 1, minorVersion: slot } });
  const pri = (v: string, carrier: string, uid: number[], n: number): StoredImage => ({
    uniqueId: uid, buildId: `${v}_${carrier}`, storageIndex: 255, failureCount: 255, priVersion: { priVersion: n, priInfo: `${carrier} PRI ${n}` },
  });
  const modems = [modem(version, 1), modem(older, 2)];
  const pris = [pri(version, 'GENERIC', textId('002.026_000'), 2026), pri(version, 'VERIZON', textId('002.029_000'), 2029), pri(older, 'ATT', DIGEST_ID, 2020)];
  const store: ImageType[] = [
    { type: T.modem, maximum: 4, images: modems, running: modems[0]! },
    { type: T.pri, maximum: 50, images: pris, running: pris[0]! },
  ];
  const ofType = (type: number): ImageType => {
    const t = store.find((s) => s.type === type);
    if (!t) throw fail(QmiProtocolError.InvalidArgument);
    return t;
  };
  /** The stored image an id names; a modem image's wildcard unique id matches by build id alone. */
  const find = (type: number, uniqueId: readonly number[], buildId: string): StoredImage | undefined =>
    ofType(type).images.find((i) => i.buildId === buildId && (sameBytes(i.uniqueId, uniqueId) || (type === T.modem && sameBytes(uniqueId, ANY))));
  const asId = (type: number, i: StoredImage) => ({ type, uniqueId: [...i.uniqueId], buildId: i.buildId });
  let preference = store.map((t) => asId(t.type, t.running));

  ep.handle(d.listStoredImages, () => ({
    list: store.map((t) => ({
      type: t.type,
      maximumImages: t.maximum,
      indexOfRunningImage: t.images.indexOf(t.running),
      sublist: t.images.map((i) => ({ storageIndex: i.storageIndex, failureCount: i.failureCount, uniqueId: [...i.uniqueId], buildId: i.buildId })),
    })),
  }));
  ep.handle(d.getStoredImageInfo, (v) => {
    const i = find(v.imageDetails.type, v.imageDetails.uniqueId, v.imageDetails.buildId);
    if (!i) throw fail(QmiProtocolError.NoEntry);
    return { ...(i.bootVersion ? { bootVersion: i.bootVersion } : {}), ...(i.priVersion ? { priVersion: i.priVersion } : {}) };
  });
  ep.handle(d.deleteStoredImage, (v) => {
    const t = ofType(v.imageDetails.type);
    const i = find(v.imageDetails.type, v.imageDetails.uniqueId, v.imageDetails.buildId);
    if (!i) throw fail(QmiProtocolError.NoEntry);
    // The running image stays until another one runs.
    if (i === t.running) throw fail(QmiProtocolError.InvalidOperation);
    t.images.splice(t.images.indexOf(i), 1);
    return {};
  });
  ep.handle(d.getFirmwarePreference, () => ({ list: preference }));
  ep.handle(d.setFirmwarePreference, (v) => {
    const types = v.list.map((i) => i.type);
    // A preference is one modem image and one PRI image.
    if (v.list.length !== 2 || !types.includes(T.modem) || !types.includes(T.pri)) throw fail(QmiProtocolError.InvalidArgument);
    const modemSlot = v.modemStorageIndex;
    if (modemSlot !== undefined && (modemSlot < 1 || modemSlot > ofType(T.modem).maximum)) throw fail(QmiProtocolError.InvalidIndex);
    preference = v.list.map((i) => ({ type: i.type, uniqueId: [...i.uniqueId], buildId: i.buildId }));
    const missing = v.list.filter((i) => v.downloadOverride === true || !find(i.type, i.uniqueId, i.buildId)).map((i) => i.type);
    return { imageDownloadList: missing };
  });

  // A reset boots the preferred pair when the modem has both; the revision then names the firmware running.
  fw.on('reset', () => {
    const chosen = preference.map((p) => find(p.type, p.uniqueId, p.buildId));
    if (chosen.some((c) => !c)) return;
    preference.forEach((p, n) => (ofType(p.type).running = chosen[n]!));
    const running = ofType(T.modem).running.buildId.replace(/_\?$/, '');
    Object.assign(fw.identity, { revision: fw.identity.revision.replace(/^\S+/, running) });
  });
}
