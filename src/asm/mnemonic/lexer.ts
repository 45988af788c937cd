/**
 * Line-level lexing for the mnemonic dialect: comment stripping, tokens with their
 * 1-based columns, and the comma-separated operand shapes every instruction is built
 * from. Nothing here knows which instruction takes which operands (see `parse.ts`).
 */
import type { SourceLocation } from '../../errors.js';
import { MAX_REG } from '../../isa/index.js';
import { AsmError, AsmErrorCode } from '../errors.js';

export type TokenKind = 'word' | 'reg' | 'num' | 'punct';

export interface Token {
  readonly kind: TokenKind;
  /** The text as written. */
  readonly text: string;
  /** 1-based column of the first character. */
  readonly column: number;
  /** `num`: the unsigned magnitude. `reg`: the register number. */
  readonly value: bigint;
}

/** Where the current line is, so every error can name its line and column. */
export interface LineContext {
  readonly line: number;
  readonly file: string | undefined;
}

export function locate(ctx: LineContext, column: number): SourceLocation {
  return ctx.file === undefined ? { line: ctx.line, column } : { line: ctx.line, column, file: ctx.file };
}

/**
 * The text before the first comment marker. `#` is the suite's comment; `;` and `//`
 * are accepted too because no operand of this dialect can contain them.
 */
export function stripComment(line: string): string {
  let end = line.length;
  for (const marker of ['#', ';', '//']) {
    const at = line.indexOf(marker);
    if (at >= 0 && at < end) end = at;
  }
  return line.slice(0, end);
}

const WORD_START = /[A-Za-z_.$]/;
const WORD_CHAR = /[A-Za-z0-9_.$]/;
const PUNCT = new Set([',', '[', ']', '+', '-', ':']);

/** Splits one comment-free line into tokens. */
export function tokenize(text: string, ctx: LineContext): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\f' || ch === '\v') {
      i++;
      continue;
    }
    const column = i + 1;
    if (PUNCT.has(ch)) {
      tokens.push({ kind: 'punct', text: ch, column, value: 0n });
      i++;
    } else if (ch === '%') {
      let j = i + 1;
      while (j < text.length && WORD_CHAR.test(text[j]!)) j++;
      const word = text.slice(i, j);
      tokens.push({ kind: 'reg', text: word, column, value: BigInt(registerNumber(word, column, ctx)) });
      i = j;
    } else if (ch >= '0' && ch <= '9') {
      let j = i;
      while (j < text.length && WORD_CHAR.test(text[j]!)) j++;
      const word = text.slice(i, j);
      tokens.push({ kind: 'num', text: word, column, value: parseMagnitude(word, column, ctx) });
      i = j;
    } else if (WORD_START.test(ch)) {
      let j = i;
      while (j < text.length && WORD_CHAR.test(text[j]!)) j++;
      tokens.push({ kind: 'word', text: text.slice(i, j), column, value: 0n });
      i = j;
    } else {
      throw new AsmError(AsmErrorCode.SYNTAX, `unexpected character '${ch}'`, locate(ctx, column));
    }
  }
  return tokens;
}

function registerNumber(word: string, column: number, ctx: LineContext): number {
  const m = /^%r(\d+)$/i.exec(word);
  if (!m) throw new AsmError(AsmErrorCode.BAD_OPERAND, `'${word}' is not a register (%r0-%r10)`, locate(ctx, column));
  const n = Number(m[1]);
  if (n > MAX_REG) {
    throw new AsmError(AsmErrorCode.BAD_OPERAND, `register ${word} does not exist (%r0-%r10)`, locate(ctx, column));
  }
  return n;
}

function parseMagnitude(word: string, column: number, ctx: LineContext): bigint {
  if (/^0x[0-9a-f]+$/i.test(word) || /^[0-9]+$/.test(word)) return BigInt(word);
  throw new AsmError(AsmErrorCode.SYNTAX, `'${word}' is not a number`, locate(ctx, column));
}

/** One operand, classified by shape only. */
export type Operand =
  | { readonly kind: 'reg'; readonly reg: number; readonly column: number }
  /** A number, with its sign applied; `signed` records an explicit `+` or `-`. */
  | { readonly kind: 'num'; readonly value: bigint; readonly signed: boolean; readonly column: number }
  | { readonly kind: 'name'; readonly name: string; readonly column: number }
  | {
    readonly kind: 'mem'; readonly base: number; readonly offset: bigint;
    readonly column: number; readonly offsetColumn: number;
  };

/**
 * Splits the tokens after the mnemonic at top-level commas and classifies each group;
 * an empty group (`add %r1,`) is a missing operand, reported where it should start.
 */
export function parseOperands(tokens: readonly Token[], ctx: LineContext): Operand[] {
  const operands: Operand[] = [];
  let group: Token[] = [];
  let depth = 0;
  let groupColumn = tokens[0]?.column ?? 1;
  for (const t of tokens) {
    if (t.kind === 'punct' && t.text === '[') depth++;
    if (t.kind === 'punct' && t.text === ']') depth--;
    if (t.kind === 'punct' && t.text === ',' && depth === 0) {
      operands.push(classify(group, groupColumn, ctx));
      group = [];
      groupColumn = t.column + 1;
      continue;
    }
    group.push(t);
  }
  if (tokens.length > 0) operands.push(classify(group, groupColumn, ctx));
  return operands;
}

function classify(group: readonly Token[], column: number, ctx: LineContext): Operand {
  const [a, b, c, d, e] = group;
  if (!a) throw new AsmError(AsmErrorCode.BAD_OPERAND, 'missing operand', locate(ctx, column));
  if (group.length === 1) {
    if (a.kind === 'reg') return { kind: 'reg', reg: Number(a.value), column: a.column };
    if (a.kind === 'num') return { kind: 'num', value: a.value, signed: false, column: a.column };
    if (a.kind === 'word') {
      if (/^r\d+$/i.test(a.text)) {
        throw new AsmError(AsmErrorCode.BAD_OPERAND, `registers are written %${a.text} in this dialect`,
          locate(ctx, a.column));
      }
      return { kind: 'name', name: a.text, column: a.column };
    }
  }
  if (group.length === 2 && a.kind === 'punct' && (a.text === '+' || a.text === '-') && b?.kind === 'num') {
    return { kind: 'num', value: a.text === '-' ? -b.value : b.value, signed: true, column: a.column };
  }
  if (a.kind === 'punct' && a.text === '[') {
    // [%rN], [%rN+off], [%rN-off]
    if (b?.kind === 'reg') {
      if (group.length === 3 && c?.text === ']') {
        return { kind: 'mem', base: Number(b.value), offset: 0n, column: a.column, offsetColumn: b.column };
      }
      if (group.length === 5 && c?.kind === 'punct' && (c.text === '+' || c.text === '-') &&
          d?.kind === 'num' && e?.text === ']') {
        return {
          kind: 'mem', base: Number(b.value), offset: c.text === '-' ? -d.value : d.value,
          column: a.column, offsetColumn: c.column,
        };
      }
    }
    throw new AsmError(AsmErrorCode.SYNTAX, 'memory operand must look like [%rN], [%rN+off] or [%rN-off]',
      locate(ctx, a.column));
  }
  throw new AsmError(AsmErrorCode.SYNTAX,
    `cannot parse operand '${group.map((t) => t.text).join(' ')}'`, locate(ctx, a.column));
}
