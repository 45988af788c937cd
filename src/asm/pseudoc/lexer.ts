/**
 * Tokens of the pseudo-C dialect, grouped into statements.
 *
 * Statements end at a newline or at a `;` in the middle of a line (llvm-mc treats `;`
 * as a statement separator, so `w1 = w2; w2 = w3` is two instructions). A `;` that
 * starts a line is a comment instead: the kernel's verifier log and `llvm-objdump -S`
 * print source lines that way, and pasting them should work.
 *
 * Comments: `#` and `//` to the end of the line, `/* ... *\/` anywhere (it may span
 * lines and acts as whitespace). The one exception is `#` glued between a name and a
 * digit, as in the verifier log's `call bpf_map_lookup_elem#1`: there it is a token.
 *
 * Numbers follow llvm-mc: decimal, `0x` hex, `0b` binary, and a leading `0` means
 * octal. The lexer keeps the magnitude as a bigint; signs are the parser's business.
 */
import type { SourceLocation } from '../../errors.js';
import { AsmError, AsmErrorCode } from '../errors.js';

export type TokenKind = 'ident' | 'number' | 'punct';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** The value of a number token (0n for the other kinds). */
  readonly value: bigint;
  readonly line: number;
  readonly column: number;
}

export interface Statement {
  /** Never empty. */
  readonly tokens: readonly Token[];
  /** Where the statement ends (for "unexpected end of statement" errors). */
  readonly end: { readonly line: number; readonly column: number };
}

/** Longest first, so the scanner can take the first match. */
const PUNCTUATORS = [
  's>>=', '<<=', '>>=', 's>=', 's<=', 's/=', 's%=',
  's>', 's<', '+=', '-=', '*=', '/=', '%=', '|=', '&=', '^=', '==', '!=', '>=', '<=',
  '>', '<', '=', '+', '-', '*', '&', '(', ')', '[', ']', ',', ':', '#',
] as const;

const isIdentStart = (c: string): boolean => /[A-Za-z_.$]/.test(c);
const isIdentPart = (c: string): boolean => /[A-Za-z0-9_.$]/.test(c);
const isDigit = (c: string): boolean => c >= '0' && c <= '9';

/** Splits source text into statements of tokens. Throws `AsmError` SYNTAX on bad characters. */
export function tokenize(text: string, file?: string): Statement[] {
  const statements: Statement[] = [];
  let tokens: Token[] = [];
  let line = 1;
  let lineStart = 0;
  let i = 0;
  /** True while only whitespace has been seen on the current line. */
  let atLineStart = true;

  const location = (at: number): SourceLocation =>
    file === undefined ? { line, column: at - lineStart + 1 } : { line, column: at - lineStart + 1, file };
  const fail = (message: string, at: number): never => {
    throw new AsmError(AsmErrorCode.SYNTAX, message, location(at));
  };
  const endStatement = (at: number): void => {
    if (tokens.length > 0) statements.push({ tokens, end: { line, column: at - lineStart + 1 } });
    tokens = [];
  };
  const push = (kind: TokenKind, start: number, end: number, value = 0n): void => {
    tokens.push({ kind, text: text.slice(start, end), value, line, column: start - lineStart + 1 });
    atLineStart = false;
  };

  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      endStatement(i);
      i++;
      line++;
      lineStart = i;
      atLineStart = true;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      if (close < 0) fail("unterminated '/*' comment", i);
      // Keep line numbers right across a multi-line comment.
      for (let k = i; k < close; k++) {
        if (text[k] === '\n') {
          line++;
          lineStart = k + 1;
        }
      }
      i = close + 2;
      continue;
    }
    const last = tokens[tokens.length - 1];
    const gluedHash = c === '#' && last?.kind === 'ident' && last.line === line && last.column + last.text.length === i - lineStart + 1 &&
      isDigit(text[i + 1] ?? '');
    if ((c === '#' && !gluedHash) || (c === '/' && text[i + 1] === '/') || (c === ';' && atLineStart)) {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === ';') {
      endStatement(i);
      i++;
      continue;
    }
    if (isDigit(c)) {
      let end = i;
      while (end < text.length && isIdentPart(text[end]!)) end++;
      push('number', i, end, parseNumber(text.slice(i, end)) ?? fail(`bad number '${text.slice(i, end)}'`, i));
      i = end;
      continue;
    }
    // `s>`, `s<=`, `s/=`, ... are operators only where `s` stands alone.
    const signedOp = c === 's' && /[<>/%]/.test(text[i + 1] ?? '') && !(i > 0 && isIdentPart(text[i - 1]!));
    if (isIdentStart(c) && !signedOp) {
      let end = i + 1;
      while (end < text.length && isIdentPart(text[end]!)) end++;
      push('ident', i, end);
      i = end;
      continue;
    }
    const op = PUNCTUATORS.find((p) => text.startsWith(p, i));
    if (op === undefined) fail(`unexpected character '${c}'`, i);
    push('punct', i, i + op!.length);
    i += op!.length;
  }
  endStatement(i);
  return statements;
}

/** Parses an unsigned literal the way llvm-mc does, or undefined when it is malformed. */
export function parseNumber(literal: string): bigint | undefined {
  let digits: string;
  let radix: 2 | 8 | 10 | 16;
  if (/^0[xX]/.test(literal)) {
    digits = literal.slice(2);
    radix = 16;
  } else if (/^0[bB]/.test(literal)) {
    digits = literal.slice(2);
    radix = 2;
  } else if (literal.length > 1 && literal.startsWith('0')) {
    digits = literal.slice(1);
    radix = 8;
  } else {
    digits = literal;
    radix = 10;
  }
  const pattern = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ }[radix];
  if (!pattern.test(digits)) return undefined;
  const prefix = { 2: '0b', 8: '0o', 10: '', 16: '0x' }[radix];
  return BigInt(prefix + digits);
}
