/**
 * Calls: helper calls checked against their prototypes (maps, keys and values sized by
 * the map, memory-and-size pairs, the context, callbacks) with the return type applied
 * and references acquired or released; bpf-to-bpf calls into a new frame; `exit` from
 * a function, a callback, or the program.
 */
import { ArgKind, RetKind, type ArgKindValue, type HelperPrototype } from '../helpers/prototype.js';
import { MapType } from '../maps/constants.js';
import { cv } from './bridge.js';
import type { Env } from './env.js';
import { typeName } from './log.js';
import { checkAccess } from './memory.js';
import { Reject } from './reject.js';
import { readReg } from './regs.js';
import { stackClobber, stackInitialised } from './stack.js';
import { mapHelperMismatch } from './map-compat.js';
import {
  MAX_CALL_FRAMES, MAX_STACK, NOT_INIT_REG, cloneFrame, cloneState, cur, widenChanged, makeReg, newFrame, unknownScalar, type VState,
} from './state.js';
import { mapRegs } from './branch.js';
import { ErrorCategory, RegType, type MapDescriptor, type MapRef, type Reg } from './types.js';

const MEM_TYPES = 'fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_';

interface CallMeta {
  map?: MapRef;
  allocSize: number;
  callbackPc: number;
  releaseRef: number;
}

function expectType(pc: number, regno: number, reg: Reg, expected: string, ok: boolean): void {
  if (!ok) throw new Reject(pc, `R${regno} type=${typeName(reg)} expected=${expected}`, ErrorCategory.HELPER_ARG, regno);
}

function isZero(r: Reg): boolean {
  return r.type === RegType.SCALAR && r.value.isConstant() && cv(r.value) === 0n;
}

/** A pointer to memory a helper (or a global function) may be given. */
export function memPointer(r: Reg): boolean {
  if (r.maybeNull) return false;
  switch (r.type) {
    case RegType.STACK: case RegType.PACKET: case RegType.PACKET_META: case RegType.MAP_KEY: case RegType.MAP_VALUE:
    case RegType.MEM: case RegType.RINGBUF_MEM:
      return true;
    default:
      return false;
  }
}

/** The helper reads (or writes) `size` bytes at the pointer in `regno`. */
export function helperAccess(env: Env, st: VState, pc: number, regno: number, size: number, write: boolean): void {
  const reg = cur(st).regs[regno]!;
  if (size === 0) return;
  if (reg.type === RegType.STACK) {
    const frame = st.frames[reg.frame]!;
    const lo = reg.off + Number(reg.value.smin);
    const hi = reg.off + Number(reg.value.smax) + size;
    if (reg.value.smin < -BigInt(MAX_STACK) || reg.value.smax > 0n) {
      throw new Reject(pc, `R${regno} unbounded indirect variable offset stack access`, ErrorCategory.HELPER_ARG, regno);
    }
    if (lo < -MAX_STACK || hi > 0) {
      throw new Reject(pc, `invalid indirect access to stack R${regno} off=${lo} size=${hi - lo}`, ErrorCategory.HELPER_ARG, regno);
    }
    if (write) {
      stackClobber(frame, lo, hi, reg.value.isConstant());
      env.noteStackWrite(st, reg.frame, pc, lo, hi - lo, false);
    } else {
      env.noteStackRead(st, reg.frame, pc, lo, hi);
      stackInitialised(frame, pc, regno, lo, hi, env.allowUninitStack);
    }
    return;
  }
  // Other memory: the access of the whole range checks its bounds.
  checkAccess(env, st, pc, regno, 0, size, write ? 'write' : 'read', undefined);
}

