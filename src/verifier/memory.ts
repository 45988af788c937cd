/**
 * Memory accesses (loads, stores, atomics) checked per pointer type with the kernel's
 * messages: the stack by slot, map values and keys by the map's sizes, the context by
 * its layout, packets by the range proven by comparisons with pkt_end, helper memory
 * by its size.
 */
import { AtomicOp, Class, Mode, SIZE_BYTES, classOf, type Instruction, type SizeValue } from '../isa/index.js';
import { Scalar } from './scalar/index.js';
import { ContextPointer } from './context.js';
import type { Env } from './env.js';
import { typeName } from './log.js';
import { Reject } from './reject.js';
import { loadedScalar, readReg } from './regs.js';
import { stackClobber, stackRead, stackWrite, checkStackBounds, stackInitialised } from './stack.js';
import { cur, isPointer, makeReg, type VState } from './state.js';
import { ErrorCategory, RegType, type Reg } from './types.js';

/** BPF_F_RDONLY_PROG: the program may only read the map. */
const MAP_RDONLY_PROG = 1 << 7;

type Access = 'read' | 'write';

function bounded(pc: number, regno: number, reg: Reg, insnOff: number, size: number, limit: number,
  what: (off: number) => string): void {
  const off = reg.off + insnOff;
  const v = reg.value;
  if (v.isConstant()) {
    const o = off + Number(BigInt.asIntN(64, v.constantValue()!));
    if (o < 0 || o + size > limit) throw new Reject(pc, what(o), ErrorCategory.MEM, regno, 'bounds_check');
    return;
  }
  if (v.smin < 0n) {
    throw new Reject(pc, `R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`,
      ErrorCategory.BOUNDS, regno, 'bounds_check');
  }
  if (v.umax >= 1n << 29n) {
    throw new Reject(pc, `R${regno} unbounded memory access, make sure to bounds check any such access`,
      ErrorCategory.BOUNDS, regno, 'bounds_check');
  }
  const lo = off + Number(v.smin);
  if (lo < 0) throw new Reject(pc, what(lo), ErrorCategory.MEM, regno, 'bounds_check');
  const hi = off + Number(v.umax);
  if (hi + size > limit) throw new Reject(pc, what(hi), ErrorCategory.MEM, regno, 'bounds_check');
}

