/**
 * Statements that write a register or memory: `dst OP= src`, `dst = ...` in all its
 * shapes (move, negate, sign-extend, byte swap, load, packet load, atomic function,
 * 64-bit immediate), `*(u32 *)(dst + off) = src` and `lock *(...) += src`.
 *
 * Register widths follow llvm-mc: arithmetic names both operands rN (ALU64) or both
 * wN (ALU); a 32-bit or narrower load or store may name its value register either way
 * (llvm-objdump prints wN for -mcpu=v3 and later, the kernel rN); `bswap`,
 * sign-extending loads and 64-bit accesses take rN only.
 */
import {
  AluOp, Class, LddwSrc, Mode, Size, Source, insn, lddw, type Instruction,
} from '../../isa/index.js';
import { AsmErrorCode } from '../errors.js';
import { type Cursor, type Register } from './cursor.js';
import type { Token } from './lexer.js';
import {
  ALU_OPERATORS, ATOMIC_ALU, ATOMIC_FUNCTIONS, BYTE_SWAPS, LDDW_PSEUDO_BY_NAME, SIZE_BITS, type ByteSwap,
} from './tables.js';

/** One parsed instruction, before labels and map names are resolved. */
export interface Draft {
  readonly insn: Instruction;
  /** A label a jump, call or code address refers to. */
  readonly label?: string;
  /** A map name (`map_value(name)`). */
  readonly mapRef?: string;
  /** `rN = name ll`: a code address when `name` is a label of the program, else a map. */
  readonly symbol?: string;
}

const reg = (r: Register): string => `${r.wide ? 'r' : 'w'}${r.num}`;

/** `dst OP= src` / `dst OP= imm`, with `dst` already read. */
export function parseAlu(c: Cursor, dst: Register, opToken: Token): Draft {
  const entry = ALU_OPERATORS.find(([text]) => text === opToken.text);
  if (entry === undefined) {
    c.fail(AsmErrorCode.SYNTAX, `expected '=' or an operator such as '+=' after ${reg(dst)}, found '${opToken.text}'`, opToken);
  }
  const [, op, offset] = entry!;
  const cls = dst.wide ? Class.ALU64 : Class.ALU;
  const draft = c.isRegisterAt()
    ? { insn: insn(op | Source.X | cls, dst.num, sameWidth(c, dst, c.register()).num, offset, 0) }
    : { insn: insn(op | Source.K | cls, dst.num, 0, offset, c.imm32(!dst.wide)) };
  c.end();
  return draft;
}

/** Requires `other` to have the same width as `first` (`w1 += w2`, never `w1 += r2`). */
function sameWidth(c: Cursor, first: Register, other: Register): Register {
  if (other.wide !== first.wide) {
    c.fail(AsmErrorCode.BAD_OPERAND,
      `${reg(other)} and ${reg(first)} differ in width: use ${first.wide ? 'r' : 'w'}${other.num}`, other.token);
  }
  return other;
}

/** `dst = ...`, with `dst =` already read. */
export function parseAssignment(c: Cursor, dst: Register): Draft {
  if (c.endsWith('ll')) return parseLddw(c, dst);
  const t = c.peek();
  let draft: Draft;
  if (t === undefined) {
    return c.fail(AsmErrorCode.SYNTAX, `expected a value after '${reg(dst)} ='`);
  } else if (t.text === '-' && c.isRegisterAt(1)) {
    c.next('-');
    const src = sameWidth(c, dst, c.register());
    if (src.num !== dst.num) c.fail(AsmErrorCode.BAD_OPERAND, `negation works in place: write ${reg(dst)} = -${reg(dst)}`, src.token);
    draft = { insn: insn(AluOp.NEG | (dst.wide ? Class.ALU64 : Class.ALU), dst.num, 0, 0, 0) };
  } else if (t.text === '(') {
    draft = parseSignExtend(c, dst);
  } else if (t.text === '*') {
    return parseLoad(c, dst);
  } else if (c.isNumberAt()) {
    draft = { insn: insn(AluOp.MOV | Source.K | (dst.wide ? Class.ALU64 : Class.ALU), dst.num, 0, 0, c.imm32(!dst.wide)) };
  } else if (c.isRegisterAt()) {
    const src = sameWidth(c, dst, c.register());
    draft = { insn: insn(AluOp.MOV | Source.X | (dst.wide ? Class.ALU64 : Class.ALU), dst.num, src.num, 0, 0) };
  } else if (t.kind === 'ident' && ATOMIC_FUNCTIONS.has(t.text)) {
    return parseAtomicFunction(c, dst);
  } else if (t.kind === 'ident' && /^(le|be|bswap)(16|32|64)$/.test(t.text)) {
    draft = parseByteSwap(c, dst);
  } else if (t.kind === 'ident') {
    const pseudo = LDDW_PSEUDO_BY_NAME.has(t.text) && c.isAt('(', 1);
    return c.fail(AsmErrorCode.BAD_OPERAND, pseudo
      ? `'${t.text}(...)' is a 64-bit load: end the line with 'll'`
      : `'${t.text}' is not a register or a number (to load a map or code address write '${reg(dst)} = ${t.text} ll')`, t);
  } else {
    return c.fail(AsmErrorCode.BAD_OPERAND, `expected a register, a number or a load after '=', found '${t.text}'`, t);
  }
  c.end();
  return draft;
}

