/** A service's Get Supported Messages list, from what is declared (and so answered) for it. */
import type { AnyService } from '../qmi/schema.js';

/** Bit n set for each declared message id n, in as many bytes as the highest id needs. */
export function supportedMessages(service: AnyService): Uint8Array {
  const ids = Object.values(service.messages).map((d) => d.id);
  const list = new Uint8Array((Math.max(0, ...ids) >> 3) + 1);
  for (const id of ids) list[id >> 3]! |= 1 << (id & 7);
  return list;
}
