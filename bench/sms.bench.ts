/** SMS PDU codec rates: a 3-part UCS-2 message split and encoded, one SMS-DELIVER decoded. */
import { decodePdu, submitPdus, type SubmitOptions } from '../src/sms/index.js';
import { measure, memcpyRate, report } from './harness.js';

const long: SubmitOptions = { destination: { type: 'international', value: '+4915112345678' }, content: { text: `Grüße 😀 ${'Ωμέγα 📡 '.repeat(17)}` }, ref: 7 };

export function run(): void {
  const parts = submitPdus(long);
  if (!parts.ok) throw parts.error;
  const bytes = parts.value.reduce((n, p) => n + p.length, 0);
  const copy = memcpyRate(bytes);
  report({ bench: 'sms.encode.submit.ucs2.3parts', unit: 'messages/s', value: measure(() => void submitPdus(long)).opsPerSec, baseline: { name: `memcpy ${bytes} B`, value: copy.opsPerSec }, bytes });
  const deliver = Uint8Array.from(Buffer.from('07917283010010F5040BC87238880900F10000993092516195800AE8329BFD4697D9EC37', 'hex'));
  const one = memcpyRate(deliver.length);
  report({ bench: 'sms.decode.deliver.gsm7', unit: 'messages/s', value: measure(() => void decodePdu(deliver)).opsPerSec, baseline: { name: `memcpy ${deliver.length} B`, value: one.opsPerSec }, bytes: deliver.length });
}