/** `r0 = (s8)r1`, `w0 = (s16)w1`. */
function parseSignExtend(c: Cursor, dst: Register): Draft {
  const cast = c.valueCast();
  const bits = SIZE_BITS[cast.size];
  if (!cast.signed || bits === 64 || (!dst.wide && bits === 32)) {
    c.fail(AsmErrorCode.BAD_OPERAND,
      `'(${cast.token.text})' is not a sign extension: use (s8), (s16)${dst.wide ? ' or (s32)' : ''}`, cast.token);
  }
  const src = sameWidth(c, dst, c.register());
  return { insn: insn(AluOp.MOV | Source.X | (dst.wide ? Class.ALU64 : Class.ALU), dst.num, src.num, bits, 0) };
}

/** `r0 = be16 r0`, `r0 = le64 r0`, `r0 = bswap32 r0`. */
function parseByteSwap(c: Cursor, dst: Register): Draft {
  const t = c.next('a byte swap');
  const m = /^(le|be|bswap)(16|32|64)$/.exec(t.text)!;
  const kind = m[1] as ByteSwap;
  const src = c.register();
  // LLVM spells all three with rN. `w0 = be16 w0` is accepted too for le/be (their
  // class is ALU), but not for bswap, whose class is ALU64.
  if ((kind === 'bswap' && !dst.wide) || src.wide !== dst.wide) {
    c.fail(AsmErrorCode.BAD_OPERAND, `write the byte swap as r${dst.num} = ${t.text} r${dst.num}`, dst.wide ? src.token : dst.token);
  }
  if (src.num !== dst.num) c.fail(AsmErrorCode.BAD_OPERAND, `a byte swap works in place: write r${dst.num} = ${t.text} r${dst.num}`, src.token);
  const opcode = AluOp.END | [Source.K | Class.ALU, Source.X | Class.ALU, Source.K | Class.ALU64][BYTE_SWAPS.indexOf(kind)]!;
  return { insn: insn(opcode, dst.num, 0, 0, Number(m[2])) };
}

/** `r0 = *(u32 *)(r1 + 4)`, `r0 = *(s16 *)(r1 + 2)`, `r0 = *(u16 *)skb[r1 + 4]`. */
function parseLoad(c: Cursor, dst: Register): Draft {
  c.expect('*');
  const cast = c.pointerCast();
  if (c.isAt('skb') && c.isAt('[', 1)) return parsePacketLoad(c, dst, cast.size, cast.signed, cast.token);
  const { base, offset } = c.address();
  c.end();
  if (cast.signed) {
    if (cast.size === Size.DW) c.fail(AsmErrorCode.BAD_OPERAND, 'there is no sign-extending 64-bit load: use u64', cast.token);
    if (!dst.wide) c.fail(AsmErrorCode.BAD_OPERAND, `a sign-extending load writes all 64 bits: write r${dst.num}`, dst.token);
  } else if (cast.size === Size.DW && !dst.wide) {
    c.fail(AsmErrorCode.BAD_OPERAND, `a 64-bit load needs a 64-bit register: write r${dst.num}`, dst.token);
  }
  const mode = cast.signed ? Mode.MEMSX : Mode.MEM;
  return { insn: insn(Class.LDX | mode | cast.size, dst.num, base.num, offset, 0) };
}

