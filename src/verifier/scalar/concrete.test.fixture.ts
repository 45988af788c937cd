// Test support for the scalar domain at small widths: concrete semantics written from
// RFC 9669 on plain numbers (independent of the code under test), fast membership
// tests, and a systematic set of abstract values.
import type { AluOpName, BranchOpName } from './ops.js';
import { type Scalar, type ScalarDomain } from './scalar.js';
import { Tnum } from './tnum.js';

/** Concrete semantics of `op` on `bits`-bit numbers (bits <= 16). */
export function concreteAlu(op: AluOpName, x: number, y: number, is32: boolean, bits: number): number {
  const lane = Math.max(1, bits >> 3);
  if (is32 && !op.startsWith('le') && !op.startsWith('be') && !op.startsWith('bswap')) {
    const h = bits >> 1;
    const hm = (1 << h) - 1;
    return alu(op, x & hm, y & hm, h, lane);
  }
  return alu(op, x, y, bits, lane);
}

function signed(x: number, bits: number): number {
  return x >= 1 << (bits - 1) ? x - (1 << bits) : x;
}

function sext(x: number, from: number, bits: number): number {
  const m = (1 << from) - 1;
  return signed(x & m, from) & ((1 << bits) - 1);
}

function swap(x: number, n: number, lane: number): number {
  let r = 0;
  for (let i = 0; i < n; i++) r = (r << lane) | ((x >> (i * lane)) & ((1 << lane) - 1));
  return r;
}

function alu(op: AluOpName, x: number, y: number, bits: number, lane: number): number {
  const m = (1 << bits) - 1;
  const sh = y & (bits - 1);
  switch (op) {
    case 'add': return (x + y) & m;
    case 'sub': return (x - y) & m;
    case 'mul': return Math.imul(x, y) & m;
    case 'div': return y === 0 ? 0 : Math.floor(x / y);
    case 'mod': return y === 0 ? x : x % y;
    case 'sdiv': {
      const sx = signed(x, bits);
      const sy = signed(y, bits);
      return sy === 0 ? 0 : Math.trunc(sx / sy) & m;
    }
    case 'smod': {
      const sx = signed(x, bits);
      const sy = signed(y, bits);
      return sy === 0 ? x : (sx % sy) & m;
    }
    case 'or': return x | y;
    case 'and': return x & y;
    case 'xor': return x ^ y;
    case 'lsh': return (x << sh) & m;
    case 'rsh': return x >>> sh;
    case 'arsh': return (signed(x, bits) >> sh) & m;
    case 'neg': return -x & m;
    case 'mov': return y;
    case 'movsx8': return sext(y, lane, bits);
    case 'movsx16': return sext(y, 2 * lane, bits);
    case 'movsx32': return sext(y, 4 * lane, bits);
    case 'le16': return x & ((1 << (2 * lane)) - 1);
    case 'le32': return x & ((1 << (4 * lane)) - 1);
    case 'le64': return x;
    case 'be16': case 'bswap16': return swap(x, 2, lane);
    case 'be32': case 'bswap32': return swap(x, 4, lane);
    case 'be64': case 'bswap64': return swap(x, 8, lane);
  }
}

/** Concrete outcome of `if x OP y` on `bits`-bit numbers. */
export function concreteBranch(op: BranchOpName, x: number, y: number, is32: boolean, bits: number): boolean {
  if (is32) {
    bits >>= 1;
    x &= (1 << bits) - 1;
    y &= (1 << bits) - 1;
  }
  const sx = signed(x, bits);
  const sy = signed(y, bits);
  switch (op) {
    case 'jeq': return x === y;
    case 'jne': return x !== y;
    case 'jgt': return x > y;
    case 'jge': return x >= y;
    case 'jlt': return x < y;
    case 'jle': return x <= y;
    case 'jsgt': return sx > sy;
    case 'jsge': return sx >= sy;
    case 'jslt': return sx < sy;
    case 'jsle': return sx <= sy;
    case 'jset': return (x & y) !== 0;
  }
}

/** Membership of every `bits`-bit number in `s`, as a byte per number (1 = member). */
export function membership(s: Scalar): Uint8Array {
  const w = s.domain.w;
  const n = 1 << w.bits;
  const out = new Uint8Array(n);
  const tv = Number(s.tnum.value);
  const tm = Number(s.tnum.mask);
  const umin = Number(s.umin);
  const umax = Number(s.umax);
  const smin = Number(s.smin);
  const smax = Number(s.smax);
  const u32min = Number(s.u32min);
  const u32max = Number(s.u32max);
  const s32min = Number(s.s32min);
  const s32max = Number(s.s32max);
  const hm = (1 << w.half) - 1;
  for (let x = 0; x < n; x++) {
    if ((x & ~tm) !== tv || x < umin || x > umax) continue;
    const sx = signed(x, w.bits);
    if (sx < smin || sx > smax) continue;
    const lo = x & hm;
    if (lo < u32min || lo > u32max) continue;
    const slo = signed(lo, w.half);
    if (slo < s32min || slo > s32max) continue;
    out[x] = 1;
  }
  return out;
}

