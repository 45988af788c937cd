/**
 * ALU instructions: scalar arithmetic through the scalar domain, and Linux's rules for
 * arithmetic on pointers (which operators, which pointer types, which offsets), with
 * the kernel's messages.
 */
import { AluOp, Class, Source, classOf, type Instruction } from '../isa/index.js';
import { Scalar } from './scalar/index.js';
import { aluScalar } from './bridge.js';
import type { Env } from './env.js';
import { Reject } from './reject.js';
import { cur, immediateReg, isPointer, scalarReg, unknownScalar, type VState } from './state.js';
import { typeName } from './log.js';
import { ErrorCategory, RegType, type Reg } from './types.js';
import { readReg } from './regs.js';

/** Linux's bpf_alu_string, for messages. */
const ALU_STRING: Record<number, string> = {
  [AluOp.ADD]: '+=', [AluOp.SUB]: '-=', [AluOp.MUL]: '*=', [AluOp.DIV]: '/=', [AluOp.OR]: '|=', [AluOp.AND]: '&=',
  [AluOp.LSH]: '<<=', [AluOp.RSH]: '>>=', [AluOp.NEG]: 'neg', [AluOp.MOD]: '%=', [AluOp.XOR]: '^=', [AluOp.MOV]: '=',
  [AluOp.ARSH]: 's>>=', [AluOp.END]: 'endian',
};

/** Linux keeps pointer offsets within +-2^29 so offset arithmetic never overflows. */
const MAX_VAR_OFF = 1n << 29n;

const S64_MIN = -(1n << 63n);

export function checkAlu(env: Env, st: VState, i: Instruction, pc: number): void {
  const f = cur(st);
  const is32 = classOf(i.opcode) === Class.ALU;
  const op = i.opcode & 0xf0;
  const useX = (i.opcode & 0x08) === Source.X && op !== AluOp.NEG && op !== AluOp.END;
  const dst = i.dst;
  if (dst === 10) throw new Reject(pc, 'frame pointer is read only', ErrorCategory.INSN, 10);

  if (op === AluOp.MOV) {
    if (!useX) {
      f.regs[dst] = immediateReg(env, i, is32, pc);
      return;
    }
    const src = readReg(st, i.src, pc);
    if (i.offset === 0 && !is32) {
      if (src.type === RegType.SCALAR && src.id === 0 && !src.value.isConstant()) {
        const id = env.nextId();
        f.regs[i.src] = { ...src, id, delta: 0 };
        f.regs[dst] = { ...src, id, delta: 0, defPc: pc };
      } else {
        f.regs[dst] = { ...src, defPc: pc };
      }
      return;
    }
    if (isPointer(src)) {
      // A partial or sign-extended copy of a pointer is a number to a privileged program.
      f.regs[dst] = unknownScalar(pc);
      if (is32) f.regs[dst] = { ...f.regs[dst]!, value: aluScalar(i, Scalar.unknown(), Scalar.unknown(), true) };
      return;
    }
    f.regs[dst] = scalarReg(aluScalar(i, Scalar.unknown(), src.value, is32), pc);
    return;
  }

  const d = readReg(st, dst, pc);
  if (op === AluOp.NEG || op === AluOp.END) {
    if (isPointer(d)) throw new Reject(pc, `R${dst} pointer arithmetic prohibited`, ErrorCategory.BOUNDS, dst);
    f.regs[dst] = scalarReg(aluScalar(i, d.value, d.value, is32), pc);
    return;
  }

  let s: Reg;
  if (useX) {
    s = readReg(st, i.src, pc);
  } else {
    if ((op === AluOp.DIV || op === AluOp.MOD) && i.imm === 0) throw new Reject(pc, 'div by zero', ErrorCategory.DIV_BY_ZERO);
    if ((op === AluOp.LSH || op === AluOp.RSH || op === AluOp.ARSH) && (i.imm < 0 || i.imm >= (is32 ? 32 : 64))) {
      throw new Reject(pc, `invalid shift ${i.imm}`, ErrorCategory.INSN);
    }
    s = immediateReg(env, i, is32, pc);
  }

  if (isPointer(d) || isPointer(s)) {
    // The number added to a pointer becomes part of it: its value decides later accesses.
    if (isPointer(d) && !isPointer(s) && useX) env.notePrecise(st, pc, 1 << i.src);
    if (!isPointer(d) && isPointer(s)) env.notePrecise(st, pc, 1 << dst);
    f.regs[dst] = pointerArith(env, i, pc, d, s, is32);
    return;
  }
  if ((op === AluOp.DIV || op === AluOp.MOD) && !env.allowDivisionByZero && useX) env.notePrecise(st, pc, 1 << i.src);
  if ((op === AluOp.DIV || op === AluOp.MOD) && !env.allowDivisionByZero && (is32 ? s.value.u32min === 0n : s.value.contains(0n))) {
    throw new Reject(pc, 'division by zero', ErrorCategory.DIV_BY_ZERO, useX ? i.src : undefined);
  }
  const value = aluScalar(i, d.value, s.value, is32);
  let out: Reg = scalarReg(value, pc);
  // Linked scalars: `r2 = r1; r2 += 4` keeps r2 tied to r1, so a bound learned on one
  // applies to the other (Linux's BPF_ADD_CONST).
  if (!is32 && d.id !== 0 && (op === AluOp.ADD || op === AluOp.SUB) && s.value.isConstant()) {
    const c = BigInt.asIntN(64, s.value.constantValue()!);
    const delta = BigInt(d.delta) + (op === AluOp.ADD ? c : -c);
    if (delta > -(1n << 31n) && delta < 1n << 31n) out = { ...out, id: d.id, delta: Number(delta) };
  }
  f.regs[dst] = out;
}

