/**
 * Tests that make TUN devices and network namespaces: they need root, /dev/net/tun and `ip`. Without
 * them they skip loudly, and under CI=true they fail instead, as itWithTools does for tools.
 */
import { existsSync } from 'node:fs';
import { it } from 'vitest';
import { itWithTools } from '../support/tools.js';

export function itWithTun(tools: string[] = []): typeof it {
  const missing = process.getuid?.() !== 0 ? 'root' : !existsSync('/dev/net/tun') ? '/dev/net/tun' : undefined;
  if (!missing) return itWithTools(['ip', ...tools]);
  const why = `needs ${missing} (TUN devices in network namespaces)`;
  process.stderr.write(`\n*** SKIPPING tests that ${why} ***\n`);
  if (process.env.CI === 'true') {
    return ((name: string) => it(name, () => { throw new Error(`CI=true and this test ${why}`); })) as unknown as typeof it;
  }
  return it.skip as unknown as typeof it;
}

/** A namespace name no other test run uses at the same time. */
export function testNetnsName(what: string): string {
  return `wwantest-${what}-${process.pid}`;
}
