/**
 * Results remembered by key, at most `max` of them: when full, all are forgotten at once. For
 * cheap-to-redo work asked for on every request (hashes, key strings, display names), where a
 * plain Map lookup is the point: no recency bookkeeping per hit. Returns `recall(key, compute)`,
 * which runs `compute` only for a key it does not hold.
 */
export function boundedMemo<K, V>(max: number): (key: K, compute: (key: K) => V) => V {
  const known = new Map<K, V>();
  return (key, compute) => {
    const value = known.get(key);
    if (value !== undefined || known.has(key)) return value as V;
    const computed = compute(key);
    if (known.size >= max) known.clear();
    known.set(key, computed);
    return computed;
  };
}