/** Checks an access of `size` bytes at `reg + insnOff`; returns the loaded value for reads. */
export function checkAccess(env: Env, st: VState, pc: number, regno: number, insnOff: number, size: number,
  access: Access, value: Reg | undefined, signed = false, fillTarget?: number, storedFrom?: number): Reg | undefined {
  const reg = readReg(st, regno, pc);
  if (reg.maybeNull || reg.type === RegType.SCALAR || reg.type === RegType.PACKET_END || reg.type === RegType.MAP_PTR
    || reg.type === RegType.FUNC) {
    throw new Reject(pc, `R${regno} invalid mem access '${typeName(reg)}'`, ErrorCategory.MEM, regno,
      reg.maybeNull ? 'null_check' : undefined);
  }
  switch (reg.type) {
    case RegType.STACK: {
      const frame = st.frames[reg.frame]!;
      if (!reg.value.isConstant()) {
        const lo = reg.off + insnOff + Number(reg.value.smin);
        const hi = reg.off + insnOff + Number(reg.value.smax) + size;
        if (reg.value.smin < -512n || reg.value.smax > 512n) {
          throw new Reject(pc, `R${regno} unbounded memory access, make sure to bounds check any such access`, ErrorCategory.BOUNDS, regno);
        }
        checkStackBounds(pc, regno, lo, hi - lo, access === 'write');
        if (access === 'write') {
          stackClobber(frame, lo, hi, false);
          env.noteStackWrite(st, reg.frame, pc, lo, hi - lo, false, storedFrom);
          return undefined;
        }
        env.noteStackRead(st, reg.frame, pc, lo, hi, fillTarget);
        stackInitialised(frame, pc, regno, lo, hi, env.allowUninitStack);
        return loadedScalar(size, signed, pc);
      }
      const off = reg.off + insnOff + Number(BigInt.asIntN(64, reg.value.constantValue()!));
      if (access === 'write') {
        stackWrite(frame, pc, regno, off, size, value);
        env.noteStackWrite(st, reg.frame, pc, off, size, true, storedFrom);
        return undefined;
      }
      env.noteStackRead(st, reg.frame, pc, off, off + size, fillTarget);
      return stackRead(frame, pc, regno, off, size, signed, env.allowUninitStack);
    }
    case RegType.MAP_VALUE: {
      const d = reg.map!.desc;
      if (access === 'write' && ((d.flags ?? 0) & MAP_RDONLY_PROG)) throw new Reject(pc, 'write into map forbidden', ErrorCategory.MEM, regno);
      bounded(pc, regno, reg, insnOff, size, d.valueSize,
        (o) => `invalid access to map value, value_size=${d.valueSize} off=${o} size=${size}`);
      return access === 'read' ? loadedScalar(size, signed, pc) : undefined;
    }
    case RegType.MAP_KEY: {
      const d = reg.map!.desc;
      if (access === 'write') throw new Reject(pc, `R${regno} cannot write into map_key`, ErrorCategory.MEM, regno);
      bounded(pc, regno, reg, insnOff, size, d.keySize,
        (o) => `invalid access to map key, key_size=${d.keySize} off=${o} size=${size}`);
      return loadedScalar(size, signed, pc);
    }
    case RegType.MEM: case RegType.RINGBUF_MEM: {
      bounded(pc, regno, reg, insnOff, size, reg.memSize,
        (o) => `invalid access to memory, mem_size=${reg.memSize} off=${o} size=${size}`);
      return access === 'read' ? loadedScalar(size, signed, pc) : undefined;
    }
    case RegType.PACKET: case RegType.PACKET_META: {
      if (access === 'write' && env.context.packetReadOnly) {
        throw new Reject(pc, 'cannot write into packet', ErrorCategory.MEM, regno);
      }
      const off = reg.off + insnOff;
      const v = reg.value;
      const bad = (): never => {
        throw new Reject(pc, `invalid access to packet, off=${off} size=${size}, R${regno}(id=${reg.id},off=${reg.off},r=${reg.range})`,
          ErrorCategory.MEM, regno, 'packet_check');
      };
      if (v.smin < 0n) {
        throw new Reject(pc, `R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`,
          ErrorCategory.BOUNDS, regno, 'bounds_check');
      }
      // The range is proven for this pointer's variable part (the comparison with
      // pkt_end was made on a copy with the same id), so only the fixed offset counts.
      if (off < 0 || off + size > reg.range) bad();
      return access === 'read' ? loadedScalar(size, signed, pc) : undefined;
    }
    case RegType.FLOW_KEYS: {
      // Arithmetic on flow keys only adds constants (alu.ts), so the offset is fixed.
      const off = reg.off + insnOff;
      if (!reg.value.isConstant() || reg.value.constantValue()! !== 0n || off < 0 || off + size > reg.memSize) {
        throw new Reject(pc, `invalid access to flow keys off=${off} size=${size}`, ErrorCategory.MEM, regno);
      }
      return access === 'read' ? loadedScalar(size, signed, pc) : undefined;
    }
    case RegType.CTX:
      return ctxAccess(env, pc, regno, reg, insnOff, size, access);
    case RegType.SOCKET: {
      const off = reg.off + insnOff;
      if (access === 'write' || off < 0 || off + size > 80 || !reg.value.isConstant()) {
        throw new Reject(pc, `R${regno} invalid sock access off=${off} size=${size}`, ErrorCategory.MEM, regno);
      }
      return loadedScalar(size, signed, pc);
    }
    default:
      throw new Reject(pc, `R${regno} invalid mem access '${typeName(reg)}'`, ErrorCategory.MEM, regno);
  }
}

