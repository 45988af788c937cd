/**
 * Memory a helper reads or writes on the program's behalf. Without a verifier in
 * front, a pointer argument may be anything, so each access is checked against the
 * region table exactly as the engines check a load or store (same error, same pc):
 * a helper never reads or writes outside what the program itself could.
 */
import { resolveAccess, type AddressSpace, type HelperContext } from '../vm/index.js';
import { HelperError, HelperErrorCode } from './errors.js';

/** Splits a 64-bit pointer into the engines' (low word, high word). */
function words(address: bigint): [number, number] {
  const v = BigInt.asUintN(64, address);
  return [Number(v & 0xffffffffn), Number(v >> 32n)];
}

/** The address as a number after checking `size` bytes there are readable. */
export function readable(ctx: HelperContext, address: bigint, size: number): number {
  const [lo, hi] = words(address);
  if (size > 0) resolveAccess(ctx.space, lo, hi, size, ctx.pc, 'read', true);
  return lo;
}

/** The address as a number after checking `size` bytes there are writable. */
export function writable(ctx: HelperContext, address: bigint, size: number): number {
  const [lo, hi] = words(address);
  if (size > 0) resolveAccess(ctx.space, lo, hi, size, ctx.pc, 'write', true);
  return lo;
}

/** A copy of `size` readable bytes at `address`. */
export function readBytes(ctx: HelperContext, address: bigint, size: number): Uint8Array {
  const at = readable(ctx, address, size);
  return ctx.space.bytes.slice(at, at + size);
}

/** Writes `data` at `address` after checking it is writable. */
export function writeBytes(ctx: HelperContext, address: bigint, data: Uint8Array): void {
  const at = writable(ctx, address, data.length);
  ctx.space.bytes.set(data, at);
}

/** Zero-fills `size` writable bytes at `address`. */
export function zeroFill(ctx: HelperContext, address: bigint, size: number): void {
  const at = writable(ctx, address, size);
  ctx.space.bytes.fill(0, at, at + size);
}

/**
 * A size argument as a number: the verifier bounds sizes by their memory's size, so a
 * size past 2^31 is a program bug reported as such rather than an allocation attempt.
 */
export function sizeArg(value: bigint, what: string): number {
  const v = BigInt.asUintN(64, value);
  if (v > 0x7fffffffn) throw new HelperError(HelperErrorCode.BAD_ARGUMENT, `${what} ${v} is not a valid size`);
  return Number(v);
}

/** The low 32 bits, unsigned (a `u32` argument). */
export const u32 = (value: bigint): number => Number(BigInt.asUintN(32, value));
/** The low 32 bits, signed (an `int` / `s32` argument). */
export const s32 = (value: bigint): number => Number(BigInt.asIntN(32, value));

/** Reads a NUL-terminated string of at most `max` bytes in one region, or undefined when `address` is in none. */
export function cString(space: AddressSpace, address: number, max: number): Uint8Array | undefined {
  const region = space.find(address, 1);
  if (!region) return undefined;
  const end = Math.min(region.end, address + max);
  const bytes = space.bytes;
  let i = address;
  while (i < end && bytes[i] !== 0) i++;
  return bytes.slice(address, i);
}
