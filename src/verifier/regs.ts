/**
 * Reading registers (uninitialised reads are `R1 !read_ok`) and the value-range shapes
 * loads produce.
 */
import { Scalar } from './scalar/index.js';
import { Reject } from './reject.js';
import { cur, makeReg, type VState } from './state.js';
import { ErrorCategory, RegType, type Reg } from './types.js';

/** A readable register of the current frame, or a rejection naming it. */
export function readReg(st: VState, r: number, pc: number): Reg {
  const reg = cur(st).regs[r]!;
  if (reg.type === RegType.NOT_INIT) {
    throw new Reject(pc, `R${r} !read_ok`, ErrorCategory.UNINIT, r, 'uninit_reg');
  }
  return reg;
}

/** An unknown value of `size` bytes, zero-extended (or sign-extended when `signed`). */
export function loadedScalar(size: number, signed: boolean, defPc: number): Reg {
  let value: Scalar;
  if (size >= 8) value = Scalar.unknown();
  else {
    const bits = BigInt(size * 8);
    value = signed
      ? Scalar.fromSignedRange(-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n)
      : Scalar.fromUnsignedRange(0n, (1n << bits) - 1n);
  }
  return makeReg(RegType.SCALAR, { value, defPc });
}

/** Truncates a known scalar to `size` bytes (a narrow fill of a spilled constant). */
export function truncated(v: Scalar, size: number, signed: boolean, defPc: number): Reg {
  if (size >= 8 || !v.isConstant()) return size >= 8 ? makeReg(RegType.SCALAR, { value: v, defPc }) : loadedScalar(size, signed, defPc);
  const bits = size * 8;
  const c = signed ? BigInt.asUintN(64, BigInt.asIntN(bits, v.constantValue()!)) : BigInt.asUintN(bits, v.constantValue()!);
  return makeReg(RegType.SCALAR, { value: Scalar.constant(c), defPc });
}
