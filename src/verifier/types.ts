/**
 * The verifier's vocabulary: register types, the abstract register, map descriptors,
 * the options a caller passes and the result it gets back. Plain data, shared by every
 * file of the verifier; nothing here runs the analysis.
 */
import type { Instruction } from '../isa/index.js';
import type { HelperPrototype } from '../helpers/prototype.js';
import type { Scalar } from './scalar/index.js';
import type { ContextLayout } from './context.js';

/**
 * What a register holds, named as the kernel's log names it (`reg_type_str`), so
 * `R1 type=ctx expected=fp` reads as in Linux. A maybe-NULL pointer is the same type
 * with `maybeNull` set (printed with `_or_null`).
 */
export const RegType = {
  /** Never written on this path; reading it is `R1 !read_ok`. */
  NOT_INIT: 'not_init',
  /** A number: tnum plus signed/unsigned 64- and 32-bit bounds. */
  SCALAR: 'scalar',
  /** The program's context (PTR_TO_CTX). */
  CTX: 'ctx',
  /** A map itself, from `lddw src=1/5` (CONST_PTR_TO_MAP). */
  MAP_PTR: 'map_ptr',
  /** Inside a map value (PTR_TO_MAP_VALUE), sized by the map's value_size. */
  MAP_VALUE: 'map_value',
  /** A map key handed to a callback (PTR_TO_MAP_KEY). */
  MAP_KEY: 'map_key',
  /** The stack of some frame (PTR_TO_STACK); r10 is one at offset 0. */
  STACK: 'fp',
  /** Packet data (PTR_TO_PACKET), readable up to its verified `range`. */
  PACKET: 'pkt',
  /** Packet metadata (PTR_TO_PACKET_META). */
  PACKET_META: 'pkt_meta',
  /** One past the packet's end (PTR_TO_PACKET_END); only compared, never dereferenced. */
  PACKET_END: 'pkt_end',
  /** Ring-buffer memory from bpf_ringbuf_reserve (PTR_TO_MEM | MEM_RINGBUF), holding a reference. */
  RINGBUF_MEM: 'ringbuf_mem',
  /** Memory of a size the helper returned (PTR_TO_MEM). */
  MEM: 'mem',
  /** A static function of the program (PTR_TO_FUNC), from `lddw src=4`. */
  FUNC: 'func',
  /** A socket (PTR_TO_SOCKET). */
  SOCKET: 'sock',
  /** A kernel object described by BTF (PTR_TO_BTF_ID). */
  BTF_ID: 'ptr_',
  /** The flow dissector's bpf_flow_keys (PTR_TO_FLOW_KEYS), `memSize` bytes at constant offsets. */
  FLOW_KEYS: 'flow_keys',
} as const;
export type RegTypeValue = typeof RegType[keyof typeof RegType];

/** What the verifier knows of one map a program references. */
export interface MapDescriptor {
  /** Linux's `enum bpf_map_type` number (see `maps/`). */
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags?: number;
  readonly name?: string;
  /** Map-in-map: the template of the inner maps. */
  readonly inner?: MapDescriptor;
}

/** A map as a register refers to it. */
export interface MapRef {
  /** The fd or index the program named. */
  readonly handle: number;
  readonly desc: MapDescriptor;
}

/**
 * One abstract register. Immutable: operations build new ones. For pointers `value`
 * is the variable part of the offset (Linux keeps it in the pointer's own bounds)
 * and `off` the fixed part.
 */
export interface Reg {
  readonly type: RegTypeValue;
  /** `_or_null`: a NULL check must come before use. */
  readonly maybeNull: boolean;
  readonly value: Scalar;
  readonly off: number;
  /**
   * Links copies of one value: a NULL check on one copy applies to all, a packet range
   * learned on one pointer applies to all with its id, and scalars copied then offset
   * by constants are refined together (`delta` says by how much each differs).
   */
  readonly id: number;
  readonly delta: number;
  /** The reference this pointer holds (ringbuf memory, sockets); 0 when none. */
  readonly refId: number;
  /** Packet pointers: bytes past `off` known to be inside the packet. */
  readonly range: number;
  readonly map?: MapRef;
  /** mem / ringbuf_mem: the accessible size. */
  readonly memSize: number;
  /** Stack pointers: the frame whose stack this points into. */
  readonly frame: number;
  /** func: the pc of the function. */
  readonly funcPc: number;
  /** The instruction that last wrote this register (-1 for the entry state), for explanations. */
  readonly defPc: number;
}

