/**
 * The stack in 8-byte slots: spills and fills of whole registers, bytes that are
 * misc (some number), zero or invalid (never written), as Linux tracks them. A
 * privileged program may read invalid bytes as some number (Linux's allow_uninit_stack,
 * granted with CAP_PERFMON); without that they are rejected. A full-width fill of a
 * spilled register gives it back, pointer and id included.
 */
import { Scalar } from './scalar/index.js';
import { Reject } from './reject.js';
import { loadedScalar, truncated } from './regs.js';
import { MAX_STACK, SlotByte, isPointer, makeReg, ownStack, slotOf, type Frame, type StackSlot, EMPTY_SLOT } from './state.js';
import { ErrorCategory, RegType, type Reg } from './types.js';

function slotAt(f: Frame, slot: number): StackSlot {
  return f.stack[slot] ?? EMPTY_SLOT;
}

function setBytes(s: StackSlot, from: number, to: number, b: string): StackSlot {
  let bytes = s.bytes;
  // Overwriting part of a spilled register leaves the rest of it as some number.
  if (s.spill) bytes = bytes.replace(/r/g, SlotByte.MISC);
  bytes = bytes.slice(0, from) + b.repeat(to - from) + bytes.slice(to);
  return { bytes };
}

/** Checks `[off, off+size)` lies inside the 512-byte frame. */
export function checkStackBounds(pc: number, regno: number, off: number, size: number, write: boolean): void {
  if (off < -MAX_STACK || off + size > 0) {
    throw new Reject(pc, `invalid ${write ? 'write to' : 'read from'} stack R${regno} off=${off} size=${size}`,
      ErrorCategory.MEM, regno);
  }
}

/** Stores `value` (or an unknown number when undefined) at fp+off in frame `f`. */
export function stackWrite(f: Frame, pc: number, regno: number, off: number, size: number, value: Reg | undefined): void {
  checkStackBounds(pc, regno, off, size, true);
  f.depth = Math.max(f.depth, -off);
  const { slot, byte } = slotOf(off);
  if (value && isPointer(value)) {
    if (size !== 8) throw new Reject(pc, 'invalid size of register spill', ErrorCategory.MEM, regno);
    if (byte !== 0) throw new Reject(pc, `misaligned stack access off ${off}+0 size 8`, ErrorCategory.MEM, regno);
  }
  if (size === 8 && byte === 0 && value) {
    ownStack(f)[slot] = { bytes: SlotByte.SPILL.repeat(8), spill: { ...value, defPc: value.defPc } };
    return;
  }
  // Narrow stores (and unaligned ones, which may straddle two slots) write bytes.
  const zero = value && value.type === RegType.SCALAR && value.value.isConstant() && value.value.constantValue()! === 0n;
  const fill = zero ? SlotByte.ZERO : SlotByte.MISC;
  let remaining = size;
  let at = off;
  while (remaining > 0) {
    const { slot: s, byte: b } = slotOf(at);
    const n = Math.min(remaining, 8 - b);
    const old = slotAt(f, s);
    ownStack(f)[s] = setBytes(old, b, b + n, fill);
    remaining -= n;
    at += n;
  }
}

/** Writes unknown bytes over a range of possible offsets (a variable-offset store or a helper's output). */
export function stackClobber(f: Frame, lo: number, hi: number, initialise: boolean): void {
  for (let at = lo; at < hi; at++) {
    const { slot, byte } = slotOf(at);
    const old = slotAt(f, slot);
    const b = old.bytes[byte];
    const keep = !initialise && b === SlotByte.INVALID;
    if (!keep) ownStack(f)[slot] = setBytes(old, byte, byte + 1, SlotByte.MISC);
  }
  f.depth = Math.max(f.depth, -lo);
}

/** Loads `size` bytes at fp+off of frame `f`; `allowUninit` lets never-written bytes read as some number. */
export function stackRead(f: Frame, pc: number, regno: number, off: number, size: number, signed: boolean,
  allowUninit: boolean): Reg {
  checkStackBounds(pc, regno, off, size, false);
  const { slot, byte } = slotOf(off);
  const s = slotAt(f, slot);
  if (s.spill && byte === 0) {
    if (size === 8) return { ...s.spill, defPc: s.spill.defPc };
    if (isPointer(s.spill)) throw new Reject(pc, 'invalid size of register fill', ErrorCategory.MEM, regno);
    return truncated(s.spill.value, size, signed, pc);
  }
  if (s.spill && isPointer(s.spill)) throw new Reject(pc, 'invalid size of register fill', ErrorCategory.MEM, regno);
  let allZero = true;
  for (let k = 0; k < size; k++) {
    const { slot: si, byte: bi } = slotOf(off + k);
    const b = slotAt(f, si).bytes[bi];
    if (b === SlotByte.INVALID && !allowUninit) {
      throw new Reject(pc, `invalid read from stack off ${off}+${k} size ${size}`, ErrorCategory.UNINIT, regno, 'uninit_stack');
    }
    if (b !== SlotByte.ZERO) allZero = false;
  }
  // Linux grows the frame on reads too (check_stack_access_within_bounds), so the depth counts them.
  f.depth = Math.max(f.depth, -off);
  if (allZero) return makeReg(RegType.SCALAR, { value: Scalar.constant(0n), defPc: pc });
  return loadedScalar(size, signed, pc);
}

/**
 * Checks `[lo, hi)` is initialised (variable-offset loads, helper arguments the helper
 * reads), unless `allowUninit` (Linux's check_stack_range_initialized lets a privileged
 * program pass STACK_INVALID bytes).
 */
export function stackInitialised(f: Frame, pc: number, regno: number, lo: number, hi: number, allowUninit: boolean): void {
  f.depth = Math.max(f.depth, -lo);
  if (allowUninit) return;
  for (let at = lo; at < hi; at++) {
    const { slot, byte } = slotOf(at);
    if (slotAt(f, slot).bytes[byte] === SlotByte.INVALID) {
      throw new Reject(pc, `invalid indirect read from stack R${regno} off ${lo}+${at - lo} size ${hi - lo}`,
        ErrorCategory.UNINIT, regno, 'uninit_stack');
    }
  }
}
