/** Shared helpers for the maps tests (not a test file itself). */
import assert from 'node:assert/strict';
import { MapError } from './errors.js';
import { MapRegistry } from './registry.js';
import type { BpfMap } from './base.js';
import type { MapSpec } from './spec.js';

/** A registry with `cpus` CPUs in a fresh address space. */
export function registry(cpus = 1): MapRegistry {
  return new MapRegistry({ cpus });
}

/** Creates a map and narrows it to the class the test expects. */
export function create<T extends BpfMap>(reg: MapRegistry, spec: MapSpec, cls: abstract new (...args: never[]) => T): T {
  const m = reg.create(spec);
  assert.ok(m instanceof cls, `expected ${cls.name}, got ${m.constructor.name}`);
  return m;
}

/** Copies bytes into a fresh region and returns its address (a program's stack slot, say). */
export function place(reg: MapRegistry, bytes: ArrayLike<number>): number {
  return reg.space.allocBytes(Uint8Array.from(bytes), { name: 'test' }).start;
}

/** Reads bytes at an address. */
export function at(reg: MapRegistry, address: number, length: number): Uint8Array {
  return reg.space.read(address, length);
}

/** Asserts that `fn` throws a MapError with this errno (and code, when given). */
export function throwsErrno(fn: () => unknown, errno: number, code?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof MapError, `expected MapError, got ${String(e)}`);
    assert.equal(e.errno, errno, e.message);
    if (code !== undefined) assert.equal(e.code, code);
    return true;
  });
}

/** Little-endian u32 bytes as a plain array (for `place`). */
export function le32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

/** Little-endian u64 bytes of a small number. */
export function le64(n: number): number[] {
  return [...le32(n % 2 ** 32), ...le32(Math.floor(n / 2 ** 32))];
}

/** Hex of bytes, for readable assertions. */
export function hex(bytes: Uint8Array | undefined): string | undefined {
  return bytes === undefined ? undefined : Buffer.from(bytes).toString('hex');
}
