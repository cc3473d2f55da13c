/**
 * Real tools from Debian's packages. A test that needs a missing one skips loudly, and under CI=true
 * the missing tool is a failure instead: CI must have installed it.
 */
import { execFileSync } from 'node:child_process';
import { it } from 'vitest';

export function hasTool(name: string): boolean {
  try {
    execFileSync('which', [name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `it` when every tool is present; otherwise a loud skip, or under CI a failing test. */
export function itWithTools(tools: string[]): typeof it {
  const missing = tools.filter((t) => !hasTool(t));
  if (missing.length === 0) return it;
  const why = `needs ${missing.join(', ')} (install with scripts/install-deps.sh)`;
  process.stderr.write(`\n*** SKIPPING tests that ${why} ***\n`);
  if (process.env.CI === 'true') {
    return ((name: string) => it(name, () => { throw new Error(`CI=true and this test ${why}`); })) as unknown as typeof it;
  }
  return it.skip as unknown as typeof it;
}
