/**
 * The simulator's PDC over its image store (as the `pdc` branch had it, adapted): the selected configuration read as the daemon reads it,
 * results before token-carrying indications, a selection that stays pending (with Config Change to a
 * registered client) until activation resets the modem into it, and DMS seeing the same PRI run.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { loadCarrierConfig } from '../../src/modem/qmi-carrier-config.js';
import { QmiDevice, type QmiClient } from '../../src/qmi/client.js';
import { QmiProtocolError } from '../../src/qmi/errors.js';
import { qmuxPort } from '../../src/qmi/port.js';
import { decodeQmux } from '../../src/qmi/qmux.js';
import type { IndicationOf } from '../../src/qmi/schema.js';
import { dms, DmsFirmwareImageType } from '../../src/qmi/services/dms.js';
import { pdc, PdcConfigurationType } from '../../src/qmi/services/pdc.js';
import { PROFILES } from '../../src/sim/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';
import { connectUnix } from '../../src/transport/unix.js';

let sim: Simulator;
let dev: QmiDevice;

beforeEach(async () => {
  sim = await Simulator.start({ profile: PROFILES['qmi-usb'], seed: 5 });
  dev = new QmiDevice(qmuxPort(await connectUnix(sim.modems[0]!.ports[0]!.socket)));
});

afterEach(async () => {
  await dev.close();
  await sim.stop();
});

const SOFTWARE = PdcConfigurationType.names.software;
type Indications = typeof pdc.indications;

/** The next indication `key` to `client`. */
function next<K extends keyof Indications>(client: QmiClient<typeof pdc>, key: K): Promise<IndicationOf<Indications[K]>> {
  return new Promise((resolve) => {
    const off = client.on(pdc.indications[key], (v) => {
      off();
      resolve(v as IndicationOf<Indications[K]>);
    });
  });
}