/** Why a program was rejected, in broad strokes a UI can group by. */
export const ErrorCategory = {
  /** Control flow: jumps out of range, unreachable code, falling off the end. */
  CFG: 'cfg',
  /** Reading a register or stack bytes never written. */
  UNINIT: 'uninit',
  /** A memory access outside what the pointer may touch, or through a non-pointer. */
  MEM: 'mem',
  /** A context access the program type does not allow. */
  CTX: 'ctx',
  /** A helper argument of the wrong kind, size or state. */
  HELPER_ARG: 'helper_arg',
  /** A helper or call the program may not make. */
  CALL: 'call',
  /** A reference (ring-buffer record, socket) not released on some path. */
  REF_LEAK: 'ref_leak',
  /** Pointer arithmetic or a value out of the bounds it must stay within. */
  BOUNDS: 'bounds',
  /** A loop that can run forever. */
  INFINITE_LOOP: 'infinite_loop',
  /** The 1,000,000-instruction or state limits. */
  LIMIT: 'limit',
  /** An instruction the verifier does not accept (reserved fields, unknown opcodes). */
  INSN: 'insn',
  /** Division by zero where the options forbid it. */
  DIV_BY_ZERO: 'div_by_zero',
  /** The value returned at exit is out of the program type's range. */
  RETURN: 'return',
} as const;
export type ErrorCategoryValue = typeof ErrorCategory[keyof typeof ErrorCategory];

/** A condition that filters states at a pc, before its instruction (PREVAIL's `assume`). */
export interface Assumption {
  /** A conditional jump opcode (JMP or JMP32 class, e.g. 0x5d for `if r1 != r2`); the state continues only where it holds. */
  readonly opcode: number;
  readonly dst: number;
  readonly src: number;
  readonly imm: number;
}

/**
 * An argument of a global (non-static) function as Linux types it from BTF
 * (btf_prepare_func_args): an integer or enum is any scalar, a pointer to the program
 * type's context struct is the context, any other pointer is `size` bytes of memory
 * that may be NULL. `invalid` is a signature Linux refuses (the reason is its message).
 */
export type GlobalArg =
  | { readonly kind: 'scalar' }
  | { readonly kind: 'ctx' }
  | { readonly kind: 'mem'; readonly size: number; readonly nullable: boolean }
  | { readonly kind: 'invalid'; readonly reason: string };

/** A global function: verified once on its own from its BTF signature, and assumed valid at each call. */
export interface GlobalFunction {
  readonly name: string;
  readonly args: readonly GlobalArg[];
  /** Set when Linux refuses the signature itself (e.g. a return type that is not a scalar). */
  readonly invalid?: string;
}

