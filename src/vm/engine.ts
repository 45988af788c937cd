/**
 * What every engine shares: the interpreter (`execution.ts`, `interpret.ts`) and the
 * JIT's runtime (`jit/runtime.ts`) call these at the same points, so that checks,
 * helper calls and every failure (code, pc, address, message) are the same whichever
 * engine runs a program. Only slow paths come here: the interpreter's inline checks
 * and the JIT's compiled fast paths decide the common case themselves.
 */
import type { AddressSpace } from './memory.js';
import type { HelperDef, HelperRegistry, TypedHelper } from './helpers.js';
import type { PreparedProgram } from './program.js';
import { VmError, VmErrorCode } from './errors.js';

/** Frames a program may have live at once, the entry frame included (Linux's MAX_CALL_FRAMES). */
export const MAX_CALL_FRAMES = 8;
/**
 * High word of a code address (`lddw src=4`): it can never be a memory address
 * (those fit in 32 bits) nor a small helper id, so `callx` tells them apart.
 */
export const CODE_ADDRESS_TAG = 0x00c0de00;

/**
 * Thrown through helpers when the program ends inside a callback it invoked (a legacy
 * packet load out of range ends the whole run with r0 = 0). `runHelper` lets it pass;
 * the engine that started the run catches it. It never escapes a run.
 */
export const PROGRAM_EXIT: unique symbol = Symbol('program exit');

/**
 * Thrown by a `bpf_tail_call` implementation when the call succeeds: the running
 * program ends at once (r1-r5 and the stack are dropped, as in Linux) and the engine
 * returns `target` in `RunResult.tailCall`, for the runtime's trampoline to start with
 * the same context. `runHelper` lets it pass; it never escapes a run.
 */
export class TailCallRequest {
  constructor(readonly target: unknown) {}
}

/** The region an access resolved to: `[start, end)`. */
export interface AccessRegion {
  readonly start: number;
  readonly end: number;
}

/**
 * The slow path of a memory access of `size` bytes at the address whose low word plus
 * the instruction's offset is `a` (exact, so possibly negative or past 2^32) and whose
 * high word is `hi`: returns the region that holds it, or throws the engines' error.
 * Checked mode requires a region (writable for a write); unchecked mode only requires
 * the access to lie inside memory, and returns the whole memory.
 */
export function resolveAccess(
  space: AddressSpace, a: number, hi: number, size: number, pc: number, kind: 'read' | 'write', checked: boolean,
): AccessRegion {
  if (hi !== 0 || a < 0 || a + size > space.byteLength) {
    const address = BigInt.asUintN(64, (BigInt(hi) << 32n) + BigInt(a));
    throw new VmError(VmErrorCode.OUT_OF_BOUNDS,
      `${kind} of ${size} bytes at 0x${address.toString(16)} is outside memory`, { pc, address, size });
  }
  if (!checked) return { start: 0, end: space.byteLength };
  const region = space.find(a, size);
  if (!region) {
    const near = space.nearest(a);
    const hint = near ? ` (nearest region below: ${near.name} at 0x${near.start.toString(16)}, ${near.size} bytes)` : '';
    throw new VmError(VmErrorCode.OUT_OF_BOUNDS,
      `${kind} of ${size} bytes at 0x${a.toString(16)} is outside every region${hint}`, { pc, address: a, size });
  }
  if (kind === 'write' && !region.writable) {
    throw new VmError(VmErrorCode.READ_ONLY,
      `write of ${size} bytes at 0x${a.toString(16)} into read-only region ${region.name}`, { pc, address: a, size });
  }
  return region;
}

/**
 * `call` of helper `id` at `pc` with r1-r5 (unsigned): runs the registered
 * implementation and returns r0, unsigned. A helper that throws fails the run with
 * HELPER_FAILED (its error as the cause), unless it threw a VmError (a callback's
 * failure, passed on as is) or PROGRAM_EXIT; so does a result that is not a 64-bit
 * integer. `invoke` runs a callback for `ctx.invoke`.
 */
export function runHelper(
  helpers: HelperRegistry, space: AddressSpace, id: number, pc: number,
  r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint,
  invoke: (address: bigint, args: readonly bigint[]) => bigint,
): bigint {
  const def = helpers.get(id);
  if (!def) throw new VmError(VmErrorCode.UNKNOWN_HELPER, `unknown helper ${id}: no implementation is registered`, { pc });
  try {
    const result = def.fn({ space, pc, invoke }, r1, r2, r3, r4, r5);
    return BigInt.asUintN(64, BigInt(result ?? 0));
  } catch (err) {
    throw helperFailure(def, err, pc);
  }
}

/** What a helper's exception becomes: VmErrors, program exits and tail calls pass; anything else is HELPER_FAILED. */
export function helperFailure(def: HelperDef, err: unknown, pc: number): unknown {
  if (err instanceof VmError || err === PROGRAM_EXIT || err instanceof TailCallRequest) return err;
  return new VmError(VmErrorCode.HELPER_FAILED, `helper ${def.name} (${def.id}) failed: ${(err as Error)?.message ?? err}`,
    { pc, cause: err });
}