/** Legacy packet loads: `r0 = *(u8 *)skb[12]`, `r0 = *(u16 *)skb[r1]`, `skb[r1 + 4]`. */
function parsePacketLoad(c: Cursor, dst: Register, size: number, signed: boolean, typeToken: Token): Draft {
  if (signed || size === Size.DW) c.fail(AsmErrorCode.BAD_OPERAND, 'packet loads are u8, u16 or u32', typeToken);
  if (!dst.wide || dst.num !== 0) c.fail(AsmErrorCode.BAD_OPERAND, 'packet loads always write r0', dst.token);
  c.expect('skb');
  c.expect('[');
  let draft: Draft;
  if (c.isRegisterAt()) {
    const index = c.wideRegister('the packet index register');
    let imm = 0;
    const sign = c.accept('+') ?? c.accept('-');
    if (sign !== undefined) {
      // The kernel prints `skb[r1 + -4]` for a negative imm, so a second sign is fine.
      const n = c.number('an offset');
      imm = c.fitImm32({ value: sign.text === '-' ? -n.value : n.value, token: sign }, true, 'packet offset');
    }
    draft = { insn: insn(Class.LD | Mode.IND | size, 0, index.num, 0, imm) };
  } else {
    draft = { insn: insn(Class.LD | Mode.ABS | size, 0, 0, 0, c.imm32(true, 'packet offset')) };
  }
  c.expect(']');
  c.end();
  return draft;
}

/** `w1 = atomic_fetch_add((u32 *)(r2 + 0), w1)`, `r1 = xchg_64(r2 + 0, r1)`, `r0 = cmpxchg_64(r2 + 0, r0, r1)`. */
function parseAtomicFunction(c: Cursor, dst: Register): Draft {
  const nameToken = c.next('an atomic function');
  const fn = ATOMIC_FUNCTIONS.get(nameToken.text)!;
  c.expect('(');
  let bits = fn.bits;
  let base: Register;
  let offset: number;
  if (fn.typed) {
    const cast = c.pointerCast();
    const castBits = SIZE_BITS[cast.size];
    if (cast.signed || castBits < 32 || (bits !== undefined && bits !== castBits)) {
      c.fail(AsmErrorCode.BAD_OPERAND, `${nameToken.text} works on ${bits === undefined ? 'u32 or u64' : `u${bits}`}`, cast.token);
    }
    bits = castBits as 32 | 64;
    ({ base, offset } = c.address());
  } else {
    base = c.wideRegister('the base register of an address');
    offset = c.displacement();
  }
  let comparand: Register | undefined;
  if (fn.shape === 'cmpxchg') {
    c.expect(',');
    comparand = c.register();
  }
  c.expect(',');
  const src = c.register();
  c.expect(')');
  c.end();

  const width = (r: Register): void => {
    // LLVM spells 32-bit atomics with wN, the kernel's log with rN: take either, but not a mix.
    if (bits === 64 ? !r.wide : r.wide !== dst.wide) {
      c.fail(AsmErrorCode.BAD_OPERAND, `${reg(r)} has the wrong width for a ${bits}-bit atomic`, r.token);
    }
  };
  if (bits === 64) width(dst);
  if (comparand !== undefined) width(comparand);
  width(src);
  if (fn.shape === 'cmpxchg') {
    if (dst.num !== 0) c.fail(AsmErrorCode.BAD_OPERAND, 'cmpxchg returns the old value in r0', dst.token);
    if (comparand!.num !== 0) c.fail(AsmErrorCode.BAD_OPERAND, 'cmpxchg compares with r0', comparand!.token);
  } else if (src.num !== dst.num) {
    c.fail(AsmErrorCode.BAD_OPERAND, `${nameToken.text} returns the old value in its source register: write ${reg(src)} = ...`, dst.token);
  }
  const size = bits === 64 ? Size.DW : Size.W;
  return { insn: insn(Class.STX | Mode.ATOMIC | size, base.num, src.num, offset, fn.imm) };
}

/** `rN = imm64 ll`, `rN = name ll`, `rN = map_value(name) + 8 ll`, `rN = map_fd(3) ll`, ... */
function parseLddw(c: Cursor, dst: Register): Draft {
  if (!dst.wide) c.fail(AsmErrorCode.BAD_OPERAND, `a 64-bit load needs a 64-bit register: write r${dst.num}`, dst.token);
  const t = c.peek();
  let draft: Draft;
  if (c.isNumberAt()) {
    draft = { insn: lddw(dst.num, c.imm64()) };
  } else if (t?.kind === 'ident' && LDDW_PSEUDO_BY_NAME.has(t.text) && c.isAt('(', 1)) {
    draft = parsePseudoLddw(c, dst);
  } else if (t?.kind === 'ident' && !c.isRegisterAt() && t.text !== 'll') {
    c.next('a name');
    if (c.isAt('+') || c.isAt('-')) {
      c.fail(AsmErrorCode.BAD_OPERAND, `an offset into a map value is written '${reg(dst)} = map_value(${t.text}) + N ll'`, c.peek());
    }
    draft = { insn: lddw(dst.num, 0n, LddwSrc.MAP_IDX), symbol: t.text };
  } else {
    return c.fail(AsmErrorCode.BAD_OPERAND, `expected a number, a map name or map_fd(...) etc. before 'll'`, t);
  }
  c.expect('ll');
  c.end();
  return draft;
}

