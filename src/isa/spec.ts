/**
 * The instruction table: every instruction form of RFC 9669 (plus `callx`, an LLVM
 * extension, and the legacy packet loads), one row each, keyed by opcode and, where an
 * opcode is shared, by a discriminating field (`offset` for sdiv/smod/movsx, `imm` for
 * atomics and byte swaps, `src` for call and lddw).
 *
 * This table is the source of truth: the decoder validates fields against it, both
 * assembler dialects and disassemblers take names from it, and tests enumerate it.
 * `syntax` is the form the kernel's verifier log and llvm-objdump print (pseudo-C),
 * with `dst`/`src` standing for rN or wN as the width requires (byte swaps name rN even
 * in the ALU class: llvm-mc rejects `w0 = be16 w0`); `semantics` is the
 * RFC's one-line meaning.
 */
import {
  AluOp, AtomicOp, CallSrc, Class, ConformanceGroup, JmpOp, LddwSrc, Mode, Size, Source,
  type ConformanceGroupName,
} from './opcodes.js';

/** How the decoder treats a field: a register number, must be zero, anything, or one value. */
export type FieldRule = 'reg' | 'zero' | 'any' | { readonly exact: number };

export type InsnKind =
  | 'alu' | 'neg' | 'end' | 'mov' | 'ja' | 'jcond' | 'call' | 'callx' | 'exit'
  | 'lddw' | 'ldabs' | 'ldind' | 'ldx' | 'st' | 'stx' | 'atomic';

export interface InsnForm {
  /** Mnemonic in the conformance-suite dialect (the immediate and register forms share it). */
  readonly name: string;
  readonly opcode: number;
  readonly kind: InsnKind;
  readonly group: ConformanceGroupName;
  readonly dst: FieldRule;
  readonly src: FieldRule;
  readonly offset: FieldRule;
  readonly imm: FieldRule;
  /** Pseudo-C syntax, as printed by llvm-objdump and the kernel's verifier log. */
  readonly syntax: string;
  /** Meaning, in the RFC's notation. */
  readonly semantics: string;
}

const G = ConformanceGroup;
const forms: InsnForm[] = [];
const add = (f: InsnForm): void => void forms.push(f);
const exact = (v: number): FieldRule => ({ exact: v });

// ---- Arithmetic: ALU (32-bit, zero-extending) and ALU64 -----------------------------

/** [op, name, C operator, group32, group64] for the binary operations. */
const BINARY_ALU = [
  [AluOp.ADD, 'add', '+=', G.BASE32, G.BASE64],
  [AluOp.SUB, 'sub', '-=', G.BASE32, G.BASE64],
  [AluOp.MUL, 'mul', '*=', G.DIVMUL32, G.DIVMUL64],
  [AluOp.DIV, 'div', '/=', G.DIVMUL32, G.DIVMUL64],
  [AluOp.OR, 'or', '|=', G.BASE32, G.BASE64],
  [AluOp.AND, 'and', '&=', G.BASE32, G.BASE64],
  [AluOp.LSH, 'lsh', '<<=', G.BASE32, G.BASE64],
  [AluOp.RSH, 'rsh', '>>=', G.BASE32, G.BASE64],
  [AluOp.MOD, 'mod', '%=', G.DIVMUL32, G.DIVMUL64],
  [AluOp.XOR, 'xor', '^=', G.BASE32, G.BASE64],
  [AluOp.ARSH, 'arsh', 's>>=', G.BASE32, G.BASE64],
] as const;