/** The pointer types arithmetic is allowed on. */
function arithAllowed(r: Reg): boolean {
  switch (r.type) {
    case RegType.CTX: case RegType.MAP_VALUE: case RegType.MAP_KEY: case RegType.STACK: case RegType.PACKET:
    case RegType.PACKET_META: case RegType.MEM: case RegType.RINGBUF_MEM:
      return true;
    default:
      return false;
  }
}

/**
 * Arithmetic with a pointer operand, in the order of Linux's adjust_reg_min_max_vals and
 * adjust_ptr_min_max_vals for a privileged program (allow_ptr_leaks): pointer - pointer
 * is a number; any 32-bit operation on a pointer is prohibited except subtraction, which
 * (pointer on either side) leaves an unknown scalar; then the pointer type and operator
 * rules apply whichever side the pointer is on.
 */
function pointerArith(env: Env, i: Instruction, pc: number, d: Reg, s: Reg, is32: boolean): Reg {
  const op = i.opcode & 0xf0;
  const dst = i.dst;
  if (isPointer(d) && isPointer(s)) {
    if (op === AluOp.SUB) return unknownScalar(pc); // a privileged program may subtract pointers
    throw new Reject(pc, `R${dst} pointer ${ALU_STRING[op]} pointer prohibited`, ErrorCategory.BOUNDS, dst);
  }
  const scalarDst = !isPointer(d);
  const ptr = scalarDst ? s : d;
  const off = scalarDst ? d : s;
  if (is32) {
    if (op === AluOp.SUB) return unknownScalar(pc); // 32-bit ALU on a pointer makes a meaningless number
    throw new Reject(pc, `R${dst} 32-bit pointer arithmetic prohibited`, ErrorCategory.BOUNDS, dst);
  }
  if (ptr.maybeNull) {
    throw new Reject(pc, `R${dst} pointer arithmetic on ${typeName(ptr)} prohibited, null-check it first`,
      ErrorCategory.BOUNDS, dst, 'null_check');
  }
  // Flow keys take constant offsets only (adjust_ptr_min_max_vals).
  const flowKeysConst = ptr.type === RegType.FLOW_KEYS && off.value.isConstant();
  if (!arithAllowed(ptr) && !flowKeysConst) throw new Reject(pc, `R${dst} pointer arithmetic on ${typeName(ptr)} prohibited`, ErrorCategory.BOUNDS, dst);
  if (op === AluOp.AND || op === AluOp.OR || op === AluOp.XOR) {
    throw new Reject(pc, `R${dst} bitwise operator ${ALU_STRING[op]} on pointer prohibited`, ErrorCategory.BOUNDS, dst);
  }
  if (op === AluOp.SUB && scalarDst) {
    throw new Reject(pc, `R${dst} tried to subtract pointer from scalar`, ErrorCategory.BOUNDS, dst);
  }
  // Linux refuses any subtraction from a stack pointer (JITs may not cope with it);
  // compilers add negative constants instead.
  if (op === AluOp.SUB && ptr.type === RegType.STACK) {
    throw new Reject(pc, `R${dst} subtraction from stack pointer prohibited`, ErrorCategory.BOUNDS, dst);
  }
  if (op !== AluOp.ADD && op !== AluOp.SUB) {
    throw new Reject(pc, `R${dst} pointer arithmetic with ${ALU_STRING[op]} operator prohibited`, ErrorCategory.BOUNDS, dst);
  }
  const v = off.value;
  if (v.isConstant()) {
    const c = BigInt.asIntN(64, v.constantValue()!);
    const next = BigInt(ptr.off) + (op === AluOp.ADD ? c : -c);
    if (c >= MAX_VAR_OFF || c <= -MAX_VAR_OFF || next >= MAX_VAR_OFF || next <= -MAX_VAR_OFF) {
      throw new Reject(pc, `math between ${typeName(ptr)} pointer and ${c} is not allowed`, ErrorCategory.BOUNDS, dst);
    }
    return { ...ptr, off: Number(next), defPc: pc };
  }
  if (v.smin === S64_MIN) {
    throw new Reject(pc, `math between ${typeName(ptr)} pointer and register with unbounded min value is not allowed`,
      ErrorCategory.BOUNDS, isPointer(d) ? (i.opcode & 0x08 ? i.src : dst) : dst, 'bounds_check');
  }
  if (v.smin <= -MAX_VAR_OFF || v.smin >= MAX_VAR_OFF) {
    throw new Reject(pc, `value ${v.smin} makes ${typeName(ptr)} pointer be out of bounds`, ErrorCategory.BOUNDS, dst, 'bounds_check');
  }
  const fake = { ...i, opcode: Class.ALU64 | op | Source.X } as Instruction;
  const value = aluScalar(fake, ptr.value, v, false);
  const out: Reg = { ...ptr, value, defPc: pc };
  if (ptr.type === RegType.PACKET || ptr.type === RegType.PACKET_META) {
    // A new variable offset: the range learned for the old pointer no longer applies.
    return { ...out, id: env.nextId(), range: 0 };
  }
  return out;
}

