/**
 * Dynamic pointers (struct bpf_dynptr, 16 bytes on the program's stack), laid out as
 * Linux's struct bpf_dynptr_kern: u64 data, u32 size (low 24 bits; the type in bits
 * 28-30, read-only in bit 31), u32 offset. A null dynptr has data 0. ebee knows the
 * LOCAL (from memory) and RINGBUF kinds, as Linux 6.1 does.
 */
import { RingBufMap, ringbufCommit } from '../maps/index.js';
import { HErrno } from './constants.js';
import { readBytes, sizeArg, writable, u32 } from './access.js';
import { HelperError, HelperErrorCode } from './errors.js';
import { mapArg, type ImplTable } from './impl.js';
import type { HelperContext } from '../vm/index.js';
import type { HelperEnv } from './env.js';

/** Bytes of struct bpf_dynptr. */
const DYNPTR_SIZE = 16;
/** DYNPTR_MAX_SIZE: sizes are 24 bits. */
const MAX_SIZE = (1 << 24) - 1;
const SIZE_MASK = 0xffffff;
const TYPE_SHIFT = 28;
const RDONLY_BIT = 0x80000000;
/** enum bpf_dynptr_type. */
const LOCAL = 1;
const RINGBUF = 2;

interface Dynptr {
  readonly at: number;
  readonly data: number;
  readonly size: number;
  readonly offset: number;
  readonly type: number;
  readonly rdonly: boolean;
}

function load(ctx: HelperContext, ptr: bigint): Dynptr {
  const at = writable(ctx, ptr, DYNPTR_SIZE);
  const v = ctx.space.view;
  const data = v.getBigUint64(at, true);
  const word = v.getUint32(at + 8, true);
  return {
    at, data: data < 0x100000000n ? Number(data) : -1, size: word & SIZE_MASK, offset: v.getUint32(at + 12, true),
    type: (word >>> TYPE_SHIFT) & 7, rdonly: (word & RDONLY_BIT) !== 0,
  };
}

function init(ctx: HelperContext, at: number, data: number, type: number, size: number): void {
  const v = ctx.space.view;
  v.setBigUint64(at, BigInt(data), true);
  v.setUint32(at + 8, ((type << TYPE_SHIFT) | size) >>> 0, true);
  v.setUint32(at + 12, 0, true);
}

function setNull(ctx: HelperContext, at: number): void {
  ctx.space.bytes.fill(0, at, at + DYNPTR_SIZE);
}

/** The address of [offset, offset + len) inside the dynptr, or -E2BIG. */
function range(d: Dynptr, offset: bigint, len: number): number {
  const off = BigInt.asUintN(32, offset);
  if (off > BigInt(d.size) || len > d.size - Number(off)) return -HErrno.E2BIG;
  return d.data + d.offset + Number(off);
}

function commit(env: HelperEnv, ctx: HelperContext, ptr: bigint, flags: bigint, discard: boolean, helper: string): void {
  const d = load(ctx, ptr);
  if (d.data === 0) return;
  if (d.type !== RINGBUF || d.data < 0) {
    throw new HelperError(HelperErrorCode.BAD_ARGUMENT, `bpf_${helper}: the dynptr is not a ring buffer reservation`);
  }
  ringbufCommit(env.maps, d.data, discard, flags);
  setNull(ctx, d.at);
}

export const DYNPTR_IMPLS: ImplTable = {
  dynptr_from_mem(_env, ctx, data, size, flags, ptr) {
    const at = writable(ctx, ptr, DYNPTR_SIZE);
    const n = BigInt.asUintN(32, size);
    if (BigInt.asUintN(64, flags) !== 0n) { setNull(ctx, at); return -HErrno.EINVAL; }
    if (n > BigInt(MAX_SIZE)) { setNull(ctx, at); return -HErrno.E2BIG; }
    init(ctx, at, writable(ctx, data, Number(n)), LOCAL, Number(n));
    return 0;
  },
  ringbuf_reserve_dynptr(env, ctx, map, size, flags, ptr) {
    const at = writable(ctx, ptr, DYNPTR_SIZE);
    const m = mapArg(env, map, 'ringbuf_reserve_dynptr');
    if (!(m instanceof RingBufMap)) throw new HelperError(HelperErrorCode.BAD_ARGUMENT, `bpf_ringbuf_reserve_dynptr: map ${m.label} is not a RINGBUF map`);
    const n = u32(size);
    if (BigInt.asUintN(64, flags) !== 0n) { setNull(ctx, at); return -HErrno.EINVAL; }
    if (n > MAX_SIZE) { setNull(ctx, at); return -HErrno.E2BIG; }
    const record = m.reserve(n, 0);
    if (record === 0) { setNull(ctx, at); return -HErrno.EINVAL; }
    init(ctx, at, record, RINGBUF, n);
    return 0;
  },
  ringbuf_submit_dynptr(env, ctx, ptr, flags) {
    commit(env, ctx, ptr, flags, false, 'ringbuf_submit_dynptr');
  },
  ringbuf_discard_dynptr(env, ctx, ptr, flags) {
    commit(env, ctx, ptr, flags, true, 'ringbuf_discard_dynptr');
  },
  dynptr_read(_env, ctx, dst, len, src, offset, flags) {
    const n = sizeArg(len, 'bpf_dynptr_read len');
    const out = writable(ctx, dst, n);
    const d = load(ctx, src);
    if (d.data === 0 || BigInt.asUintN(64, flags) !== 0n) return -HErrno.EINVAL;
    const from = range(d, offset, n);
    if (from < 0) return from;
    ctx.space.bytes.set(readBytes(ctx, BigInt(from), n), out);
    return 0;
  },
  dynptr_write(_env, ctx, dst, offset, src, len, flags) {
    const n = sizeArg(len, 'bpf_dynptr_write len');
    const data = readBytes(ctx, src, n);
    const d = load(ctx, dst);
    if (d.data === 0 || BigInt.asUintN(64, flags) !== 0n || d.rdonly) return -HErrno.EINVAL;
    const to = range(d, offset, n);
    if (to < 0) return to;
    ctx.space.bytes.set(data, writable(ctx, BigInt(to), n));
    return 0;
  },
  dynptr_data(_env, ctx, ptr, offset, len) {
    const d = load(ctx, ptr);
    const n = u32(len);
    if (d.data === 0 || d.rdonly) return 0;
    const at = range(d, offset, n);
    return at < 0 ? 0 : at;
  },
};
