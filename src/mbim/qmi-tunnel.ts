/**
 * QMI over MBIM, as libqmi does it: subscribe to the QMI service's CID 1 indications (Device Service
 * Subscribe List), then send each QMUX frame as a COMMAND SET on QMI CID 1; the COMMAND_DONE and
 * INDICATE_STATUS buffers are QMUX frames again. The result is a QmuxPort, so QmiDevice runs unchanged.
 */
import type { QmuxPort } from '../qmi/port.js';
import type { MbimDevice } from './client.js';
import { SET, statusName } from './protocol.js';
import { qmi } from './services/qmi.js';

export interface QmiTunnelOptions {
  /** Per-frame MBIM timeout; the QMI client keeps its own. */
  timeoutMs?: number;
  log?: (line: string) => void;
  /**
   * The MBIM device has other users (the daemon's driver): the QMI notifications are added to its
   * merged subscriptions instead of replacing them, and closing the tunnel leaves the device open.
   * Without it, the tunnel owns the device and subscribes as libqmi does (QMI only).
   */
  shared?: boolean;
}

export async function openQmiTunnel(device: MbimDevice, opts: QmiTunnelOptions = {}): Promise<QmuxPort> {
  const msg = qmi.cids.msg;
  if (opts.shared) await device.subscribe(qmi.uuid, [msg.id]);
  else await device.setSubscribeList([{ deviceServiceId: qmi.uuid, cids: [msg.id] }]);
  const listeners: ((frame: Uint8Array) => void)[] = [];
  const closeListeners: ((error?: Error) => void)[] = [];
  let open = true;
  const deliver = (frame: Uint8Array): void => {
    if (open) for (const l of listeners) l(frame);
  };
  const unlisten = device.onIndication((m) => {
    if (m.service === qmi.uuid && m.cid === msg.id && m.buffer.length > 0) deliver(m.buffer);
  });
  const end = (error?: Error): void => {
    if (!open) return;
    open = false;
    unlisten();
    for (const l of closeListeners) l(error);
  };
  device.onClose(end);
  return {
    description: `${device.description} (QMI over MBIM)`,
    get closed() {
      return !open || device.closed;
    },
    send(frame) {
      if (!open) return;
      const sent = device.command({ service: qmi.uuid, cid: msg.id, commandType: SET, buffer: frame }, { timeoutMs: opts.timeoutMs ?? 30_000 });
      // A lost frame is the QMI client's to time out; here it is only worth a line in the log.
      sent.then(
        (done) => {
          if (done.status !== 0) opts.log?.(`QMI-over-MBIM frame refused: ${statusName(done.status)}`);
          else if (done.buffer.length > 0) deliver(done.buffer);
        },
        (e: Error) => opts.log?.(`QMI-over-MBIM frame lost: ${e.message}`),
      );
    },
    onFrame: (l) => void listeners.push(l),
    onClose: (l) => void closeListeners.push(l),
    close: async () => {
      if (!opts.shared) return device.close();
      end();
    },
  };
}
