/** Test helpers: where the compiled fixtures and the shared corpus are. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { uniform } from '../prng.test.fixture.js';

/** The fuzz tests' PRNG: mulberry32 as floats in [0, 1). */
export const rng = uniform;

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

