/**
 * Loads, stores and the address check in front of every access.
 *
 * Checked mode mirrors `Execution.readAddress` / `writeAddress`: the access of `size`
 * bytes at `reg + off` passes when it lies inside the last region that passed (one
 * cache for reads, one for writes, in wasm globals copied into locals), and otherwise goes to the
 * `memory_check` import, which consults `AddressSpace.find` and either throws the
 * interpreter's VmError (OUT_OF_BOUNDS, READ_ONLY; BUDGET_EXCEEDED instead when the
 * budget ran out before the access, see `emit.ts`) or refills the cache.
 *
 * The interpreter forms the address from the register's halves: low word plus offset,
 * and the access fails unless the high word is 0. The fast path computes the 64-bit
 * sum `t = reg + off` and tests `start <= t <= end - size` unsigned. The two agree:
 * regions start at 64 KiB or above and the runtime caches only regions that end below
 * 2^32 - 2^15, so a register with a non-zero high word (which needs an offset of at
 * least 2^15 in magnitude to come back below 2^32) can never pass; the slow path
 * decides those exactly. An empty cache is start = end = 2^32 - 1, which nothing
 * passes.
 *
 * An access through r10 within the running frame (`-512 <= off`, `off + size <= 0`)
 * needs no check: r10 is read-only and always the frame pointer, and every frame lies
 * inside the run's stack region.
 *
 * Unchecked mode uses `i32.wrap_i64(reg + off)` directly: the verifier has proved the
 * access in bounds, and an access outside the memory still traps in wasm.
 */
import { FRAME_POINTER } from '../../isa/index.js';
import { STACK_FRAME_SIZE, type PreparedProgram } from '../../vm/index.js';
import { Op } from '../wasm/index.js';
import type { FunctionContext } from './context.js';

/** An access through r10 that stays in the running frame: never checked (see above). */
function inFrame(base: number, off: number, size: number): boolean {
  return base === FRAME_POINTER && off >= -STACK_FRAME_SIZE && off + size <= 0;
}

/** By opcode: the region-cache entry bit (see `FunctionContext`) of a memory access, 0 for the rest. */
const CACHE_BIT = new Uint8Array(256);
for (const [op, size] of [[0x61, 4], [0x69, 2], [0x71, 1], [0x79, 8], [0x81, 4], [0x89, 2], [0x91, 1]] as const) {
  CACHE_BIT[op] = 1 << Math.log2(size);
}
for (const [op, size] of [[0x62, 4], [0x6a, 2], [0x72, 1], [0x7a, 8], [0x63, 4], [0x6b, 2], [0x73, 1], [0x7b, 8],
  [0xc3, 4], [0xdb, 8]] as const) {
  CACHE_BIT[op] = 0x10 << Math.log2(size);
}

/** The region-cache entries the checked accesses of instructions [start, last] use. */
export function cacheUseOf(p: PreparedProgram, start: number, last: number): number {
  let use = 0;
  for (let pc = start; pc <= last; pc += p.opcode[pc] === 0x18 ? 2 : 1) {
    const bit = CACHE_BIT[p.opcode[pc]!]!;
    if (bit === 0) continue;
    const size = bit & 0xf ? bit : bit >> 4;
    const base = bit & 0xf ? p.src[pc]! : p.dst[pc]!;
    if (!inFrame(base, p.offset[pc]!, size)) use |= bit;
  }
  return use;
}

/**
 * Pushes the checked i32 address of `size` bytes at `base + off` (checked mode), or
 * returns the memarg offset to use with the i32 it pushes (unchecked mode).
 */
export function address(
  c: FunctionContext, base: number, off: number, size: number, pc: number, write: boolean, rest: number,
): number {
  const b = c.b;
  if (!c.env.checked) {
    c.get32(base);
    if (off >= 0) return off;
    b.i32Const(off).op(Op.I32_ADD);
    return 0;
  }
  if (inFrame(base, off, size)) {
    // Inside the running frame: r10 cannot be written, the stack region holds every
    // frame, so the interpreter's check cannot fail. Spills and locals run unchecked.
    c.get32(base);
    b.i32Const(off).op(Op.I32_ADD);
    return 0;
  }
  // block $ok { block $slow { t <u start -> $slow; t <=u end - size -> $ok } slow path }
  c.get(base);
  if (off !== 0) b.i64Const(off).op(Op.I64_ADD);
  b.localSet(c.t64);
  b.block().block();
  b.localGet(c.t64).localGet(c.cacheStart[write ? 1 : 0]!).op(Op.I64_LT_U).brIf(0);
  b.localGet(c.t64).localGet(c.cacheLastFor(write, size)).op(Op.I64_LE_U).brIf(1);
  b.end();
  c.get32(base);
  c.get(base);
  b.i64Const(32).op(Op.I64_SHR_U).op(Op.I32_WRAP_I64);
  b.i32Const(off).i32Const(size).i32Const(pc).i32Const(write ? 1 : 0);
  c.overBudget(rest);
  b.call(c.env.imports.memory);
  c.reloadCache(write);
  b.end();
  b.localGet(c.t64).op(Op.I32_WRAP_I64);
  return 0;
}

const LOADS: Readonly<Record<number, { size: number; op: number }>> = {
  0x61: { size: 4, op: Op.I64_LOAD32_U },
  0x69: { size: 2, op: Op.I64_LOAD16_U },
  0x71: { size: 1, op: Op.I64_LOAD8_U },
  0x79: { size: 8, op: Op.I64_LOAD },
  0x81: { size: 4, op: Op.I64_LOAD32_S },
  0x89: { size: 2, op: Op.I64_LOAD16_S },
  0x91: { size: 1, op: Op.I64_LOAD8_S },
};

const STORES: Readonly<Record<number, { size: number; op: number }>> = {
  0x00: { size: 4, op: Op.I64_STORE32 },
  0x08: { size: 2, op: Op.I64_STORE16 },
  0x10: { size: 1, op: Op.I64_STORE8 },
  0x18: { size: 8, op: Op.I64_STORE },
};

/** Alignment hint: 1 byte. eBPF allows unaligned access and wasm honours it either way. */
const ALIGN = 0;

/** `dst = *(size *)(src + off)`, zero- or (MEMSX) sign-extended. */
export function lowerLoad(c: FunctionContext, pc: number, rest: number): void {
  const p = c.program;
  const { size, op } = LOADS[p.opcode[pc]!]!;
  const offset = address(c, p.src[pc]!, p.offset[pc]!, size, pc, false, rest);
  c.b.load(op, offset, ALIGN);
  c.set(p.dst[pc]!);
}

/** `*(size *)(dst + off) = imm` (ST) or `= src` (STX). */
export function lowerStore(c: FunctionContext, pc: number, rest: number): void {
  const p = c.program;
  const opcode = p.opcode[pc]!;
  const { size, op } = STORES[opcode & 0x18]!;
  const offset = address(c, p.dst[pc]!, p.offset[pc]!, size, pc, true, rest);
  if ((opcode & 0x07) === 0x03) c.get(p.src[pc]!);
  else c.b.i64Const(p.imm[pc]!);
  c.b.store(op, offset, ALIGN);
}