for (const [cls, suffix, wide] of [[Class.ALU, '32', false], [Class.ALU64, '', true]] as const) {
  const width = wide ? 'dst' : '(u32)dst';
  for (const [op, name, cop, g32, g64] of BINARY_ALU) {
    const group = wide ? g64 : g32;
    const signed = op === AluOp.DIV || op === AluOp.MOD;
    for (const [source, operand, srcRule, immRule] of [
      [Source.K, 'imm', 'zero', 'any'],
      [Source.X, 'src', 'reg', 'zero'],
    ] as const) {
      add({
        name: name + suffix, opcode: op | source | cls, kind: 'alu', group,
        dst: 'reg', src: srcRule, offset: signed ? exact(0) : 'zero', imm: immRule,
        syntax: `dst ${cop} ${operand}`,
        semantics: op === AluOp.DIV
          ? `dst = (${operand} != 0) ? (${width} / ${operand}) : 0`
          : op === AluOp.MOD
            ? `dst = (${operand} != 0) ? (${width} % ${operand}) : dst`
            : `dst = ${width} ${cop.slice(0, -1)} ${operand}`,
      });
      if (signed) {
        const sname = 's' + name;
        add({
          name: sname + suffix, opcode: op | source | cls, kind: 'alu', group,
          dst: 'reg', src: srcRule, offset: exact(1), imm: immRule,
          syntax: `dst s${cop} ${operand}`,
          semantics: op === AluOp.DIV
            ? `dst = (${operand} != 0) ? (${width} s/ ${operand}) : 0`
            : `dst = (${operand} != 0) ? (${width} s% ${operand}) : dst`,
        });
      }
    }
  }
  add({
    name: 'neg' + suffix, opcode: AluOp.NEG | cls, kind: 'neg', group: wide ? G.BASE64 : G.BASE32,
    dst: 'reg', src: 'zero', offset: 'zero', imm: 'zero',
    syntax: 'dst = -dst', semantics: `dst = -${width}`,
  });
  add({
    name: 'mov' + suffix, opcode: AluOp.MOV | Source.K | cls, kind: 'mov', group: wide ? G.BASE64 : G.BASE32,
    dst: 'reg', src: 'zero', offset: 'zero', imm: 'any',
    syntax: 'dst = imm', semantics: wide ? 'dst = imm (sign-extended)' : 'dst = (u32)imm',
  });
  add({
    name: 'mov' + suffix, opcode: AluOp.MOV | Source.X | cls, kind: 'mov', group: wide ? G.BASE64 : G.BASE32,
    dst: 'reg', src: 'reg', offset: exact(0), imm: 'zero',
    syntax: 'dst = src', semantics: wide ? 'dst = src' : 'dst = (u32)src',
  });
  for (const bits of wide ? [8, 16, 32] : [8, 16]) {
    add({
      name: `movsx${bits}${wide ? 64 : 32}`, opcode: AluOp.MOV | Source.X | cls, kind: 'mov',
      group: wide ? G.BASE64 : G.BASE32,
      dst: 'reg', src: 'reg', offset: exact(bits), imm: 'zero',
      syntax: `dst = (s${bits})src`,
      semantics: wide ? `dst = (s64)(s${bits})src` : `dst = (u32)(s32)(s${bits})src`,
    });
  }
}

// Byte swaps: ALU class picks the target byte order with the source bit; ALU64 with
// source 0 swaps unconditionally (v4 `bswap`).
for (const bits of [16, 32, 64]) {
  const group = bits === 64 ? G.BASE64 : G.BASE32;
  const rules = { kind: 'end', group, dst: 'reg', src: 'zero', offset: 'zero', imm: exact(bits) } as const;
  add({ ...rules, name: `le${bits}`, opcode: AluOp.END | Source.K | Class.ALU,
    syntax: `dst = le${bits} dst`, semantics: `dst = htole${bits}(dst)` });
  add({ ...rules, name: `be${bits}`, opcode: AluOp.END | Source.X | Class.ALU,
    syntax: `dst = be${bits} dst`, semantics: `dst = htobe${bits}(dst)` });
  add({ ...rules, name: `bswap${bits}`, opcode: AluOp.END | Source.K | Class.ALU64,
    syntax: `dst = bswap${bits} dst`, semantics: `dst = bswap${bits}(dst)` });
}

// ---- Jumps -----------------------------------------------------------------------------

const CONDITIONAL_JMP = [
  [JmpOp.JEQ, 'jeq', '=='], [JmpOp.JGT, 'jgt', '>'], [JmpOp.JGE, 'jge', '>='],
  [JmpOp.JSET, 'jset', '&'], [JmpOp.JNE, 'jne', '!='], [JmpOp.JSGT, 'jsgt', 's>'],
  [JmpOp.JSGE, 'jsge', 's>='], [JmpOp.JLT, 'jlt', '<'], [JmpOp.JLE, 'jle', '<='],
  [JmpOp.JSLT, 'jslt', 's<'], [JmpOp.JSLE, 'jsle', 's<='],
] as const;

for (const [cls, suffix, wide] of [[Class.JMP, '', true], [Class.JMP32, '32', false]] as const) {
  for (const [op, name, cop] of CONDITIONAL_JMP) {
    for (const [source, operand, srcRule, immRule] of [
      [Source.K, 'imm', 'zero', 'any'],
      [Source.X, 'src', 'reg', 'zero'],
    ] as const) {
      add({
        name: name + suffix, opcode: op | source | cls, kind: 'jcond', group: wide ? G.BASE64 : G.BASE32,
        dst: 'reg', src: srcRule, offset: 'any', imm: immRule,
        syntax: `if dst ${cop} ${operand} goto +off`,
        semantics: `if ${wide ? 'dst' : '(u32)dst'} ${cop} ${wide || operand === 'imm' ? operand : '(u32)src'} goto +offset`,
      });
    }
  }
}
add({ name: 'ja', opcode: JmpOp.JA | Class.JMP, kind: 'ja', group: G.BASE32,
  dst: 'zero', src: 'zero', offset: 'any', imm: 'zero', syntax: 'goto +off', semantics: 'pc += offset' });