/** The members of `s`, ascending. */
export function members(s: Scalar): number[] {
  const m = membership(s);
  const out: number[] = [];
  for (let x = 0; x < m.length; x++) if (m[x]) out.push(x);
  return out;
}

/** The optimal tnum of a set of numbers (every bit that differs is unknown). */
export function tnumOfSet(xs: Iterable<number>): Tnum | undefined {
  let and = -1;
  let or = 0;
  let any = false;
  for (const x of xs) {
    and &= x;
    or |= x;
    any = true;
  }
  if (!any) return undefined;
  return new Tnum(BigInt(and), BigInt(or & ~and));
}

/** Deterministic pseudo-random numbers (xorshift32). */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

/**
 * A systematic set of abstract values of an 8-bit domain: constants at the edges,
 * unknown, unsigned and signed intervals on a grid, tnums over the low nibble and over
 * scattered bits, values constrained only in the subregister, and mixtures. Values
 * with no member are left out (they stand for nothing to test).
 */
export function abstractValues(d: ScalarDomain): Scalar[] {
  const w = d.w;
  const M = Number(w.max);
  const out: Scalar[] = [];
  const seen = new Set<string>();
  const add = (s: Scalar | null) => {
    if (s === null) return;
    const key = `${s.tnum.value},${s.tnum.mask},${s.umin},${s.umax},${s.smin},${s.smax},${s.u32min},${s.u32max},${s.s32min},${s.s32max}`;
    if (seen.has(key)) return;
    if (members(s).length === 0) return;
    seen.add(key);
    out.push(s);
  };
  add(d.unknown());
  const consts = [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 0x3f, 0x40, 0x55, 0x7e, 0x7f, 0x80, 0x81, 0xc0, 0xf0, 0xf7, 0xf8, 0xfe, 0xff];
  for (const c of consts) add(d.constant(BigInt(c & M)));
  const grid = [0, 1, 2, 7, 8, 15, 16, 17, 100, 127, 128, 129, 200, 254, 255].filter((x) => x <= M);
  for (let i = 0; i < grid.length; i++) {
    for (let j = i + 1; j < grid.length; j++) add(d.fromUnsignedRange(BigInt(grid[i]!), BigInt(grid[j]!)));
  }
  const sgrid = [-128, -127, -100, -9, -8, -2, -1, 0, 1, 3, 8, 100, 126, 127];
  for (let i = 0; i < sgrid.length; i++) {
    for (let j = i + 1; j < sgrid.length; j++) add(d.fromSignedRange(BigInt(sgrid[i]!), BigInt(sgrid[j]!)));
  }
  // Every tnum over the low nibble, and over bits 1, 3, 4 and 7.
  const spots = [[0, 1, 2, 3], [1, 3, 4, 7]];
  for (const bits of spots) {
    for (let code = 0; code < 81; code++) {
      let v = 0;
      let m = 0;
      let c = code;
      for (const b of bits) {
        const trit = c % 3;
        c = Math.floor(c / 3);
        if (trit === 1) v |= 1 << b;
        if (trit === 2) m |= 1 << b;
      }
      add(d.fromTnum(new Tnum(BigInt(v), BigInt(m))));
    }
  }
  const r = rng(0x5ca1a);
  for (let i = 0; i < 30; i++) {
    const m = r() & M;
    add(d.fromTnum(new Tnum(BigInt(r() & M & ~m), BigInt(m))));
  }
  // Constraints on the subregister only, and on both halves at once.
  const unk = d.unknown().bounds();
  for (const [lo, hi] of [[0, 0], [1, 1], [2, 5], [0, 7], [8, 15], [3, 12], [15, 15]]) {
    add(d.make({ ...unk, u32min: BigInt(lo!), u32max: BigInt(hi!) }));
    add(d.make({ ...unk, umin: 20n, umax: 200n, u32min: BigInt(lo!), u32max: BigInt(hi!) }));
  }
  for (const [lo, hi] of [[-8, -1], [-1, 1], [-3, 2], [0, 7]]) {
    add(d.make({ ...unk, s32min: BigInt(lo!), s32max: BigInt(hi!) }));
    add(d.make({ ...unk, smin: -100n, smax: 50n, s32min: BigInt(lo!), s32max: BigInt(hi!) }));
  }
  add(d.make({ ...unk, tnum: new Tnum(0x10n, 0xe3n), umin: 30n, umax: 180n }));
  add(d.make({ ...unk, tnum: new Tnum(0x1n, 0xf0n), smin: -50n, smax: 60n }));
  return out;
}

