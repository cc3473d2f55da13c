/** MBIM codec rates (Connect set, IP Configuration response) and 4-fragment reassembly, beside same-run baselines. */
import { ContextType } from '../src/mbim/context-types.js';
import { decodeFragment, encodeFragments, encodeMessage, type MbimFragment } from '../src/mbim/message.js';
import { Reassembler } from '../src/mbim/reassembly.js';
import { decodeBuffer, type Layout } from '../src/mbim/schema.js';
import { basicConnect } from '../src/mbim/services/basic-connect.js';
import { measure, memcpyRate, perCpuSecond, report } from './harness.js';

const bc = basicConnect.cids;

export async function run(): Promise<void> {
  const connect = {
    sessionId: 0, activationCommand: 1, accessString: 'internet.example.com', userName: 'user', password: 'secret',
    compression: 0, authProtocol: 2, ipType: 3, contextType: ContextType.internet,
  };
  const ip = {
    sessionId: 0, ipv4ConfigurationAvailable: 15, ipv6ConfigurationAvailable: 15,
    ipv4Address: [{ onLinkPrefixLength: 30, address: '10.64.12.2' }], ipv6Address: [{ onLinkPrefixLength: 64, address: '2001:db8:1:2::5' }],
    ipv4Gateway: '10.64.12.1', ipv6Gateway: '2001:db8:1:2::1', ipv4DnsServer: ['10.1.1.1', '10.1.1.2'], ipv6DnsServer: ['2001:db8::53'],
    ipv4Mtu: 1500, ipv6Mtu: 1428,
  };
  for (const [name, layout, value] of [
    ['connect.set', bc.connect.set, connect],
    ['ipConfiguration.response', bc.ipConfiguration.response, ip],
  ] as [string, Layout, object][]) {
    const bytes = layout.encode(value as never);
    const message = (b: Uint8Array) => encodeMessage({ type: 'command', transactionId: 2, service: basicConnect.uuid, cid: 12, commandType: 1, buffer: b });
    const base = memcpyRate(bytes.length + 48);
    const enc = measure(() => message(layout.encode(value as never)));
    report({ bench: `mbim.encode.${name}`, unit: 'msg/s', value: enc.opsPerSec, baseline: { name: `memcpy ${bytes.length + 48} B`, value: base.opsPerSec }, bytes: bytes.length + 48, ...perCpuSecond(enc, base) });
    const wire = message(bytes);
    const dec = measure(() => {
      const f = decodeFragment(wire);
      if (f.ok && 'fragment' in f.value) decodeBuffer(layout, wire, 48);
    });
    report({ bench: `mbim.decode.${name}`, unit: 'msg/s', value: dec.opsPerSec, baseline: { name: `memcpy ${wire.length} B`, value: base.opsPerSec }, bytes: wire.length, ...perCpuSecond(dec, base) });
  }

  // A 4-fragment COMMAND_DONE of 3900 bytes split at 1024-byte transfers.
  const done = { type: 'commandDone' as const, transactionId: 3, service: basicConnect.uuid, cid: 15, status: 0, buffer: new Uint8Array(3900).fill(5) };
  const fragments = encodeFragments(done, 1024);
  if (fragments.length !== 4) throw new Error(`expected 4 fragments, got ${fragments.length}`);
  const r = new Reassembler();
  const base = memcpyRate(3900);
  const rate = measure(() => {
    for (const f of fragments) {
      const d = decodeFragment(f);
      if (d.ok && 'fragment' in d.value) r.push(d.value.fragment as MbimFragment, 0);
    }
  });
  report({ bench: 'mbim.reassemble.4fragments', unit: 'msg/s', value: rate.opsPerSec, baseline: { name: 'memcpy 3900 B', value: base.opsPerSec }, bytes: 3900 });
}