function checkArg(env: Env, st: VState, pc: number, k: number, kind: ArgKindValue, proto: HelperPrototype, meta: CallMeta): void {
  const regno = k + 1;
  if (kind === ArgKind.DONTCARE) return;
  const reg = readReg(st, regno, pc);
  switch (kind) {
    case ArgKind.ANYTHING:
      return;
    case ArgKind.CONST_MAP_PTR:
      expectType(pc, regno, reg, 'map_ptr', reg.type === RegType.MAP_PTR && !reg.maybeNull);
      meta.map = reg.map!;
      return;
    case ArgKind.PTR_TO_MAP_KEY: case ArgKind.PTR_TO_MAP_VALUE: case ArgKind.PTR_TO_UNINIT_MAP_VALUE: {
      expectType(pc, regno, reg, MEM_TYPES, memPointer(reg));
      if (!meta.map) throw new Reject(pc, 'invalid map_ptr to access map->key', ErrorCategory.HELPER_ARG, regno);
      const d = meta.map.desc;
      const size = kind === ArgKind.PTR_TO_MAP_KEY ? d.keySize : d.valueSize;
      helperAccess(env, st, pc, regno, size, kind === ArgKind.PTR_TO_UNINIT_MAP_VALUE);
      return;
    }
    case ArgKind.PTR_TO_MEM: case ArgKind.PTR_TO_MEM_RDONLY: case ArgKind.PTR_TO_UNINIT_MEM:
    case ArgKind.PTR_TO_MEM_RDONLY_OR_NULL:
      if (kind === ArgKind.PTR_TO_MEM_RDONLY_OR_NULL && isZero(reg)) return;
      expectType(pc, regno, reg, MEM_TYPES, memPointer(reg));
      return; // checked with its size argument
    case ArgKind.CONST_SIZE: case ArgKind.CONST_SIZE_OR_ZERO: {
      expectType(pc, regno, reg, 'scalar', reg.type === RegType.SCALAR);
      const v = reg.value;
      if (v.smin < 0n) {
        throw new Reject(pc, `R${regno} min value is negative, either use unsigned or 'var &= const'`, ErrorCategory.HELPER_ARG, regno, 'bounds_check');
      }
      if (v.umax >= 1n << 29n) {
        throw new Reject(pc, `R${regno} unbounded memory access, use 'var &= const' or 'if (var < const)'`, ErrorCategory.HELPER_ARG, regno, 'bounds_check');
      }
      if (kind === ArgKind.CONST_SIZE && v.umin === 0n) {
        throw new Reject(pc, `R${regno} invalid zero-sized read: u64=[${v.umin},${v.umax}]`, ErrorCategory.HELPER_ARG, regno);
      }
      const memKind = proto.args[k - 1];
      const memReg = cur(st).regs[regno - 1]!;
      if (memKind === ArgKind.PTR_TO_MEM_RDONLY_OR_NULL && isZero(memReg)) return;
      helperAccess(env, st, pc, regno - 1, Number(v.umax), memKind === ArgKind.PTR_TO_UNINIT_MEM || memKind === ArgKind.PTR_TO_MEM);
      return;
    }
    case ArgKind.CONST_ALLOC_SIZE_OR_ZERO:
      if (reg.type !== RegType.SCALAR || !reg.value.isConstant()) {
        throw new Reject(pc, `R${regno} is not a known constant'`, ErrorCategory.HELPER_ARG, regno);
      }
      meta.allocSize = Number(cv(reg.value));
      return;
    case ArgKind.PTR_TO_CTX: case ArgKind.PTR_TO_CTX_OR_NULL:
      if (kind === ArgKind.PTR_TO_CTX_OR_NULL && isZero(reg)) return;
      expectType(pc, regno, reg, 'ctx', reg.type === RegType.CTX);
      if (reg.off !== 0 || !reg.value.isConstant() || cv(reg.value) !== 0n) {
        throw new Reject(pc, `dereference of modified ctx ptr R${regno} off=${reg.off} disallowed`, ErrorCategory.HELPER_ARG, regno);
      }
      return;
    case ArgKind.PTR_TO_RINGBUF_MEM_RELEASE:
      expectType(pc, regno, reg, 'ringbuf_mem', reg.type === RegType.RINGBUF_MEM && !reg.maybeNull);
      if (reg.off !== 0 || !reg.value.isConstant() || cv(reg.value) !== 0n) {
        throw new Reject(pc, `R${regno} must have zero offset when passed to release func`, ErrorCategory.HELPER_ARG, regno);
      }
      meta.releaseRef = reg.refId;
      return;
    case ArgKind.PTR_TO_SPIN_LOCK: case ArgKind.PTR_TO_CONST_STR:
      expectType(pc, regno, reg, 'map_value', reg.type === RegType.MAP_VALUE && !reg.maybeNull);
      return;
    case ArgKind.PTR_TO_FUNC:
      expectType(pc, regno, reg, 'func', reg.type === RegType.FUNC);
      meta.callbackPc = reg.funcPc;
      return;
    case ArgKind.PTR_TO_STACK_OR_NULL:
      if (isZero(reg)) return;
      expectType(pc, regno, reg, 'fp', reg.type === RegType.STACK);
      return;
    case ArgKind.PTR_TO_LONG: case ArgKind.PTR_TO_INT:
      expectType(pc, regno, reg, MEM_TYPES, memPointer(reg));
      helperAccess(env, st, pc, regno, kind === ArgKind.PTR_TO_LONG ? 8 : 4, true);
      return;
    case ArgKind.PTR_TO_SOCKET:
      expectType(pc, regno, reg, 'sock', reg.type === RegType.SOCKET && !reg.maybeNull);
      return;
    case ArgKind.PTR_TO_BTF_ID:
      expectType(pc, regno, reg, 'ptr_', reg.type === RegType.BTF_ID && !reg.maybeNull);
      return;
  }
}

