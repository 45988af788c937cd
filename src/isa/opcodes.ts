/**
 * The fields of an eBPF opcode byte (RFC 9669 section 3), as `as const` tables.
 *
 * Every instruction is 64 bits, little-endian on the wire:
 *
 * ```
 *  0               8      12      16                              32                              64
 * +---------------+-------+-------+-------------------------------+-------------------------------+
 * |    opcode     |  dst  |  src  |        offset (s16)           |          imm (s32)            |
 * +---------------+-------+-------+-------------------------------+-------------------------------+
 * ```
 *
 * (`dst` is the low nibble of byte 1 and `src` the high nibble.) `lddw` takes two slots;
 * the second holds only the upper 32 bits of the immediate.
 *
 * The opcode byte has two layouts, chosen by its class (the low three bits):
 *
 * ```
 * arithmetic and jumps          loads and stores
 *   7   4  3   2   0              7   5 4  3 2   0
 * +------+---+-----+            +-----+-----+-----+
 * | code | s |class|            | mode|size |class|
 * +------+---+-----+            +-----+-----+-----+
 * ```
 */

/** `opcode & 0x07`: the instruction class. */
export const Class = {
  /** Non-standard loads: `lddw` and the legacy packet loads. */
  LD: 0x00,
  /** Register loads: `dst = *(size *)(src + off)`. */
  LDX: 0x01,
  /** Immediate stores: `*(size *)(dst + off) = imm`. */
  ST: 0x02,
  /** Register stores and atomics: `*(size *)(dst + off) = src`. */
  STX: 0x03,
  /** 32-bit arithmetic; results are zero-extended to 64 bits. */
  ALU: 0x04,
  /** 64-bit jumps, calls and exit. */
  JMP: 0x05,
  /** 32-bit jumps: operands compared as their low 32 bits. */
  JMP32: 0x06,
  /** 64-bit arithmetic. */
  ALU64: 0x07,
} as const;
export type ClassValue = (typeof Class)[keyof typeof Class];

/** `opcode & 0x08` for arithmetic and jumps: where the second operand comes from. */
export const Source = {
  /** The 32-bit immediate, sign-extended to 64 bits. */
  K: 0x00,
  /** The `src` register. */
  X: 0x08,
} as const;

/** `opcode & 0xf0` for classes ALU and ALU64. */
export const AluOp = {
  /** `dst += src` */
  ADD: 0x00,
  /** `dst -= src` */
  SUB: 0x10,
  /** `dst *= src` */
  MUL: 0x20,
  /** `dst /= src` (unsigned; offset 1: signed). Division by zero gives 0. */
  DIV: 0x30,
  /** `dst |= src` */
  OR: 0x40,
  /** `dst &= src` */
  AND: 0x50,
  /** `dst <<= src` (shift amount masked to the operand width) */
  LSH: 0x60,
  /** `dst >>= src` (logical; amount masked) */
  RSH: 0x70,
  /** `dst = -dst` */
  NEG: 0x80,
  /** `dst %= src` (unsigned; offset 1: signed). Modulo by zero leaves dst unchanged. */
  MOD: 0x90,
  /** `dst ^= src` */
  XOR: 0xa0,
  /** `dst = src` (offset 8, 16, 32: sign-extend from that width) */
  MOV: 0xb0,
  /** `dst s>>= src` (arithmetic; amount masked) */
  ARSH: 0xc0,
  /** Byte swap: `dst = le16/be16/.../bswap64(dst)`; width in imm. */
  END: 0xd0,
} as const;
export type AluOpValue = (typeof AluOp)[keyof typeof AluOp];

/** `opcode & 0xf0` for classes JMP and JMP32. */
export const JmpOp = {
  /** `goto +off` (JMP32 class: `gotol +imm`) */
  JA: 0x00,
  /** `if dst == src goto +off` */
  JEQ: 0x10,
  /** `if dst > src goto +off` (unsigned) */
  JGT: 0x20,
  /** `if dst >= src goto +off` (unsigned) */
  JGE: 0x30,
  /** `if dst & src goto +off` */
  JSET: 0x40,
  /** `if dst != src goto +off` */
  JNE: 0x50,
  /** `if dst s> src goto +off` */
  JSGT: 0x60,
  /** `if dst s>= src goto +off` */
  JSGE: 0x70,
  /** `call imm` (helper, local function or kfunc, chosen by src); `callx dst` with Source.X. */
  CALL: 0x80,
  /** `exit`: return r0 to the caller. */
  EXIT: 0x90,
  /** `if dst < src goto +off` (unsigned) */
  JLT: 0xa0,
  /** `if dst <= src goto +off` (unsigned) */
  JLE: 0xb0,
  /** `if dst s< src goto +off` */
  JSLT: 0xc0,
  /** `if dst s<= src goto +off` */
  JSLE: 0xd0,
} as const;
export type JmpOpValue = (typeof JmpOp)[keyof typeof JmpOp];