add({ name: 'ja32', opcode: JmpOp.JA | Class.JMP32, kind: 'ja', group: G.BASE32,
  dst: 'zero', src: 'zero', offset: 'zero', imm: 'any', syntax: 'gotol +imm', semantics: 'pc += imm' });
add({ name: 'call', opcode: JmpOp.CALL | Class.JMP, kind: 'call', group: G.BASE32,
  dst: 'zero', src: exact(CallSrc.HELPER), offset: 'zero', imm: 'any',
  syntax: 'call imm', semantics: 'call helper function imm' });
add({ name: 'call local', opcode: JmpOp.CALL | Class.JMP, kind: 'call', group: G.BASE32,
  dst: 'zero', src: exact(CallSrc.LOCAL), offset: 'zero', imm: 'any',
  syntax: 'call pc+imm', semantics: 'call the local function at pc + 1 + imm' });
add({ name: 'call kfunc', opcode: JmpOp.CALL | Class.JMP, kind: 'call', group: G.BASE32,
  dst: 'zero', src: exact(CallSrc.KFUNC), offset: 'any', imm: 'any',
  syntax: 'call kfunc(imm)', semantics: 'call the kernel function with BTF id imm (offset: module BTF index)' });
add({ name: 'callx', opcode: JmpOp.CALL | Source.X | Class.JMP, kind: 'callx', group: G.BASE32,
  dst: 'reg', src: 'zero', offset: 'zero', imm: 'zero',
  syntax: 'callx dst', semantics: 'call the function whose address (or helper id) is in dst' });
add({ name: 'exit', opcode: JmpOp.EXIT | Class.JMP, kind: 'exit', group: G.BASE32,
  dst: 'zero', src: 'zero', offset: 'zero', imm: 'zero', syntax: 'exit', semantics: 'return r0' });

// ---- Loads and stores ------------------------------------------------------------------

const SIZES = [[Size.W, 'w', 'u32', 's32'], [Size.H, 'h', 'u16', 's16'], [Size.B, 'b', 'u8', 's8'], [Size.DW, 'dw', 'u64', 's64']] as const;
const groupOfSize = (size: number): ConformanceGroupName => (size === Size.DW ? G.BASE64 : G.BASE32);

for (const [size, sfx, utype, stype] of SIZES) {
  add({ name: `ldx${sfx}`, opcode: Class.LDX | Mode.MEM | size, kind: 'ldx', group: groupOfSize(size),
    dst: 'reg', src: 'reg', offset: 'any', imm: 'zero',
    syntax: `dst = *(${utype} *)(src + off)`, semantics: `dst = *(${utype} *)(src + offset)` });
  if (size !== Size.DW) {
    add({ name: `ldxs${sfx}`, opcode: Class.LDX | Mode.MEMSX | size, kind: 'ldx',
      group: G.BASE32,
      dst: 'reg', src: 'reg', offset: 'any', imm: 'zero',
      syntax: `dst = *(${stype} *)(src + off)`, semantics: `dst = (s64)*(${stype} *)(src + offset)` });
  }
  add({ name: `st${sfx}`, opcode: Class.ST | Mode.MEM | size, kind: 'st', group: groupOfSize(size),
    dst: 'reg', src: 'zero', offset: 'any', imm: 'any',
    syntax: `*(${utype} *)(dst + off) = imm`, semantics: `*(${utype} *)(dst + offset) = imm` });
  add({ name: `stx${sfx}`, opcode: Class.STX | Mode.MEM | size, kind: 'stx', group: groupOfSize(size),
    dst: 'reg', src: 'reg', offset: 'any', imm: 'zero',
    syntax: `*(${utype} *)(dst + off) = src`, semantics: `*(${utype} *)(dst + offset) = src` });
  if (size !== Size.DW) {
    add({ name: `ldabs${sfx}`, opcode: Class.LD | Mode.ABS | size, kind: 'ldabs', group: G.PACKET,
      dst: 'zero', src: 'zero', offset: 'zero', imm: 'any',
      syntax: `r0 = *(${utype} *)skb[imm]`, semantics: `r0 = ntoh(*(${utype} *)(skb->data + imm))` });
    add({ name: `ldind${sfx}`, opcode: Class.LD | Mode.IND | size, kind: 'ldind', group: G.PACKET,
      dst: 'zero', src: 'reg', offset: 'zero', imm: 'any',
      syntax: `r0 = *(${utype} *)skb[src + imm]` /* LLVM can only write skb[src] */, semantics: `r0 = ntoh(*(${utype} *)(skb->data + src + imm))` });
  }
}