/**
 * Whether `call imm` takes the helper's typed fast path: it has one, and every `u32`
 * argument register's high word is 0 (`high(r)` for r = 1..5). Both engines decide
 * with this, so they call the same function on the same inputs.
 */
export function takesTypedPath(typed: TypedHelper | undefined, high: (register: number) => number): typed is TypedHelper {
  if (!typed) return false;
  const args = typed.args;
  for (let i = 0; i < args.length; i++) if (args[i] === 'u32' && high(i + 1) !== 0) return false;
  return true;
}

/** A typed helper's result as the signature says r0 gets it; a result of the wrong kind is HELPER_FAILED. */
export function typedResult(def: HelperDef, ret: TypedHelper['ret'], result: unknown, pc: number): number | bigint {
  if (ret === 'i64' ? typeof result === 'bigint' : typeof result === 'number' && Number.isInteger(result)) {
    return result as number | bigint;
  }
  throw new VmError(VmErrorCode.HELPER_FAILED,
    `helper ${def.name} (${def.id}) failed: its typed implementation returned ${typeof result} ${String(result)}, not ${ret === 'i64' ? 'a bigint' : 'an integer'}`,
    { pc });
}

/** The unsigned r0 for a typed result (checked by `typedResult`). */
export function typedR0(ret: TypedHelper['ret'], result: number | bigint): bigint {
  if (ret === 'i64') return BigInt.asUintN(64, result as bigint);
  return ret === 'u32' ? BigInt((result as number) >>> 0) : BigInt.asUintN(64, BigInt((result as number) | 0));
}

/**
 * The pc a callback's code address designates (`ctx.invoke` from the helper called at
 * `pc`), after checking the address and the arguments (at most five: r1-r5).
 */
export function callbackTarget(program: PreparedProgram, address: bigint, args: readonly bigint[], pc: number): number {
  if (args.length > 5) {
    throw new VmError(VmErrorCode.BAD_ARGUMENT, `callback given ${args.length} arguments; r1-r5 hold at most 5`, { pc });
  }
  return codeTarget(program, address, pc);
}

/** The pc a code address designates, or BAD_CALL_TARGET when it names none of this program. */
export function codeTarget(program: PreparedProgram, address: bigint, pc: number): number {
  const value = BigInt.asUintN(64, BigInt(address));
  const hi = Number(value >> 32n);
  const lo = Number(value & 0xffffffffn);
  if (hi !== CODE_ADDRESS_TAG || lo >= program.length || program.indexAt[lo]! < 0) {
    throw new VmError(VmErrorCode.BAD_CALL_TARGET, `0x${value.toString(16)} is not a code address of this program`, { pc });
  }
  return lo;
}

// ---- The other failures, one constructor each ------------------------------------------

export function callDepthExceeded(pc: number): VmError {
  return new VmError(VmErrorCode.CALL_DEPTH, `call exceeds ${MAX_CALL_FRAMES} nested frames`, { pc });
}

/** `executed`: the instructions run, which is the whole budget. */
export function budgetExhausted(executed: number | bigint, pc: number | undefined): VmError {
  return new VmError(VmErrorCode.BUDGET_EXCEEDED,
    `instruction budget exhausted after ${executed} instructions: the program may not terminate`, pc === undefined ? {} : { pc });
}

export function fellOffEnd(program: PreparedProgram): VmError {
  return new VmError(VmErrorCode.FELL_OFF_END, `execution ran past the last instruction (${program.length - 1})`, { pc: program.length - 1 });
}

export function kfuncUnavailable(btfId: number | bigint, pc: number): VmError {
  return new VmError(VmErrorCode.UNSUPPORTED, `call to kernel function (BTF id ${btfId}) is not available`, { pc });
}

export function unresolvedLddw(src: number | bigint, pc: number): VmError {
  return new VmError(VmErrorCode.UNSUPPORTED, `lddw with pseudo source ${src} must be resolved by the loader before running`, { pc });
}

export function invalidOpcode(opcode: number | bigint, pc: number): VmError {
  return new VmError(VmErrorCode.UNSUPPORTED, `opcode 0x${opcode.toString(16)} cannot be executed`, { pc });
}

export function noPacket(pc: number): VmError {
  return new VmError(VmErrorCode.UNSUPPORTED, 'legacy packet load without a packet (run with a packet to use LD_ABS/LD_IND)', { pc });
}

/** `callx r<reg>` with `value`, neither a helper id (high word 0) nor a code address. */
export function notCallable(reg: number, value: bigint, pc: number): VmError {
  return new VmError(VmErrorCode.BAD_CALL_TARGET,
    `callx r${reg}: 0x${BigInt.asUintN(64, value).toString(16)} is neither a helper id nor a code address`, { pc });
}
