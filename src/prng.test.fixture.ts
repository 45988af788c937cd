/**
 * mulberry32: the small, well-mixed, seedable PRNG every fuzz and property test uses,
 * so a seed in a test or a report means the same sequence everywhere.
 */

/** The next 32-bit unsigned integer, each call. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** The next number in [0, 1), each call. */
export function uniform(seed: number): () => number {
  const next = mulberry32(seed);
  return () => next() / 4294967296;
}
