/**
 * Spellings of the pseudo-C dialect, shared by the parser and the printer so the two
 * cannot drift apart: C operators for arithmetic and comparisons, type names for
 * access sizes, byte-swap and atomic function names, and the `lddw` pseudo sources.
 */
import { AluOp, AtomicOp, JmpOp, LddwSrc, Size, type SizeValue } from '../../isa/index.js';

/** Compound assignments: operator, ALU op, and the `offset` that selects signed div/mod. */
export const ALU_OPERATORS = [
  ['+=', AluOp.ADD, 0], ['-=', AluOp.SUB, 0], ['*=', AluOp.MUL, 0], ['/=', AluOp.DIV, 0],
  ['s/=', AluOp.DIV, 1], ['|=', AluOp.OR, 0], ['&=', AluOp.AND, 0], ['<<=', AluOp.LSH, 0],
  ['>>=', AluOp.RSH, 0], ['%=', AluOp.MOD, 0], ['s%=', AluOp.MOD, 1], ['^=', AluOp.XOR, 0],
  ['s>>=', AluOp.ARSH, 0],
] as const;

/** Comparisons of `if dst OP src goto +off`. */
export const JMP_OPERATORS = [
  ['==', JmpOp.JEQ], ['>', JmpOp.JGT], ['>=', JmpOp.JGE], ['&', JmpOp.JSET], ['!=', JmpOp.JNE],
  ['s>', JmpOp.JSGT], ['s>=', JmpOp.JSGE], ['<', JmpOp.JLT], ['<=', JmpOp.JLE], ['s<', JmpOp.JSLT],
  ['s<=', JmpOp.JSLE],
] as const;

/** Operators of `lock *(u64 *)(dst + off) OP src` and names of the fetching forms. */
export const ATOMIC_ALU = [
  ['+=', 'add', AtomicOp.ADD], ['|=', 'or', AtomicOp.OR], ['&=', 'and', AtomicOp.AND], ['^=', 'xor', AtomicOp.XOR],
] as const;

export const SIZE_BITS: Readonly<Record<SizeValue, 8 | 16 | 32 | 64>> = {
  [Size.B]: 8, [Size.H]: 16, [Size.W]: 32, [Size.DW]: 64,
};

/** `u32`, `s16`, ... for an access size. */
export const typeName = (size: SizeValue, signed = false): string => `${signed ? 's' : 'u'}${SIZE_BITS[size]}`;

/**
 * Byte swaps: the ALU class with source K is `le`, with source X `be`; ALU64 with
 * source K is the v4 unconditional `bswap`. LLVM names the operand rN in all three.
 */
export const BYTE_SWAPS = ['le', 'be', 'bswap'] as const;
export type ByteSwap = (typeof BYTE_SWAPS)[number];

export type AtomicShape = 'fetch' | 'xchg' | 'cmpxchg';

export interface AtomicFunction {
  readonly shape: AtomicShape;
  /** The atomic operation (imm) for fetch shapes; XCHG / CMPXCHG otherwise. */
  readonly imm: number;
  /** Width fixed by the name (`xchg_64`, `atomic64_...`), or undefined when the cast decides. */
  readonly bits: 32 | 64 | undefined;
  /** LLVM's `xchg_64(r2 + 0, r1)` takes a bare address; the `atomic_*` forms a cast one. */
  readonly typed: boolean;
}

/**
 * `dst = NAME(...)` atomic functions: LLVM's spellings (`atomic_fetch_add`, `xchg_64`,
 * `cmpxchg32_32`, ...) and the kernel verifier log's (`atomic64_fetch_add`,
 * `atomic_xchg`, `atomic64_cmpxchg`, ...).
 */
export const ATOMIC_FUNCTIONS: ReadonlyMap<string, AtomicFunction> = new Map<string, AtomicFunction>([
  ...ATOMIC_ALU.flatMap(([, name, op]) => [
    [`atomic_fetch_${name}`, { shape: 'fetch', imm: op | AtomicOp.FETCH, bits: undefined, typed: true }],
    [`atomic64_fetch_${name}`, { shape: 'fetch', imm: op | AtomicOp.FETCH, bits: 64, typed: true }],
  ] as const),
  ['xchg_64', { shape: 'xchg', imm: AtomicOp.XCHG, bits: 64, typed: false }],
  ['xchg32_32', { shape: 'xchg', imm: AtomicOp.XCHG, bits: 32, typed: false }],
  ['atomic_xchg', { shape: 'xchg', imm: AtomicOp.XCHG, bits: undefined, typed: true }],
  ['atomic64_xchg', { shape: 'xchg', imm: AtomicOp.XCHG, bits: 64, typed: true }],
  ['cmpxchg_64', { shape: 'cmpxchg', imm: AtomicOp.CMPXCHG, bits: 64, typed: false }],
  ['cmpxchg32_32', { shape: 'cmpxchg', imm: AtomicOp.CMPXCHG, bits: 32, typed: false }],
  ['atomic_cmpxchg', { shape: 'cmpxchg', imm: AtomicOp.CMPXCHG, bits: undefined, typed: true }],
  ['atomic64_cmpxchg', { shape: 'cmpxchg', imm: AtomicOp.CMPXCHG, bits: 64, typed: true }],
]);

/**
 * `rN = NAME(arg) [+ next_imm] ll`: the lddw pseudo sources (ebee's spelling; LLVM has
 * none, it emits relocations instead). The argument is a number, except that
 * `map_value(name)` names a map (MAP_IDX_VALUE, index assigned at link) and
 * `code_addr(pc+N)` / `code_addr(label)` names code.
 */
export const LDDW_PSEUDO = [
  ['map_fd', LddwSrc.MAP_FD], ['map_value', LddwSrc.MAP_VALUE], ['var_addr', LddwSrc.VAR_ADDR],
  ['code_addr', LddwSrc.CODE_ADDR], ['map_idx', LddwSrc.MAP_IDX], ['map_idx_value', LddwSrc.MAP_IDX_VALUE],
] as const;

export const LDDW_PSEUDO_BY_NAME: ReadonlyMap<string, number> = new Map(LDDW_PSEUDO);
export const LDDW_PSEUDO_BY_SRC: ReadonlyMap<number, string> = new Map(LDDW_PSEUDO.map(([n, s]) => [s, n]));