function ctxAccess(env: Env, pc: number, regno: number, reg: Reg, insnOff: number, size: number, access: Access): Reg | undefined {
  if (reg.off !== 0 || !reg.value.isConstant() || reg.value.constantValue()! !== 0n) {
    throw new Reject(pc, `dereference of modified ctx ptr R${regno} off=${reg.off} disallowed`, ErrorCategory.CTX, regno);
  }
  const off = insnOff;
  const layout = env.context;
  const bad = (): never => {
    throw new Reject(pc, `invalid bpf_context access off=${off} size=${size}`, ErrorCategory.CTX, regno, 'ctx_access');
  };
  // Every context's is_valid_access demands natural alignment (off % size == 0).
  if (off < 0 || off + size > layout.size || off % size !== 0) bad();
  const field = layout.fields.find((f) => off >= f.offset && off + size <= f.offset + f.size);
  if (!field) return bad();
  const whole = field.offset === off && field.size === size;
  if (access === 'write') {
    if (!field.writable || (!whole && !field.narrowWrites)) bad();
    return undefined;
  }
  if (!field.readable) bad();
  if (field.pointer !== undefined) {
    if (!whole) bad();
    switch (field.pointer) {
      case ContextPointer.PACKET: return makeReg(RegType.PACKET, { defPc: pc });
      case ContextPointer.PACKET_END: return makeReg(RegType.PACKET_END, { defPc: pc });
      case ContextPointer.PACKET_META: return makeReg(RegType.PACKET_META, { defPc: pc });
      case ContextPointer.SOCKET_OR_NULL: return makeReg(RegType.SOCKET, { maybeNull: true, id: env.nextId(), defPc: pc });
      case ContextPointer.SOCKET: return makeReg(RegType.SOCKET, { defPc: pc });
      case ContextPointer.FLOW_KEYS: return makeReg(RegType.FLOW_KEYS, { memSize: field.pointeeSize ?? 0, defPc: pc });
    }
  }
  if (!whole && !field.narrowReads) bad();
  return loadedScalar(size, false, pc);
}

/** LDX, ST, STX and atomics. */
export function checkMemInsn(env: Env, st: VState, i: Instruction, pc: number): void {
  const cls = classOf(i.opcode);
  const size = SIZE_BYTES[(i.opcode & 0x18) as SizeValue];
  const mode = i.opcode & 0xe0;
  const f = cur(st);
  if (cls === Class.LDX) {
    if (i.dst === 10) throw new Reject(pc, 'frame pointer is read only', ErrorCategory.INSN, 10);
    const v = checkAccess(env, st, pc, i.src, i.offset, size, 'read', undefined, mode === Mode.MEMSX, i.dst)!;
    f.regs[i.dst] = { ...v, defPc: pc };
    return;
  }
  if (cls === Class.ST) {
    const value = makeReg(RegType.SCALAR, { value: Scalar.constant(BigInt.asUintN(64, BigInt(i.imm))), defPc: pc });
    checkAccess(env, st, pc, i.dst, i.offset, size, 'write', value);
    return;
  }
  // STX
  if (mode === Mode.ATOMIC) return checkAtomic(env, st, i, pc, size);
  const value = readReg(st, i.src, pc);
  checkAccess(env, st, pc, i.dst, i.offset, size, 'write', value, false, undefined, i.src);
}

function checkAtomic(env: Env, st: VState, i: Instruction, pc: number, size: number): void {
  const f = cur(st);
  const src = readReg(st, i.src, pc);
  const dst = readReg(st, i.dst, pc);
  if (i.imm === AtomicOp.CMPXCHG) readReg(st, 0, pc);
  if (dst.type === RegType.CTX || dst.type === RegType.PACKET || dst.type === RegType.PACKET_META
    || dst.type === RegType.FLOW_KEYS) {
    throw new Reject(pc, `BPF_ATOMIC stores into R${i.dst} ${typeName(dst)} is not allowed`, ErrorCategory.MEM, i.dst);
  }
  if (isPointer(src)) throw new Reject(pc, `R${i.src} leaks addr into mem`, ErrorCategory.MEM, i.src);
  // The old value must be readable (a spilled pointer is not a number to add to).
  const old = checkAccess(env, st, pc, i.dst, i.offset, size, 'read', undefined)!;
  if (isPointer(old)) throw new Reject(pc, `R${i.dst} atomic on a spilled pointer is not allowed`, ErrorCategory.MEM, i.dst);
  checkAccess(env, st, pc, i.dst, i.offset, size, 'write', undefined, false, undefined, i.src);
  const fetched = { ...loadedScalar(size, false, pc) };
  if (i.imm === AtomicOp.CMPXCHG) f.regs[0] = fetched;
  else if (i.imm & AtomicOp.FETCH) f.regs[i.src] = fetched;
}