function parsePseudoLddw(c: Cursor, dst: Register): Draft {
  const nameToken = c.next('a pseudo source');
  let src = LDDW_PSEUDO_BY_NAME.get(nameToken.text)!;
  c.expect('(');
  let imm = 0;
  let label: string | undefined;
  let mapRef: string | undefined;
  const arg = c.peek();
  if (src === LddwSrc.CODE_ADDR && c.isPcRelative()) {
    c.next('pc');
    imm = c.imm32(false, 'code offset');
  } else if ((src === LddwSrc.CODE_ADDR || src === LddwSrc.MAP_VALUE) && arg?.kind === 'ident' && !c.isRegisterAt()) {
    c.next('a name');
    if (src === LddwSrc.CODE_ADDR) label = arg.text;
    else {
      mapRef = arg.text;
      src = LddwSrc.MAP_IDX_VALUE;
    }
  } else {
    imm = c.imm32(true, `${nameToken.text} argument`);
  }
  c.expect(')');
  let next = 0;
  const sign = c.accept('+') ?? c.accept('-');
  if (sign !== undefined) {
    const n = c.number('an offset');
    next = c.fitImm32({ value: sign.text === '-' ? -n.value : n.value, token: sign }, true, 'offset');
    if (label !== undefined) c.fail(AsmErrorCode.BAD_OPERAND, 'a code address takes no offset', sign);
  }
  const value = (BigInt(next >>> 0) << 32n) | BigInt(imm >>> 0);
  const out: Draft = { insn: lddw(dst.num, value, src) };
  return label !== undefined ? { ...out, label } : mapRef !== undefined ? { ...out, mapRef } : out;
}

/** `*(u32 *)(r10 - 4) = 5`, `*(u64 *)(r10 - 8) = r1`, with the leading `*` not yet read. */
export function parseStore(c: Cursor): Draft {
  c.expect('*');
  const cast = c.pointerCast();
  if (cast.signed) c.fail(AsmErrorCode.BAD_OPERAND, `stores take unsigned types: write u${SIZE_BITS[cast.size]}`, cast.token);
  const { base, offset } = c.address();
  c.expect('=');
  let draft: Draft;
  if (c.isRegisterAt()) {
    const src = c.register();
    if (cast.size === Size.DW && !src.wide) c.fail(AsmErrorCode.BAD_OPERAND, `a 64-bit store needs r${src.num}`, src.token);
    draft = { insn: insn(Class.STX | Mode.MEM | cast.size, base.num, src.num, offset, 0) };
  } else {
    draft = { insn: insn(Class.ST | Mode.MEM | cast.size, base.num, 0, offset, c.imm32(cast.size !== Size.DW)) };
  }
  c.end();
  return draft;
}

/** `lock *(u64 *)(r10 - 8) += r1`, with `lock` already read. */
export function parseLock(c: Cursor): Draft {
  c.expect('*');
  const cast = c.pointerCast();
  if (cast.signed || (cast.size !== Size.W && cast.size !== Size.DW)) {
    c.fail(AsmErrorCode.BAD_OPERAND, 'atomic operations work on u32 or u64', cast.token);
  }
  const { base, offset } = c.address();
  const opToken = c.next("an operator such as '+='");
  const entry = ATOMIC_ALU.find(([text]) => text === opToken.text);
  if (entry === undefined) c.fail(AsmErrorCode.BAD_OPERAND, `expected '+=', '|=', '&=' or '^=', found '${opToken.text}'`, opToken);
  const src = c.register();
  if (cast.size === Size.DW && !src.wide) c.fail(AsmErrorCode.BAD_OPERAND, `a 64-bit atomic needs r${src.num}`, src.token);
  c.end();
  return { insn: insn(Class.STX | Mode.ATOMIC | cast.size, base.num, src.num, offset, entry![2]) };
}
