/**
 * dbus-next 0.10.2 marshals a dictionary's keys from a JavaScript object's keys, which are always
 * strings, and then refuses them for integer key types: an a{uu} (Modem.UnlockRetries) cannot be sent.
 * Its integer marshallers take decimal strings here (converted, checked as before); nothing else changes.
 */
import { createRequire } from 'node:module';

interface SimpleMarshaller {
  check(data: unknown): void;
  marshall(ps: unknown, data: unknown): void;
}

const require = createRequire(import.meta.url);
const marshallers = require('dbus-next/lib/marshallers.js') as { MakeSimpleMarshaller: (signature: string) => SimpleMarshaller; wwankitPatched?: true };

const INTEGER_KEYS = new Set(['y', 'n', 'q', 'i', 'u']);

if (!marshallers.wwankitPatched) {
  const make = marshallers.MakeSimpleMarshaller;
  marshallers.MakeSimpleMarshaller = (signature: string) => {
    const m = make(signature);
    if (!INTEGER_KEYS.has(signature)) return m;
    const marshall = m.marshall.bind(m);
    m.marshall = (ps, data) => marshall(ps, typeof data === 'string' && /^-?\d{1,10}$/.test(data) ? Number(data) : data);
    return m;
  };
  marshallers.wwankitPatched = true;
}
