/**
 * Issue 18, finding 8: an MBIM command whose answer was dropped waited 120 s and came back as "the
 * network refused APN …", and a refused APN on MBIM was a bare "Failure". Timeouts name the command;
 * refusals carry the 3GPP cause, worded as on QMI.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MbimDevice } from '../../src/mbim/client.js';
import { MbimDriver } from '../../src/modem/mbim-driver.js';
import { QmiDriver } from '../../src/modem/qmi-driver.js';
import { QmiDevice } from '../../src/qmi/client.js';
import { qmuxPort } from '../../src/qmi/port.js';
import { PROFILES } from '../../src/sim/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';
import { connectUnix } from '../../src/transport/unix.js';

let sim: Simulator | undefined;
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  await sim?.stop();
  sim = close = undefined;
});

async function mbim(): Promise<MbimDriver> {
  sim = await Simulator.start({ profile: PROFILES['mbim-usb'], seed: 3 });
  const driver = new MbimDriver(await MbimDevice.open(await connectUnix(sim.modems[0]!.ports[0]!.socket), { timeoutMs: 300 }), { connectTimeoutMs: 400 });
  close = () => driver.close();
  await driver.probe();
  return driver;
}

const request = { apn: 'internet', ipType: 'ipv4' as const, auth: 'none' as const, linkId: 0 };

describe('MBIM timeouts and refusals', () => {
  it('a Connect whose answer is dropped fails after its own timeout, named, and not as a refusal', async () => {
    const driver = await mbim();
    sim!.fault({ fault: 'drop-responses', count: 1 });
    const t0 = Date.now();
    const e = (await driver.connect(request).catch((x: unknown) => x)) as Error;
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(e.message).toMatch(/^no answer from the modem: set basic-connect connect \(12\): COMMAND \(transaction \d+\) timed out after 0.4 s/);
    expect(e.message).not.toMatch(/refused/);
    // The next command is answered at once.
    await expect(driver.connect(request)).resolves.toMatchObject({ apn: 'internet' });
  });

  it('a query whose answer is dropped names the query in its timeout', async () => {
    const driver = await mbim();
    sim!.fault({ fault: 'drop-responses', count: 3 });
    const t0 = Date.now();
    await expect(driver.probe()).rejects.toThrow(/query basic-connect deviceCaps \(1\): COMMAND \(transaction \d+\) timed out after 0.3 s/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('an APN the network refuses comes back with its 3GPP cause', async () => {
    const driver = await mbim();
    await expect(driver.connect({ ...request, apn: 'nosuch' })).rejects.toThrow('the network refused APN nosuch: Failure: missing-or-unknown-apn (3GPP cause 27)');
  });

  it('QMI: a Start Network without an answer is no refusal either', async () => {
    sim = await Simulator.start({ profile: PROFILES['qmi-rmnet'], seed: 3 });
    const driver = new QmiDriver(new QmiDevice(qmuxPort(await connectUnix(sim.modems[0]!.ports[0]!.socket))), { pipe: 'usb', startTimeoutMs: 300 });
    close = () => driver.close();
    await driver.probe();
    sim.fault({ fault: 'drop-responses', count: 1 });
    let sent = 0;
    // Drop only the Start Network answer: set-ip-family is answered, Start Network is not.
    sim.modems[0]!.hub.outboundFault = () => ++sent !== 3;
    const e = (await driver.connect(request).catch((x: unknown) => x)) as Error;
    expect(e.message).toMatch(/^no answer from the modem: WDS startNetwork \(0x0020\) timed out after 0.3 s/);
  });
});
