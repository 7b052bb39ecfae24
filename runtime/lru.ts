/**
 * A bounded map that forgets the least recently used entry: the memory for
 * per-version configuration (settings, rules, templates) stays fixed however
 * many tenants and versions an instance sees.
 */
export type Lru<K, V> = { get(key: K): V | undefined; set(key: K, value: V): V; clear(): void };

export function createLru<K, V>(max: number): Lru<K, V> {
  const entries = new Map<K, V>();
  return {
    get(key) {
      const hit = entries.get(key);
      if (hit !== undefined) {
        entries.delete(key);
        entries.set(key, hit);
      }
      return hit;
    },
    set(key, value) {
      entries.delete(key);
      entries.set(key, value);
      if (entries.size > max) entries.delete(entries.keys().next().value as K);
      return value;
    },
    clear: () => entries.clear(),
  };
}
