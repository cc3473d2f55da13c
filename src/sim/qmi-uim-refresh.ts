/**
 * QMI UIM's refresh procedure in front of the card's REFRESH command: hosts register for the files
 * they cache (or for all), hear the start stage naming those of their files that changed, answer
 * Refresh Complete, and hear the end once every host asked has answered (or left). A reset
 * restarts the card: hosts hear it start and end, with nothing to answer.
 */
import { QmiProtocolError, QmiProtocolErrorResponse } from '../qmi/errors.js';
import { uim, UimRefreshMode, UimRefreshStage, UimSessionType } from '../qmi/services/uim.js';
import type { ModemFirmware, SimFileRef, SimRefresh } from './firmware.js';
import type { QmiDeviceEndpoint } from './qmi-endpoint.js';

const sameFile = (a: SimFileRef, b: SimFileRef): boolean => a.fileId === b.fileId && a.path.length === b.path.length && a.path.every((x, i) => x === b.path[i]);

export function serveQmiUimRefresh(ep: QmiDeviceEndpoint, fw: ModemFirmware): void {
  const u = uim.messages;
  /** Registered clients: for every file, or for these. */
  const registered = new Map<number, 'all' | SimFileRef[]>();
  /** The refresh under way: each client told of it, with the files it was named; and those yet to answer. */
  let current: { refresh: SimRefresh; told: Map<number, SimFileRef[]>; awaiting: Set<number> } | undefined;

  const indicate = (cid: number, stage: number, refresh: SimRefresh, files: SimFileRef[]): void => {
    const sessionType = fw.activeSlot === 2 ? UimSessionType.names['card-slot-2'] : UimSessionType.names['card-slot-1'];
    ep.indicate(uim.indications.refresh, cid, { event: { stage, mode: UimRefreshMode.names[refresh.mode], sessionType, applicationIdentifier: [], files } });
  };
  const finish = (): void => {
    if (!current || current.awaiting.size > 0) return;
    const { refresh, told } = current;
    current = undefined;
    for (const [cid, files] of told) if (ep.clientsOf(uim.id).includes(cid)) indicate(cid, UimRefreshStage.names['end-with-success'], refresh, files);
  };
  const leave = (cid: number): void => {
    registered.delete(cid);
    current?.awaiting.delete(cid);
    current?.told.delete(cid);
    finish();
  };

  ep.handle(u.refreshRegister, (v, ctx) => {
    if (v.info.registerFlag) registered.set(ctx.clientId, v.info.files);
    else registered.delete(ctx.clientId);
    return {};
  });
  ep.handle(u.refreshRegisterAll, (v, ctx) => {
    if (v.info.registerFlag) registered.set(ctx.clientId, 'all');
    else registered.delete(ctx.clientId);
    return {};
  });
  ep.handle(u.refreshComplete, (_v, ctx) => {
    if (!current?.awaiting.delete(ctx.clientId)) throw new QmiProtocolErrorResponse(QmiProtocolError.NoEffect, 'simulated');
    queueMicrotask(finish);
    return {};
  });
  ep.onRelease((service, cid) => {
    if (service === uim.id) leave(cid);
  });
  fw.on('reset', () => {
    registered.clear();
    current = undefined;
  });

  fw.on('simRefresh', (refresh) => {
    // A refresh that overtakes one still waiting for hosts ends that one.
    current = { refresh, told: new Map(), awaiting: new Set() };
    for (const [cid, want] of registered) {
      if (!ep.clientsOf(uim.id).includes(cid)) continue;
      const files = want === 'all' ? refresh.files : refresh.files.filter((f) => want.some((w) => sameFile(w, f)));
      if (refresh.mode === 'fcn' && files.length === 0) continue;
      current.told.set(cid, files);
      if (refresh.mode !== 'reset') current.awaiting.add(cid);
      indicate(cid, UimRefreshStage.names.start, refresh, files);
    }
    finish();
  });
}