const ATOMIC_OPS = [
  [AtomicOp.ADD, 'add', '+='], [AtomicOp.OR, 'or', '|='], [AtomicOp.AND, 'and', '&='], [AtomicOp.XOR, 'xor', '^='],
] as const;
for (const [size, sfx, utype, bits, group] of [
  [Size.W, '32', 'u32', 32, G.ATOMIC32], [Size.DW, '', 'u64', 64, G.ATOMIC64],
] as const) {
  const opcode = Class.STX | Mode.ATOMIC | size;
  const base = { opcode, kind: 'atomic', group, dst: 'reg', src: 'reg', offset: 'any' } as const;
  for (const [op, name, cop] of ATOMIC_OPS) {
    add({ ...base, name: `lock ${name}${sfx}`, imm: exact(op),
      syntax: `lock *(${utype} *)(dst + off) ${cop} src`, semantics: `*(${utype} *)(dst + offset) ${cop} src, atomically` });
    add({ ...base, name: `lock fetch ${name}${sfx}`, imm: exact(op | AtomicOp.FETCH),
      syntax: `src = atomic_fetch_${name}((${utype} *)(dst + off), src)`,
      semantics: `src = atomic_fetch_${name}_${bits}((${utype} *)(dst + offset), src)` });
  }
  add({ ...base, name: `lock xchg${sfx}`, imm: exact(AtomicOp.XCHG),
    syntax: bits === 64 ? 'src = xchg_64(dst + off, src)' : 'src = xchg32_32(dst + off, src)',
    semantics: `src = xchg_${bits}((${utype} *)(dst + offset), src)` });
  add({ ...base, name: `lock cmpxchg${sfx}`, imm: exact(AtomicOp.CMPXCHG),
    syntax: bits === 64 ? 'r0 = cmpxchg_64(dst + off, r0, src)' : 'w0 = cmpxchg32_32(dst + off, w0, src)',
    semantics: `r0 = cmpxchg_${bits}((${utype} *)(dst + offset), r0, src)` });
}

const LDDW_FORMS = [
  [LddwSrc.IMM64, 'lddw', 'dst = imm64 ll', 'dst = (next_imm << 32) | imm'],
  [LddwSrc.MAP_FD, 'lddw map_fd', 'dst = map_fd(imm) ll', 'dst = map_by_fd(imm)'],
  [LddwSrc.MAP_VALUE, 'lddw map_value', 'dst = map_value(imm) + next_imm ll', 'dst = map_val(map_by_fd(imm)) + next_imm'],
  [LddwSrc.VAR_ADDR, 'lddw var_addr', 'dst = var_addr(imm) ll', 'dst = var_addr(imm)'],
  [LddwSrc.CODE_ADDR, 'lddw code_addr', 'dst = code_addr(pc+imm) ll', 'dst = code_addr(pc + 1 + imm)'],
  [LddwSrc.MAP_IDX, 'lddw map_idx', 'dst = map_idx(imm) ll', 'dst = map_by_idx(imm)'],
  [LddwSrc.MAP_IDX_VALUE, 'lddw map_idx_value', 'dst = map_idx_value(imm) + next_imm ll', 'dst = map_val(map_by_idx(imm)) + next_imm'],
] as const;
for (const [src, name, syntax, semantics] of LDDW_FORMS) {
  add({ name, opcode: Class.LD | Mode.IMM | Size.DW, kind: 'lddw', group: G.BASE64,
    dst: 'reg', src: exact(src), offset: 'zero', imm: 'any', syntax, semantics });
}

/** Every instruction form, in table order. */
export const INSTRUCTION_FORMS: readonly InsnForm[] = Object.freeze(forms);

const byOpcode = new Map<number, InsnForm[]>();
for (const f of forms) {
  const list = byOpcode.get(f.opcode);
  if (list) list.push(f);
  else byOpcode.set(f.opcode, [f]);
}

/** The forms that share an opcode byte (empty for an unknown opcode). */
export function formsOf(opcode: number): readonly InsnForm[] {
  return byOpcode.get(opcode) ?? [];
}

const fieldMatches = (rule: FieldRule, value: number): boolean =>
  typeof rule !== 'object' || rule.exact === value;

/**
 * The form an instruction is an instance of, chosen by opcode and discriminating
 * fields only (reserved-field checks are the decoder's job), or undefined.
 */
export function formOf(i: { opcode: number; src: number; offset: number; imm: number }): InsnForm | undefined {
  const list = byOpcode.get(i.opcode);
  if (!list) return undefined;
  for (const f of list) {
    if (fieldMatches(f.src, i.src) && fieldMatches(f.offset, i.offset) && fieldMatches(f.imm, i.imm)) return f;
  }
  return undefined;
}
