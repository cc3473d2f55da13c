/** MBIM DSS Connect: opening and closing a device service stream session on the modem. */
import type { MbimDevice } from '../mbim/client.js';
import { MbimStatusError, statusName } from '../mbim/protocol.js';
import { basicConnect } from '../mbim/services/basic-connect.js';
import { DssLinkState, dss } from '../mbim/services/dss.js';
import type { DssDriver } from './driver.js';
import { ConnectError } from './types.js';

export class MbimDss implements DssDriver {
  constructor(private readonly device: MbimDevice) {}

  async services(): Promise<{ uuid: string; maxInstances: number }[]> {
    const r = await this.device.query(basicConnect.cids.deviceServices);
    return r.deviceServices.filter((s) => s.dssPayload !== 0).map((s) => ({ uuid: s.deviceServiceId, maxInstances: s.maxDssInstances }));
  }

  async connect(service: string, session: number): Promise<void> {
    await this.linkState(service, session, 'activate');
  }

  async disconnect(service: string, session: number, opts: { timeoutMs?: number } = {}): Promise<void> {
    await this.linkState(service, session, 'deactivate', opts);
  }

  private async linkState(service: string, session: number, state: 'activate' | 'deactivate', opts: { timeoutMs?: number } = {}): Promise<void> {
    try {
      await this.device.set(dss.cids.connect, { deviceServiceId: service, dssSessionId: session, dssLinkState: DssLinkState.names[state] }, opts);
    } catch (e) {
      // What the modem said (DSS_INSTANCE_LIMIT, …), by name.
      if (e instanceof MbimStatusError) throw new ConnectError(`DSS session ${session}: the modem refused to ${state} it (${statusName(e.status)})`, '');
      throw e;
    }
  }
}
