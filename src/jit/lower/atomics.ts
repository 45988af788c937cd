/**
 * Atomic read-modify-write (`lock *(u32 *)(dst + off) += src` and the fetch, xchg and
 * cmpxchg forms), as `vm/atomic.ts` performs them: the operation is picked by `imm`
 * exactly as there (0xf1 cmpxchg, 0xe1 xchg, else by `imm & ~1`: 0x00 add, 0x40 or,
 * 0x50 and, anything else xor; bit 0 fetches the old value into src). The 32-bit
 * forms touch 4 bytes and fetch the old value zero-extended. The address is checked
 * as a write.
 *
 * A run owns its memory unless it is shared, so plain load/op/store is atomic enough
 * there. On a shared memory the wasm atomic instructions are used; they trap on a
 * misaligned address, which eBPF allows, so a misaligned access takes the plain path.
 */
import { AtomicOp, BlockType, Op } from '../wasm/index.js';
import type { FunctionContext } from './context.js';
import { address } from './memory.js';

type Operation = 'add' | 'or' | 'and' | 'xor' | 'xchg' | 'cmpxchg';

function operationOf(imm: number): Operation {
  if (imm === 0xf1) return 'cmpxchg';
  if (imm === 0xe1) return 'xchg';
  switch (imm & ~1) {
    case 0x00: return 'add';
    case 0x40: return 'or';
    case 0x50: return 'and';
    default: return 'xor';
  }
}

const PLAIN: Readonly<Record<'add' | 'or' | 'and' | 'xor', number>> = {
  add: Op.I64_ADD, or: Op.I64_OR, and: Op.I64_AND, xor: Op.I64_XOR,
};

const RMW: Readonly<Record<Exclude<Operation, 'cmpxchg'>, readonly [number, number]>> = {
  // [32-bit form on an i64 operand, 64-bit form]
  add: [AtomicOp.I64_ATOMIC_RMW32_ADD_U, AtomicOp.I64_ATOMIC_RMW_ADD],
  or: [AtomicOp.I64_ATOMIC_RMW32_OR_U, AtomicOp.I64_ATOMIC_RMW_OR],
  and: [AtomicOp.I64_ATOMIC_RMW32_AND_U, AtomicOp.I64_ATOMIC_RMW_AND],
  xor: [AtomicOp.I64_ATOMIC_RMW32_XOR_U, AtomicOp.I64_ATOMIC_RMW_XOR],
  xchg: [AtomicOp.I64_ATOMIC_RMW32_XCHG_U, AtomicOp.I64_ATOMIC_RMW_XCHG],
};

export function lowerAtomic(c: FunctionContext, pc: number, rest: number): void {
  const p = c.program;
  const b = c.b;
  const wide = p.opcode[pc] === 0xdb;
  const size = wide ? 8 : 4;
  const s = p.src[pc]!;
  const imm = p.imm[pc]!;
  const operation = operationOf(imm);
  const fetch = operation === 'xchg' || (operation !== 'cmpxchg' && (imm & 1) !== 0);
  const offset = address(c, p.dst[pc]!, p.offset[pc]!, size, pc, true, rest);
  // The address, with the memarg offset (unchecked mode) folded in, goes to u32.
  if (offset !== 0) b.i32Const(offset).op(Op.I32_ADD);
  b.localSet(c.u32);
  const load = wide ? Op.I64_LOAD : Op.I64_LOAD32_U;
  const store = wide ? Op.I64_STORE : Op.I64_STORE32;

  const plain = (): void => {
    b.localGet(c.u32).load(load, 0, 0).localSet(c.u64); // old
    if (operation === 'cmpxchg') {
      b.localGet(c.u64);
      c.get(0);
      if (!wide) b.i64Const(0xffffffff).op(Op.I64_AND);
      b.op(Op.I64_EQ).if();
      b.localGet(c.u32);
      c.get(s);
      b.store(store, 0, 0).end();
      b.localGet(c.u64);
      c.set(0);
      return;
    }
    b.localGet(c.u32);
    if (operation === 'xchg') c.get(s);
    else {
      b.localGet(c.u64);
      c.get(s);
      b.op(PLAIN[operation]);
    }
    b.store(store, 0, 0);
    if (fetch) { b.localGet(c.u64); c.set(s); }
  };

  const atomic = (): void => {
    b.localGet(c.u32);
    if (operation === 'cmpxchg') {
      c.get(0);
      c.get(s);
      b.atomic(wide ? AtomicOp.I64_ATOMIC_RMW_CMPXCHG : AtomicOp.I64_ATOMIC_RMW32_CMPXCHG_U, 0);
      c.set(0);
      return;
    }
    c.get(s);
    b.atomic(RMW[operation][wide ? 1 : 0], 0);
    if (fetch) c.set(s);
    else b.op(Op.DROP);
  };

  if (!c.env.shared) {
    plain();
    return;
  }
  b.localGet(c.u32).i32Const(size - 1).op(Op.I32_AND).if(BlockType.EMPTY);
  plain();
  b.else();
  atomic();
  b.end();
}