it('reads the running configuration, keeps a selection pending until activated, then runs it after the reset', async () => {
  expect(await loadCarrierConfig(await dev.allocateClient(pdc))).toEqual({ name: 'ROW_Generic_3GPP', revision: '0501081F' });

  const c = await dev.allocateClient(pdc);
  const watcher = await dev.allocateClient(pdc);
  await watcher.request(pdc.messages.register, { enableReporting: true });
  // On the wire, as the modem sends them: the List Configs result first, then its indication.
  const order: string[] = [];
  dev.port.onFrame((f) => {
    const d = decodeQmux(f);
    if (d.ok && d.value.service === pdc.id && d.value.messageId === pdc.messages.listConfigs.id) order.push(d.value.type ?? '?');
  });
  const listed = next(c, 'listConfigs');
  await c.request(pdc.messages.listConfigs, { configType: SOFTWARE, token: 11 });
  const list = await listed;
  expect(order).toEqual(['response', 'indication']);
  expect(list.token).toBe(11);
  expect(list.configs).toHaveLength(3);

  // Each configuration's info, by token.
  const infos = [];
  for (const [n, cfg] of list.configs!.entries()) {
    const got = next(c, 'getConfigInfo');
    await c.request(pdc.messages.getConfigInfo, { typeWithId: cfg, token: 100 + n });
    infos.push({ ...(await got), id: cfg.id });
  }
  expect(infos.map((i) => [i.token, i.description])).toEqual([
    [100, 'ROW_Generic_3GPP'],
    [101, 'VZW_IMS'],
    [102, 'ATT_VoLTE'],
  ]);
  const verizon = infos[1]!;

  const changed = next(watcher, 'configChange');
  const selected = next(c, 'setSelectedConfig');
  await c.request(pdc.messages.setSelectedConfig, { typeWithId: { configType: SOFTWARE, id: verizon.id }, token: 7 });
  expect(await selected).toEqual({ token: 7, indicationResult: 0 });
  expect((await changed).typeWithId).toEqual({ configType: SOFTWARE, id: verizon.id });
  const state = next(c, 'getSelectedConfig');
  await c.request(pdc.messages.getSelectedConfig, { configType: SOFTWARE, token: 8 });
  expect(await state).toEqual({ token: 8, indicationResult: 0, activeId: list.configs![0]!.id, pendingId: verizon.id });

  // An id the modem does not hold: the indication carries the error.
  const missing = next(c, 'getConfigInfo');
  await c.request(pdc.messages.getConfigInfo, { typeWithId: { configType: SOFTWARE, id: [1, 2, 3] }, token: 9 });
  expect((await missing).indicationResult).toBe(QmiProtocolError.NoEntry);

  const activated = next(c, 'activateConfig');
  await c.request(pdc.messages.activateConfig, { configType: SOFTWARE, token: 10 });
  expect(await activated).toEqual({ indicationResult: 0, token: 10 });
  // The reset drops the port: once it is back, the configuration runs, and DMS runs the same PRI.
  await new Promise<void>((r) => (dev.closed ? r() : dev.port.onClose(() => r())));
  for (let i = 0; ; i++) {
    try {
      dev = new QmiDevice(qmuxPort(await connectUnix(sim.modems[0]!.ports[0]!.socket)));
      break;
    } catch (e) {
      if (i === 50) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  expect(await loadCarrierConfig(await dev.allocateClient(pdc))).toEqual({ name: 'VZW_IMS', revision: '05010824' });
  const images = await (await dev.allocateClient(dms)).request(dms.messages.listStoredImages, {});
  const pri = images.list.find((t) => t.type === DmsFirmwareImageType.names.pri)!;
  expect(pri.sublist[pri.indexOfRunningImage]!.uniqueId).toEqual(verizon.id);
});

it('loads a file (its SHA-1 checked), shows it in DMS too, and after deactivation runs none: the daemon reads "default"', async () => {
  const c = await dev.allocateClient(pdc);
  const file = Buffer.from(Array.from({ length: 1500 }, (_, n) => n & 0xff));
  const digest = [...createHash('sha1').update(file).digest()];
  const load = async (id: number[], bytes: Buffer, token: number) => {
    const got = next(c, 'loadConfig');
    await c.request(pdc.messages.loadConfig, { token, configChunk: { configType: SOFTWARE, id, totalSize: file.length, chunk: [...bytes] } });
    return got;
  };
  // A file whose bytes are not the ones its id names is refused once it is whole.
  expect(await load([...digest.slice(0, 19), digest[19]! ^ 1], file.subarray(0, 1000), 1)).toMatchObject({ indicationResult: 0, remainingSize: 500 });
  expect((await load([...digest.slice(0, 19), digest[19]! ^ 1], file.subarray(1000), 2)).indicationResult).toBe(QmiProtocolError.InvalidArgument);
  expect(await load(digest, file.subarray(0, 1000), 3)).toMatchObject({ indicationResult: 0, received: 1000, remainingSize: 500 });
  expect(await load(digest, file.subarray(1000), 4)).toMatchObject({ indicationResult: 0, remainingSize: 0 });

  const d = await dev.allocateClient(dms);
  const pris = async () => (await d.request(dms.messages.listStoredImages, {})).list.find((t) => t.type === DmsFirmwareImageType.names.pri)!;
  const stored = await pris();
  // DMS shows the 20-byte id in its 16.
  expect(stored.sublist.map((i) => i.uniqueId)).toContainEqual(digest.slice(0, 16));

  const deactivated = next(c, 'deactivateConfig');
  await c.request(pdc.messages.deactivateConfig, { configType: SOFTWARE, token: 5 });
  expect(await deactivated).toEqual({ token: 5, indicationResult: 0 });
  expect((await pris()).indexOfRunningImage).toBe(0xff);
  expect(await loadCarrierConfig(await dev.allocateClient(pdc))).toEqual({ name: 'default' });
  const again = next(c, 'deactivateConfig');
  await c.request(pdc.messages.deactivateConfig, { configType: SOFTWARE, token: 6 });
  expect((await again).indicationResult).toBe(QmiProtocolError.NoEffect);
});
