/**
 * The contract between compiled modules and the runtime that instantiates them:
 * import and export names, the failure codes passed to the `trap` import, and the
 * globals the runtime reads and sets around a run. `compile.ts` and `runtime.ts` both
 * import it, so the two sides cannot drift apart.
 */

/** The import module name of everything a compiled program imports. */
export const IMPORT_MODULE = 'ebee';

export const Import = {
  /** `(id i32, pc i32, r1..r5 i64) -> i64`: a helper call, as `Execution.callHelper`. */
  HELPER: 'helper',
  /**
   * `(lo i32, hi i32, off i32, size i32, pc i32, write i32, over i32)`: the slow path of
   * a checked access; `over` is 1 when the budget ran out before it (see `emit.ts`).
   */
  MEMORY: 'memory_check',
  /**
   * `(code i32, pc i32, value i64, rest i32)`: raises the VmError for `code`, or
   * BUDGET_EXCEEDED when the fuel (stored first) plus `rest` is negative; never returns.
   */
  TRAP: 'trap',
  /** `()`: a legacy packet load out of range ends the run with r0 = 0; never returns. */
  ABORT: 'abort',
  /** The address space's memory. */
  MEMORY_OBJECT: 'memory',
} as const;

/**
 * `(pc i32, args...) -> r0` for helper `id` called through its typed signature
 * (`TypedHelper` in vm/helpers.ts): `u32` arguments and `u32`/`s32` results are i32,
 * `i64` ones i64. One import per helper id the program calls with `call imm`.
 */
export function typedHelperImport(id: number): string {
  return `helper_${id}`;
}

/** The `code` argument of the trap import. */
export const Trap = {
  FELL_OFF_END: 1,
  /** value: the BTF id. */
  KFUNC: 2,
  /** value: the lddw's pseudo source. */
  LDDW_SOURCE: 3,
  /** value: the opcode byte. */
  INVALID_OPCODE: 4,
  CALL_DEPTH: 5,
  /** value: the fuel left (negative). */
  BUDGET: 6,
  NO_PACKET: 7,
  /** value: the callx register, neither a helper id nor a code address. */
  CALLX_TARGET: 8,
  /** value: a code address (tag checked) whose low word names no function entry. */
  CODE_ADDRESS: 9,
} as const;

/** Exported globals. */
export const Global = {
  /** i32: frames below the running one, as `Execution.depth`. */
  DEPTH: 'depth',
  /** i32: the end of the run's stack region (r10 = end - depth * 512). */
  STACK_END: 'stack_end',
  /** i64 (checked mode): instructions left in the budget, stored whenever JS may look. */
  FUEL: 'fuel',
  /** i32 (checked mode): the last region a read / write passed, [start, end). */
  READ_START: 'read_start',
  READ_END: 'read_end',
  WRITE_START: 'write_start',
  WRITE_END: 'write_end',
  /** i32: the legacy-load packet (`present` 0 or 1). */
  PACKET_PRESENT: 'packet_present',
  PACKET_ADDRESS: 'packet_address',
  PACKET_LENGTH: 'packet_length',
} as const;

/** The i64 global holding register `r` of the caller during a helper call (for `ctx.invoke`). */
export const savedRegisterGlobal = (r: number): string => `saved_r${r}`;

/** The export name of the function compiled for the entry at `pc`. */
export const functionExport = (pc: number): string => `f${pc}`;

/**
 * An empty region cache: no address passes `start <= a && a + size <= end` against it
 * (see `lower/memory.ts`), so the first access takes the slow path.
 */
export const EMPTY_CACHE = 0xffffffff;

/**
 * Regions ending above this are never cached: below it, an address whose 64-bit
 * register had a non-zero high word cannot pass the fast path by wrapping (see
 * `lower/memory.ts`).
 */
export const CACHE_LIMIT = 0x1_0000_0000 - 0x8000;
