/**
 * bpf_strtol and bpf_strtoul: parse an integer at the start of a buffer, as the
 * kernel's __bpf_strtoull does: leading whitespace, an optional '-', a base from the
 * flags (0 = from the prefix: 0x hex, 0 octal, else decimal; or 8, 10, 16), at most 63
 * characters considered. Returns the characters consumed and stores the value, or
 * -EINVAL (nothing to parse, bad flags, a negative number for strtoul) or -ERANGE.
 */
import { HErrno } from './constants.js';
import { readBytes, sizeArg, writable } from './access.js';
import type { HelperImpl, ImplTable } from './impl.js';

const BASE_MASK = 0x1f;

const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);
const lower = (c: number): number => (c >= 0x41 && c <= 0x5a ? c + 0x20 : c);
function digit(c: number): number {
  const l = lower(c);
  if (l >= 0x30 && l <= 0x39) return l - 0x30;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return 99;
}

/** { consumed, value, negative } or -errno. */
export function strtoull(buf: Uint8Array, flags: bigint): { consumed: number; value: bigint; negative: boolean } | number {
  let base = Number(BigInt.asUintN(64, flags) & BigInt(BASE_MASK));
  if (buf.length === 0 || (BigInt.asUintN(64, flags) & ~BigInt(BASE_MASK)) !== 0n) return -HErrno.EINVAL;
  if (base !== 0 && base !== 8 && base !== 10 && base !== 16) return -HErrno.EINVAL;
  let i = 0;
  while (i < buf.length && isSpace(buf[i]!)) i++;
  const negative = i < buf.length && buf[i] === 0x2d;
  if (negative) i++;
  if (i === buf.length) return -HErrno.EINVAL;
  // The kernel copies at most 63 characters into a NUL-terminated scratch string.
  const s = buf.subarray(i, i + 63);
  const at = (k: number): number => (k < s.length ? s[k]! : 0);
  let p = 0;
  if (base === 0) base = at(0) === 0x30 ? (lower(at(1)) === 0x78 && digit(at(2)) < 16 ? 16 : 8) : 10;
  if (base === 16 && at(0) === 0x30 && lower(at(1)) === 0x78) p = 2;
  const start = p;
  let value = 0n;
  let overflow = false;
  for (; digit(at(p)) < base; p++) {
    value = value * BigInt(base) + BigInt(digit(at(p)));
    if (value >= 1n << 64n) overflow = true;
  }
  if (overflow) return -HErrno.ERANGE;
  if (p === start) return -HErrno.EINVAL;
  return { consumed: i + p, value, negative };
}

function strto(signed: boolean): HelperImpl {
  return (_env, ctx, buf, len, flags, res) => {
    const bytes = readBytes(ctx, buf, sizeArg(len, 'buf_len'));
    const r = strtoull(bytes, flags);
    if (typeof r === 'number') return r;
    let value = r.value;
    if (signed) {
      if (r.negative ? value > 1n << 63n : value >= 1n << 63n) return -HErrno.ERANGE;
      if (r.negative) value = -value;
    } else if (r.negative) {
      return -HErrno.EINVAL;
    }
    const at = writable(ctx, res, 8);
    ctx.space.view.setBigUint64(at, BigInt.asUintN(64, value), true);
    return r.consumed;
  };
}

export const STRTOX_IMPLS: ImplTable = {
  strtol: strto(true),
  strtoul: strto(false),
};
