import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AsmError } from '../errors.js';
import { parseNumber, tokenize } from './lexer.js';

const texts = (source: string): string[][] => tokenize(source).map((s) => s.tokens.map((t) => t.text));

describe('tokenize', () => {
  it('splits pseudo-C into tokens with positions', () => {
    const [statement] = tokenize('  r0 = *(u32 *)(r1 + 4)');
    assert.deepEqual(statement!.tokens.map((t) => [t.kind, t.text, t.column]), [
      ['ident', 'r0', 3], ['punct', '=', 6], ['punct', '*', 8], ['punct', '(', 9], ['ident', 'u32', 10],
      ['punct', '*', 14], ['punct', ')', 15], ['punct', '(', 16], ['ident', 'r1', 17], ['punct', '+', 20],
      ['number', '4', 22], ['punct', ')', 23],
    ]);
    assert.deepEqual(statement!.end, { line: 1, column: 24 });
  });

  it('takes the longest operator, and `s` only as a prefix of one', () => {
    assert.deepEqual(texts('r1 s>>= 3\nif r1 s<= r2 goto s\nr1 <<= 1\ns: exit\ns> x'), [
      ['r1', 's>>=', '3'], ['if', 'r1', 's<=', 'r2', 'goto', 's'], ['r1', '<<=', '1'], ['s', ':', 'exit'], ['s>', 'x'],
    ]);
    assert.deepEqual(texts('if r1 s>= r2'), [['if', 'r1', 's>=', 'r2']]);
    assert.deepEqual(texts('labels>'), [['labels', '>']]);
  });

  it('keeps `#` glued between a name and a number, and comments otherwise', () => {
    assert.deepEqual(texts('call bpf_map_lookup_elem#1\ncall 1 #1\ncall 1#2\nexit# x\n#2\ncall f #3'), [
      ['call', 'bpf_map_lookup_elem', '#', '1'], ['call', '1'], ['call', '1'], ['exit'], ['call', 'f'],
    ]);
  });

  it('treats `;` as a comment at the start of a line and a separator elsewhere', () => {
    assert.deepEqual(texts('; int x = 0;\n\t; another\nexit; exit ;; exit'), [['exit'], ['exit'], ['exit']]);
  });

  it('counts lines through block comments', () => {
    const statements = tokenize('/* one\ntwo\nthree */ exit\n/**/exit');
    assert.deepEqual(statements.map((s) => [s.tokens[0]!.line, s.tokens[0]!.column]), [[3, 10], [4, 5]]);
  });

  it('handles CRLF line ends', () => {
    assert.deepEqual(tokenize('exit\r\n  exit\r\n').map((s) => [s.tokens[0]!.line, s.tokens[0]!.column]), [[1, 1], [2, 3]]);
  });

  it('rejects stray characters with their position', () => {
    assert.throws(() => tokenize('exit\n  r1 = `', 'x.s'), (err: unknown) =>
      err instanceof AsmError && err.message === "x.s:2:8: unexpected character '`'");
  });
});

describe('parseNumber', () => {
  it('reads the radixes llvm-mc reads', () => {
    assert.equal(parseNumber('0'), 0n);
    assert.equal(parseNumber('42'), 42n);
    assert.equal(parseNumber('0x7fffffff'), 0x7fffffffn);
    assert.equal(parseNumber('0XFFFFFFFFFFFFFFFF'), 0xffffffffffffffffn);
    assert.equal(parseNumber('0b1010'), 10n);
    assert.equal(parseNumber('017'), 15n);
    assert.equal(parseNumber('123456789012345678901234567890'), 123456789012345678901234567890n);
  });

  it('rejects malformed literals', () => {
    for (const bad of ['0x', '0b2', '08', '12ab', '1f', '0x1g']) assert.equal(parseNumber(bad), undefined, bad);
  });
});