function mapInMap(d: MapDescriptor): boolean {
  return d.type === MapType.ARRAY_OF_MAPS || d.type === MapType.HASH_OF_MAPS;
}

/** A callback's parameters from the prototype's names. */
function callbackParams(st: VState, params: readonly string[], meta: CallMeta, ctxArg: number, pc: number): Reg[] {
  return params.map((p): Reg => {
    switch (p) {
      case 'map_key': return makeReg(RegType.MAP_KEY, { map: meta.map!, defPc: pc });
      case 'map_value': return makeReg(RegType.MAP_VALUE, { map: meta.map!, defPc: pc });
      case 'map_ptr': return makeReg(RegType.MAP_PTR, { map: meta.map!, defPc: pc });
      case 'stack_or_null': case 'ctx': return cur(st).regs[ctxArg] ?? NOT_INIT_REG;
      default: return unknownScalar(pc);
    }
  });
}

export interface CallOutcome {
  /** Where the path continues. */
  readonly next: number;
  /** A second state to explore (the callback skipped, when `next` enters it). */
  readonly alsoAfterCall?: VState;
}

/** `call imm` of a helper. */
export function checkHelperCall(env: Env, st: VState, id: number, pc: number): CallOutcome {
  const proto = env.helperPrototype(id);
  if (!proto) throw new Reject(pc, `invalid func unknown#${id}`, ErrorCategory.CALL);
  if (!env.helperAllowed(id)) throw new Reject(pc, `program of this type cannot use helper bpf_${proto.name}#${id}`, ErrorCategory.CALL);
  if (proto.gplOnly && !env.gpl) throw new Reject(pc, 'cannot call GPL-restricted function from non-GPL compatible program', ErrorCategory.CALL);
  if (proto.mightSleep && !env.sleepable) throw new Reject(pc, 'helper call might sleep in a non-sleepable prog', ErrorCategory.CALL);
  const meta: CallMeta = { allocSize: 0, callbackPc: -1, releaseRef: 0 };
  // A number given to a helper for anything but ARG_ANYTHING (a size, a constant, a NULL) is checked by value.
  let scalars = 0;
  proto.args.forEach((kind, k) => {
    if (kind !== ArgKind.ANYTHING && kind !== ArgKind.DONTCARE && cur(st).regs[k + 1]!.type === RegType.SCALAR) scalars |= 1 << (k + 1);
  });
  if (scalars) env.notePrecise(st, pc, scalars);
  proto.args.forEach((kind, k) => checkArg(env, st, pc, k, kind, proto, meta));
  const mismatch = meta.map && env.mapHelperCompatibility ? mapHelperMismatch(meta.map.desc.type, proto) : undefined;
  if (mismatch) throw new Reject(pc, mismatch, ErrorCategory.HELPER_ARG, 1);

  if (meta.releaseRef) {
    const ref = meta.releaseRef;
    if (!st.refs.some((r) => r.id === ref)) throw new Reject(pc, `R1 must be referenced when passed to release function`, ErrorCategory.HELPER_ARG, 1);
    st.refs = st.refs.filter((r) => r.id !== ref);
    mapRegs(st, (x) => (x.refId === ref ? unknownScalar(pc) : x));
  }
  if (proto.callback && meta.callbackPc >= 0) {
    // The callback may run any number of times: explore the call without it (this
    // state, continuing after the call) and with it (a new frame); its exit continues
    // after the call and also re-enters it, and pruning finds the fixpoint.
    const skipped = cloneState(st);
    afterHelper(env, skipped, proto, meta, pc);
    enterCallback(st, pc, proto, meta);
    return { next: meta.callbackPc, alsoAfterCall: skipped };
  }
  afterHelper(env, st, proto, meta, pc);
  return { next: pc + 1 };
}

