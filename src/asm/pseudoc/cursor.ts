/**
 * A cursor over one statement's tokens, with the operand readers every statement
 * shape shares: registers, signed numbers with range checks, `(rN + off)` addresses
 * and `*(u32 *)` casts. Every failure is an `AsmError` pointing at the token at fault.
 */
import type { SourceLocation } from '../../errors.js';
import { MAX_REG, Size, type SizeValue } from '../../isa/index.js';
import { AsmError, AsmErrorCode, type AsmErrorCodeValue } from '../errors.js';
import type { Statement, Token } from './lexer.js';

export interface Register {
  readonly num: number;
  /** True for rN (64-bit), false for wN (the low 32 bits). */
  readonly wide: boolean;
  readonly token: Token;
}

export interface SignedNumber {
  readonly value: bigint;
  /** The first token (the sign, when there is one), for error positions. */
  readonly token: Token;
}

export interface Address {
  readonly base: Register;
  readonly offset: number;
}

export interface Cast {
  readonly size: SizeValue;
  readonly signed: boolean;
  readonly token: Token;
}

const REGISTER = /^([rw])(\d+)$/;

/** The C type names of the casts, by spelling. */
const TYPES: Readonly<Record<string, { size: SizeValue; signed: boolean }>> = {
  u8: { size: Size.B, signed: false }, u16: { size: Size.H, signed: false },
  u32: { size: Size.W, signed: false }, u64: { size: Size.DW, signed: false },
  s8: { size: Size.B, signed: true }, s16: { size: Size.H, signed: true },
  s32: { size: Size.W, signed: true }, s64: { size: Size.DW, signed: true },
};

const S32_MIN = -(2n ** 31n);
const S32_MAX = 2n ** 31n - 1n;
const U32_MAX = 2n ** 32n - 1n;

const show = (t: Token | undefined): string => (t === undefined ? 'end of statement' : `'${t.text}'`);

export class Cursor {
  private index = 0;

  constructor(private readonly statement: Statement, private readonly file: string | undefined) {}

  peek(ahead = 0): Token | undefined {
    return this.statement.tokens[this.index + ahead];
  }

  /** True when the token `ahead` places on has exactly this text. */
  isAt(text: string, ahead = 0): boolean {
    return this.peek(ahead)?.text === text;
  }

  /** True when the last token of the statement has this text. */
  endsWith(text: string): boolean {
    const all = this.statement.tokens;
    return all[all.length - 1]!.text === text;
  }

  atEnd(): boolean {
    return this.index >= this.statement.tokens.length;
  }

  accept(text: string): Token | undefined {
    if (!this.isAt(text)) return undefined;
    return this.statement.tokens[this.index++];
  }

  next(what: string): Token {
    const t = this.peek();
    if (t === undefined) this.fail(AsmErrorCode.SYNTAX, `expected ${what} before end of statement`);
    this.index++;
    return t!;
  }

  expect(text: string): Token {
    const t = this.peek();
    if (t?.text !== text) this.fail(AsmErrorCode.SYNTAX, `expected '${text}', found ${show(t)}`, t);
    this.index++;
    return t!;
  }

  /** Requires that nothing is left in the statement. */
  end(): void {
    const t = this.peek();
    if (t !== undefined) this.fail(AsmErrorCode.SYNTAX, `unexpected ${show(t)} after the end of the instruction`, t);
  }

  location(token?: Token): SourceLocation {
    const at = token ?? this.statement.end;
    return this.file === undefined ? { line: at.line, column: at.column } : { line: at.line, column: at.column, file: this.file };
  }

  fail(code: AsmErrorCodeValue, message: string, token?: Token): never {
    throw new AsmError(code, message, this.location(token));
  }

  /** The next token as a register, or a BAD_OPERAND error naming `what` was wanted. */
  register(what = 'a register'): Register {
    const t = this.peek();
    const reg = t === undefined ? undefined : this.asRegister(t);
    if (reg === undefined) this.fail(AsmErrorCode.BAD_OPERAND, `expected ${what}, found ${show(t)}`, t);
    this.index++;
    return reg!;
  }

  /** A 64-bit register (rN): the base of an address, a `callx` target, ... */
  wideRegister(what: string): Register {
    const reg = this.register(what);
    if (!reg.wide) this.fail(AsmErrorCode.BAD_OPERAND, `${what} must be a 64-bit register (r${reg.num}), not w${reg.num}`, reg.token);
    return reg;
  }

  /** Whether the token is spelled like a register (r0-r10, w0-w10); r11 and up are errors. */
  asRegister(t: Token): Register | undefined {
    const m = t.kind === 'ident' ? REGISTER.exec(t.text) : null;
    if (!m) return undefined;
    const num = Number(m[2]);
    if (num > MAX_REG || (m[2]!.length > 1 && m[2]!.startsWith('0'))) {
      this.fail(AsmErrorCode.BAD_OPERAND, `there is no register ${t.text} (r0-r10, w0-w10)`, t);
    }
    return { num, wide: m[1] === 'r', token: t };
  }

