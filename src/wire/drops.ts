/** Counted drops: every layer that refuses input counts it per reason instead of throwing. */

export type DropCounts<R extends string> = Record<R, number>;

export function dropCounts<R extends string>(reasons: readonly R[]): DropCounts<R> {
  return Object.fromEntries(reasons.map((r) => [r, 0])) as DropCounts<R>;
}