function afterHelper(env: Env, st: VState, proto: HelperPrototype, meta: CallMeta, pc: number): void {
  const g = cur(st);
  for (let r = 1; r <= 5; r++) g.regs[r] = NOT_INIT_REG;
  g.regs[0] = returnValue(env, st, proto, meta, pc);
  if (proto.changesPacketData) {
    mapRegs(st, (x) => (x.type === RegType.PACKET || x.type === RegType.PACKET_META || x.type === RegType.PACKET_END ? unknownScalar(pc) : x));
  }
}

/** Pushes the callback's frame; the caller's r1-r5 still hold the helper's arguments. */
function enterCallback(st: VState, callPc: number, proto: HelperPrototype, meta: CallMeta): void {
  if (st.frames.length >= MAX_CALL_FRAMES) {
    throw new Reject(callPc, `the call stack of ${st.frames.length + 1} frames is too deep !`, ErrorCategory.CALL);
  }
  const params = callbackParams(st, proto.callback!.params, meta, proto.callback!.arg + 2, callPc);
  st.frames.push(newFrame(st.frames.length, callPc, meta.callbackPc, params, callPc, st.frames.map(cloneFrame)));
}

/** Rebuilds the call's metadata from the caller's argument registers (for re-entering a callback). */
function metaFromCaller(st: VState, proto: HelperPrototype): CallMeta {
  const meta: CallMeta = { allocSize: 0, callbackPc: -1, releaseRef: 0 };
  const regs = cur(st).regs;
  proto.args.forEach((kind, k) => {
    const r = regs[k + 1]!;
    if (kind === ArgKind.CONST_MAP_PTR && r.map) meta.map = r.map;
    if (kind === ArgKind.PTR_TO_FUNC) meta.callbackPc = r.funcPc;
  });
  return meta;
}

function returnValue(env: Env, st: VState, proto: HelperPrototype, meta: CallMeta, pc: number): Reg {
  switch (proto.ret) {
    case RetKind.INTEGER: return unknownScalar(pc);
    case RetKind.VOID: return NOT_INIT_REG;
    case RetKind.PTR_TO_MAP_VALUE_OR_NULL: {
      const map = meta.map!;
      if (mapInMap(map.desc) && map.desc.inner) {
        return makeReg(RegType.MAP_PTR, { maybeNull: true, id: env.nextId(), map: { handle: map.handle, desc: map.desc.inner }, defPc: pc });
      }
      return makeReg(RegType.MAP_VALUE, { maybeNull: true, id: env.nextId(), map, defPc: pc });
    }
    case RetKind.PTR_TO_RINGBUF_MEM_OR_NULL: {
      const ref = env.nextId();
      st.refs = [...st.refs, { id: ref, insn: pc }];
      return makeReg(RegType.RINGBUF_MEM, { maybeNull: true, id: ref, refId: ref, memSize: meta.allocSize, defPc: pc });
    }
    case RetKind.PTR_TO_SOCKET_OR_NULL: {
      const ref = env.nextId();
      st.refs = [...st.refs, { id: ref, insn: pc }];
      return makeReg(RegType.SOCKET, { maybeNull: true, id: ref, refId: ref, defPc: pc });
    }
    case RetKind.PTR_TO_BTF_ID: return makeReg(RegType.BTF_ID, { defPc: pc });
    case RetKind.PTR_TO_MEM_OR_NULL: return makeReg(RegType.MEM, { maybeNull: true, id: env.nextId(), defPc: pc });
    case RetKind.PTR_TO_MEM: return makeReg(RegType.MEM, { defPc: pc });
    case RetKind.PTR_TO_MAP_VALUE:
      return meta.map ? makeReg(RegType.MAP_VALUE, { map: meta.map, defPc: pc }) : unknownScalar(pc);
    case RetKind.PTR_TO_BTF_ID_OR_NULL: return makeReg(RegType.BTF_ID, { maybeNull: true, id: env.nextId(), defPc: pc });
    case RetKind.PTR_TO_TCP_SOCK_OR_NULL: case RetKind.PTR_TO_SOCK_COMMON_OR_NULL:
      return makeReg(RegType.SOCKET, { maybeNull: true, id: env.nextId(), defPc: pc });
  }
  return unknownScalar(pc);
}