/** Roughly every `step`-th value, always keeping the first `keep` (unknown and constants). */
export function spread<T>(xs: readonly T[], count: number, keep: number): T[] {
  if (xs.length <= count) return [...xs];
  const out = xs.slice(0, keep);
  const rest = xs.slice(keep);
  const need = count - keep;
  for (let i = 0; i < need; i++) out.push(rest[Math.floor((i * rest.length) / need)]!);
  return out;
}

/** Concrete semantics of `op` on `bits`-bit BigInts (any width), for the 64-bit tests. */
export function concreteAluBig(op: AluOpName, x: bigint, y: bigint, is32: boolean, bits: number): bigint {
  const lane = Math.max(1, bits >> 3);
  if (is32 && !op.startsWith('le') && !op.startsWith('be') && !op.startsWith('bswap')) {
    const h = bits >> 1;
    return aluBig(op, BigInt.asUintN(h, x), BigInt.asUintN(h, y), h, lane);
  }
  return aluBig(op, x, y, bits, lane);
}

function swapBig(x: bigint, n: number, lane: number): bigint {
  let r = 0n;
  const l = BigInt(lane);
  for (let i = 0; i < n; i++) r = (r << l) | ((x >> (BigInt(i) * l)) & ((1n << l) - 1n));
  return r;
}

function aluBig(op: AluOpName, x: bigint, y: bigint, bits: number, lane: number): bigint {
  const u = (v: bigint) => BigInt.asUintN(bits, v);
  const s = (v: bigint) => BigInt.asIntN(bits, v);
  const sh = y & BigInt(bits - 1);
  const sx = (v: bigint, from: number) => u(BigInt.asIntN(from, v));
  switch (op) {
    case 'add': return u(x + y);
    case 'sub': return u(x - y);
    case 'mul': return u(x * y);
    case 'div': return y === 0n ? 0n : x / y;
    case 'mod': return y === 0n ? x : x % y;
    case 'sdiv': return s(y) === 0n ? 0n : u(s(x) / s(y));
    case 'smod': return s(y) === 0n ? x : u(s(x) % s(y));
    case 'or': return x | y;
    case 'and': return x & y;
    case 'xor': return x ^ y;
    case 'lsh': return u(x << sh);
    case 'rsh': return x >> sh;
    case 'arsh': return u(s(x) >> sh);
    case 'neg': return u(-x);
    case 'mov': return y;
    case 'movsx8': return sx(y, lane);
    case 'movsx16': return sx(y, 2 * lane);
    case 'movsx32': return sx(y, 4 * lane);
    case 'le16': return BigInt.asUintN(2 * lane, x);
    case 'le32': return BigInt.asUintN(4 * lane, x);
    case 'le64': return x;
    case 'be16': case 'bswap16': return swapBig(x, 2, lane);
    case 'be32': case 'bswap32': return swapBig(x, 4, lane);
    case 'be64': case 'bswap64': return swapBig(x, 8, lane);
  }
}

/** Concrete outcome of `if x OP y` on `bits`-bit BigInts. */
export function concreteBranchBig(op: BranchOpName, x: bigint, y: bigint, is32: boolean, bits: number): boolean {
  if (is32) {
    bits >>= 1;
    x = BigInt.asUintN(bits, x);
    y = BigInt.asUintN(bits, y);
  }
  const sx = BigInt.asIntN(bits, x);
  const sy = BigInt.asIntN(bits, y);
  switch (op) {
    case 'jeq': return x === y;
    case 'jne': return x !== y;
    case 'jgt': return x > y;
    case 'jge': return x >= y;
    case 'jlt': return x < y;
    case 'jle': return x <= y;
    case 'jsgt': return sx > sy;
    case 'jsge': return sx >= sy;
    case 'jslt': return sx < sy;
    case 'jsle': return sx <= sy;
    case 'jset': return (x & y) !== 0n;
  }
}

/** `concreteBranch` specialised to one condition, for hot loops. */
export function branchFn(op: BranchOpName, is32: boolean, bits: number): (x: number, y: number) => boolean {
  const b = is32 ? bits >> 1 : bits;
  const m = (1 << b) - 1;
  const top = 1 << (b - 1);
  // Flipping the sign bit turns signed order into unsigned order.
  switch (op) {
    case 'jeq': return (x, y) => (x & m) === (y & m);
    case 'jne': return (x, y) => (x & m) !== (y & m);
    case 'jgt': return (x, y) => (x & m) > (y & m);
    case 'jge': return (x, y) => (x & m) >= (y & m);
    case 'jlt': return (x, y) => (x & m) < (y & m);
    case 'jle': return (x, y) => (x & m) <= (y & m);
    case 'jsgt': return (x, y) => ((x & m) ^ top) > ((y & m) ^ top);
    case 'jsge': return (x, y) => ((x & m) ^ top) >= ((y & m) ^ top);
    case 'jslt': return (x, y) => ((x & m) ^ top) < ((y & m) ^ top);
    case 'jsle': return (x, y) => ((x & m) ^ top) <= ((y & m) ^ top);
    case 'jset': return (x, y) => (x & y & m) !== 0;
  }
}