  isRegisterAt(ahead = 0): boolean {
    const t = this.peek(ahead);
    return t !== undefined && t.kind === 'ident' && REGISTER.test(t.text);
  }

  /** True at the verifier log's `pc+N` / `pc-N`. */
  isPcRelative(): boolean {
    return this.isAt('pc') && (this.isAt('+', 1) || this.isAt('-', 1)) && this.peek(2)?.kind === 'number';
  }

  /** True when a (possibly signed) number starts `ahead` tokens on. */
  isNumberAt(ahead = 0): boolean {
    const t = this.peek(ahead);
    if (t?.kind === 'number') return true;
    return (t?.text === '-' || t?.text === '+') && this.peek(ahead + 1)?.kind === 'number';
  }

  /** `N`, `+N` or `-N`. */
  number(what = 'a number'): SignedNumber {
    const first = this.peek();
    let sign = 1n;
    if (first?.text === '-' || first?.text === '+') {
      sign = first.text === '-' ? -1n : 1n;
      this.index++;
    }
    const t = this.peek();
    if (t?.kind !== 'number') this.fail(AsmErrorCode.BAD_OPERAND, `expected ${what}, found ${show(t)}`, t);
    this.index++;
    return { value: sign * t!.value, token: first! };
  }

  /**
   * A 32-bit immediate. Values are signed 32-bit; `allowUnsigned` also admits
   * 2^31..2^32-1 (as their two's complement), which only makes sense where the value
   * is used as 32 bits: in a 64-bit operation it would be sign-extended into a
   * different number, so there it is an error rather than a surprise.
   */
  imm32(allowUnsigned: boolean, what = 'immediate'): number {
    return this.fitImm32(this.number(`${/^[aeiou]/.test(what) ? 'an' : 'a'} ${what}`), allowUnsigned, what);
  }

  fitImm32(n: SignedNumber, allowUnsigned: boolean, what = 'immediate'): number {
    if (n.value >= S32_MIN && n.value <= S32_MAX) return Number(n.value);
    if (allowUnsigned && n.value > S32_MAX && n.value <= U32_MAX) return Number(BigInt.asIntN(32, n.value));
    const hint = !allowUnsigned && n.value > S32_MAX && n.value <= U32_MAX
      ? ` (a 64-bit operation sign-extends it; write ${BigInt.asIntN(32, n.value)} or use a 64-bit load: 'rN = ${n.value} ll')`
      : '';
    return this.fail(AsmErrorCode.IMM_RANGE,
      `${what} ${n.value} does not fit in 32 bits (${S32_MIN}..${allowUnsigned ? U32_MAX : S32_MAX})${hint}`, n.token);
  }

  /** A signed 16-bit offset. */
  fitOffset(n: SignedNumber, what = 'offset'): number {
    if (n.value < -0x8000n || n.value > 0x7fffn) {
      this.fail(AsmErrorCode.OFFSET_RANGE, `${what} ${n.value} does not fit in s16 (-32768..32767)`, n.token);
    }
    return Number(n.value);
  }

  /** A 64-bit immediate written signed or unsigned, returned as its unsigned bit pattern. */
  imm64(): bigint {
    const n = this.number('a 64-bit immediate');
    if (n.value < -(2n ** 63n) || n.value >= 2n ** 64n) {
      this.fail(AsmErrorCode.IMM_RANGE, `immediate ${n.value} does not fit in 64 bits`, n.token);
    }
    return BigInt.asUintN(64, n.value);
  }

  /** `(rN)`, `(rN + 4)` or `(rN - 8)`; the base is always a 64-bit register. */
  address(): Address {
    this.expect('(');
    const base = this.wideRegister('the base register of an address');
    const offset = this.displacement();
    this.expect(')');
    return { base, offset };
  }

  /** The ` + N` / ` - N` after a base register (0 when absent). */
  displacement(): number {
    const sign = this.peek();
    if (sign?.text !== '+' && sign?.text !== '-') return 0;
    this.index++;
    const n = this.number('an offset');
    return this.fitOffset({ value: sign.text === '-' ? -n.value : n.value, token: sign }, 'offset');
  }

  /** `(u32 *)`: a pointer cast, as in `*(u32 *)(r1 + 4)` and `atomic_fetch_add((u32 *)...)`. */
  pointerCast(): Cast {
    this.expect('(');
    const t = this.next('a type such as u32');
    const type = TYPES[t.text];
    if (type === undefined) this.fail(AsmErrorCode.BAD_OPERAND, `expected a type (u8, u16, u32, u64, s8, s16, s32), found ${show(t)}`, t);
    this.expect('*');
    this.expect(')');
    return { ...type!, token: t };
  }

  /** `(s8)`: a value cast, as in `r0 = (s8)r1`. */
  valueCast(): Cast {
    this.expect('(');
    const t = this.next('a type such as s8');
    const type = TYPES[t.text];
    if (type === undefined) this.fail(AsmErrorCode.BAD_OPERAND, `expected a type (s8, s16, s32), found ${show(t)}`, t);
    this.expect(')');
    return { ...type!, token: t };
  }
}