/** `call pc+N`: a bpf-to-bpf call into a new frame. */
export function checkLocalCall(st: VState, target: number, pc: number): number {
  if (st.frames.length >= MAX_CALL_FRAMES) {
    throw new Reject(pc, `the call stack of ${st.frames.length + 1} frames is too deep !`, ErrorCategory.CALL);
  }
  const caller = cur(st);
  st.frames.push(newFrame(st.frames.length, pc, target, caller.regs.slice(1, 6)));
  return target;
}

/** Combined stack of all frames, each rounded up to 32 bytes as Linux does. */
export function checkStackDepth(st: VState, pc: number): void {
  let total = 0;
  for (const f of st.frames) total += Math.ceil(Math.max(f.depth, 1) / 32) * 32;
  if (total > MAX_STACK) {
    throw new Reject(pc, `combined stack size of ${st.frames.length} calls is ${total}. Too large`, ErrorCategory.LIMIT);
  }
}

/**
 * `exit`: returns from a function (r0 to the caller, r1-r5 clobbered) or a callback
 * (which may run again), or ends the program. Returns where the path continues, -1
 * when it ended, and for callbacks a second state re-entering the callback.
 */
export function checkExit(env: Env, st: VState, pc: number): { next: number; again?: VState } {
  const f = cur(st);
  if (st.frames.length === 1) {
    if (!env.exitChecks) return { next: -1 };
    const r0 = readReg(st, 0, pc);
    // A global function verified on its own (its frame 0 starts past pc 0) returns a
    // scalar to whatever called it; the program type's return range is not its concern.
    const globalFn = f.subprog !== 0;
    if (globalFn && r0.type !== RegType.SCALAR) {
      throw new Reject(pc, `At subprogram exit the register R0 is not a scalar value (${typeName(r0)})`, ErrorCategory.RETURN, 0);
    }
    if (!globalFn && env.returnRange && r0.type === RegType.SCALAR) {
      const [lo, hi] = env.returnRange;
      if (r0.value.smin < lo || r0.value.smax > hi) {
        throw new Reject(pc, `At program exit the register R0 has smin=${r0.value.smin} smax=${r0.value.smax} should have been in [${lo}, ${hi}]`,
          ErrorCategory.RETURN, 0);
      }
    }
    if (st.refs.length) {
      const r = st.refs[0]!;
      throw new Reject(pc, `Unreleased reference id=${r.id} alloc_insn=${r.insn}`, ErrorCategory.REF_LEAK, undefined, 'ref_leak');
    }
    return { next: -1 };
  }
  const r0 = readReg(st, 0, pc);
  if (f.callbackOf >= 0) {
    if (r0.type !== RegType.SCALAR) throw new Reject(pc, 'R0 not a scalar value', ErrorCategory.RETURN, 0);
    // Callbacks of bpf_loop, for_each_map_elem and the like return 0 (continue) or 1 (stop).
    if (r0.value.smin < 0n || r0.value.smax > 1n) {
      const has = r0.value.isUnknown() ? 'unknown scalar value' : `smin=${r0.value.smin} smax=${r0.value.smax}`;
      throw new Reject(pc, `At callback return the register R0 has ${has} should have been in [0, 1]`, ErrorCategory.RETURN, 0);
    }
  } else if (r0.type === RegType.STACK && r0.frame === st.frames.length - 1) {
    throw new Reject(pc, 'cannot return stack pointer to the caller frame', ErrorCategory.MEM, 0);
  }
  st.frames.pop();
  const caller = cur(st);
  if (f.callbackOf >= 0) {
    const callInsn = env.cfg.code[f.callbackOf]!;
    const proto = env.helperPrototype(callInsn.imm)!;
    const again = cloneState(st);
    if (f.entryCallers) widenChanged(again.frames, f.entryCallers);
    enterCallback(again, f.callbackOf, proto, metaFromCaller(again, proto));
    afterHelper(env, st, proto, metaFromCaller(st, proto), f.callbackOf);
    return { next: f.callbackOf + 1, again };
  }
  for (let r = 1; r <= 5; r++) caller.regs[r] = NOT_INIT_REG;
  caller.regs[0] = { ...r0, defPc: pc };
  return { next: f.callsite + 1 };
}
