/** Test helpers: where the compiled fixtures and the shared corpus are. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from dist-* /elf/). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURES = `${ROOT}src/elf/fixtures/`;
export const SAMPLES = fileURLToPath(new URL('../../../shared/corpora/ebpf-samples/', import.meta.url));

/** Every compiled fixture object, by file name. */
export function fixtureObjects(): string[] {
  if (!existsSync(FIXTURES)) return [];
  return readdirSync(FIXTURES).filter((f) => f.endsWith('.o')).sort();
}

export function readFixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(FIXTURES + name));
}

/** A small deterministic PRNG (mulberry32) for the fuzz tests. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