export interface VerifyOptions {
  /** The program type's context; a 64-byte PREVAIL-style test context when absent. */
  readonly context?: ContextLayout;
  /** Looks up a helper's prototype by Linux id; undefined means the helper does not exist. */
  readonly helperPrototype?: (id: number) => HelperPrototype | undefined;
  /** Helper ids this program type may call (all known ones when absent). */
  readonly allowedHelpers?: ReadonlySet<number> | ((id: number) => boolean);
  /** Maps referenced by `lddw src=1` (by fd) and `src=5` (by index). */
  readonly maps?: ReadonlyMap<number, MapDescriptor> | readonly MapDescriptor[];
  /** 0 (none), 1 (the error path) or 2 (every instruction). Default 1. */
  readonly logLevel?: 0 | 1 | 2;
  /** Processed-instruction limit; Linux's is 1,000,000. */
  readonly insnLimit?: number;
  /** The program's license is GPL-compatible (gpl_only helpers). Default true. */
  readonly gpl?: boolean;
  /** The program is sleepable (BPF_F_SLEEPABLE): it may call helpers that might sleep. Default false. */
  readonly sleepable?: boolean;
  /** Allowed range of r0 at exit (signed), e.g. XDP's [0, 4]; unchecked when absent. */
  readonly returnRange?: readonly [bigint, bigint];
  /** Bounded loops (Linux 5.3+ for privileged programs). Default true; false rejects back-edges. */
  readonly allowLoops?: boolean;
  /** Division or modulo by a register that may be zero is allowed (BPF defines x/0 = 0). Default true. */
  readonly allowDivisionByZero?: boolean;
  /**
   * Never-written stack bytes may be read (as some number) by loads and helpers, as
   * Linux allows a program loaded with CAP_PERFMON (allow_uninit_stack). Default true;
   * false rejects such reads, as unprivileged Linux and PREVAIL do.
   */
  readonly allowUninitStack?: boolean;
  /** Conditions that filter states before the instruction at a pc (not eBPF; for test suites). */
  readonly assumptions?: ReadonlyMap<number, readonly Assumption[]>;
  /** Check r0 is readable at exit and references are released. Default true. */
  readonly exitChecks?: boolean;
  /** Custom entry registers of the main function (test suites); r1 = ctx and r10 = fp otherwise. */
  readonly entryRegs?: ReadonlyMap<number, Reg>;
  /** Custom entry stack of the main function (test suites): bytes known initialised, or a spilled register. */
  readonly entryStack?: readonly { readonly off: number; readonly size: number; readonly value?: Reg }[];
  /** Reject loops that may not terminate (Linux always does). Default true; false prunes a loop's repeated states instead. */
  readonly termination?: boolean;
  /** Record the abstract state at each pc in the result (default true). */
  readonly recordStates?: boolean;
  /** Source line per pc (from BTF line info) for explanations. */
  readonly lineInfo?: ReadonlyMap<number, string>;
  /** Accept `callx` (Linux rejects it; PREVAIL accepts a register holding a helper id or function). Default false. */
  readonly allowCallx?: boolean;
  /** Prune equivalent states (default true; turn off to test pruning). */
  readonly prune?: boolean;
  /**
   * Check that special maps go only to their helpers and back (Linux's
   * check_map_func_compatibility; default true). PREVAIL's test platform has untyped
   * maps, so its corpus harness turns this off.
   */
  readonly mapHelperCompatibility?: boolean;
  /**
   * Global functions by entry pc (from BTF func info with global linkage). Linux
   * verifies each on its own with arguments typed by its signature, and a call checks
   * the arguments against it and returns an unknown scalar. Functions not listed are
   * static: verified in each caller's context.
   */
  readonly globalFunctions?: ReadonlyMap<number, GlobalFunction>;
}

export interface VerifierError {
  readonly pc: number;
  readonly message: string;
  readonly category: ErrorCategoryValue;
}

/** A rejection explained beyond the kernel's message. */
export interface Explanation {
  /** `pc: instruction` of the failing instruction. */
  readonly insn: string;
  /** The C source line when line info exists. */
  readonly source?: string;
  /** The branches taken on the failing path, oldest first (`5: if r0 == 0x0 goto pc+2 (not taken)`). */
  readonly path: readonly string[];
  /** How the offending register got its value, newest first. */
  readonly defChain: readonly string[];
  /** What would make the access safe, when the error is a common one. */
  readonly hint?: string;
  /** Everything above as readable text. */
  readonly text: string;
}

/** One register as the playground draws it. */
export interface RegView {
  readonly reg: number;
  /** Kernel log style: `scalar(umax=255,var_off=(0x0; 0xff))`, `map_value(map=m,ks=4,vs=8)`, `fp-8`. */
  readonly text: string;
  readonly type: RegTypeValue;
}

/** One abstract state at a pc (only initialised registers and stack slots are listed). */
export interface StateView {
  readonly frame: number;
  readonly regs: readonly RegView[];
  /** Stack slots of the current frame: offset from fp and a kernel-style description. */
  readonly stack: readonly { readonly off: number; readonly text: string }[];
}

export interface VerifierStats {
  readonly processedInsns: number;
  readonly totalStates: number;
  readonly peakStates: number;
  readonly maxStatesPerInsn: number;
  readonly markRead: number;
}

export interface VerifierResult {
  readonly ok: boolean;
  readonly error?: VerifierError;
  readonly explain?: Explanation;
  /** The kernel-format log at the requested level. */
  readonly log: string;
  readonly stats: VerifierStats;
  /** States seen at each pc (a few per pc, in visiting order); empty when not recorded. */
  readonly states: ReadonlyMap<number, readonly StateView[]>;
  /** The states reaching `exit` of the main function (for test suites and tools). */
  readonly exitStates: readonly ExitState[];
  /** Instructions no path reached although the CFG did (PREVAIL reports these). */
  readonly deadCode: readonly number[];
}

/** The registers of frame 0 at an exit. */
export interface ExitState {
  readonly regs: readonly Reg[];
  /** Stack slots of frame 0 that hold a spilled register or known bytes, by fp offset. */
  readonly stack: ReadonlyMap<number, Reg>;
}

export type Program = readonly Instruction[];