/** `opcode & 0x18` for loads and stores: the access width. */
export const Size = {
  /** 4 bytes */
  W: 0x00,
  /** 2 bytes */
  H: 0x08,
  /** 1 byte */
  B: 0x10,
  /** 8 bytes */
  DW: 0x18,
} as const;
export type SizeValue = (typeof Size)[keyof typeof Size];

/** Bytes accessed for each `Size`. */
export const SIZE_BYTES: Readonly<Record<SizeValue, 1 | 2 | 4 | 8>> = {
  [Size.W]: 4,
  [Size.H]: 2,
  [Size.B]: 1,
  [Size.DW]: 8,
};

/** `opcode & 0xe0` for loads and stores: the addressing mode. */
export const Mode = {
  /** `lddw`: a 64-bit immediate in two slots. */
  IMM: 0x00,
  /** Legacy packet load at an absolute offset: `r0 = ntoh(*(size *)(skb->data + imm))`. */
  ABS: 0x20,
  /** Legacy packet load at `src + imm`. */
  IND: 0x40,
  /** Regular memory access. */
  MEM: 0x60,
  /** Sign-extending load (LDX only). */
  MEMSX: 0x80,
  /** Atomic read-modify-write (STX only); the operation is in imm. */
  ATOMIC: 0xc0,
} as const;

/** `imm` of an atomic instruction. `FETCH` (bit 0) also returns the old value in src. */
export const AtomicOp = {
  ADD: 0x00,
  OR: 0x40,
  AND: 0x50,
  XOR: 0xa0,
  /** Modifier: return the old value in `src`. */
  FETCH: 0x01,
  /** `src = xchg(*(dst + off), src)` (always fetches). */
  XCHG: 0xe1,
  /** `r0 = cmpxchg(*(dst + off), r0, src)` (always fetches, into r0). */
  CMPXCHG: 0xf1,
} as const;

/** `src` of `call`: what `imm` names. */
export const CallSrc = {
  /** `imm` is a helper id (Linux numbering). */
  HELPER: 0,
  /** `imm` is the offset of a local function: target = pc + 1 + imm (BPF_PSEUDO_CALL). */
  LOCAL: 1,
  /** `imm` is a kernel function's BTF id (BPF_PSEUDO_KFUNC_CALL). */
  KFUNC: 2,
} as const;

/** `src` of `lddw`: how the loader interprets the 64-bit immediate. */
export const LddwSrc = {
  /** `dst = imm64` */
  IMM64: 0,
  /** `dst = map_by_fd(imm)` (BPF_PSEUDO_MAP_FD) */
  MAP_FD: 1,
  /** `dst = map_value(map_by_fd(imm)) + next_imm` (BPF_PSEUDO_MAP_VALUE) */
  MAP_VALUE: 2,
  /** `dst = var_addr(imm)`: a kernel variable by BTF id (BPF_PSEUDO_BTF_ID) */
  VAR_ADDR: 3,
  /** `dst = code_addr(imm)`: a function in this program, pc + 1 + imm (BPF_PSEUDO_FUNC) */
  CODE_ADDR: 4,
  /** `dst = map_by_idx(imm)` (BPF_PSEUDO_MAP_IDX) */
  MAP_IDX: 5,
  /** `dst = map_value(map_by_idx(imm)) + next_imm` (BPF_PSEUDO_MAP_IDX_VALUE) */
  MAP_IDX_VALUE: 6,
} as const;

/** The conformance groups of RFC 9669 section 2.4. */
export const ConformanceGroup = {
  BASE32: 'base32',
  BASE64: 'base64',
  ATOMIC32: 'atomic32',
  ATOMIC64: 'atomic64',
  DIVMUL32: 'divmul32',
  DIVMUL64: 'divmul64',
  PACKET: 'packet',
} as const;
export type ConformanceGroupName = (typeof ConformanceGroup)[keyof typeof ConformanceGroup];

/** Register numbers. r10 is the read-only frame pointer. */
export const Reg = {
  R0: 0, R1: 1, R2: 2, R3: 3, R4: 4, R5: 5, R6: 6, R7: 7, R8: 8, R9: 9, R10: 10,
} as const;
export const MAX_REG = 10;
/** The frame pointer; no instruction may write it. */
export const FRAME_POINTER = 10;

export const classOf = (opcode: number): ClassValue => (opcode & 0x07) as ClassValue;
export const isAluClass = (cls: number): boolean => cls === Class.ALU || cls === Class.ALU64;
export const isJmpClass = (cls: number): boolean => cls === Class.JMP || cls === Class.JMP32;
