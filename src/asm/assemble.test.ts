import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AsmError, AsmErrorCode, assemble, detectDialect, disassemble } from './index.js';
import { IsaError, IsaErrorCode } from '../isa/index.js';

const invalid = (code: string, line: number) => (e: unknown): boolean =>
  e instanceof AsmError && e.code === AsmErrorCode.INVALID_PROGRAM && e.location?.line === line &&
  e.cause instanceof IsaError && e.cause.code === code;

test('assemble reports structural errors at their source line', () => {
  assert.throws(() => assemble('r0 = 0\nr10 = 1\nexit\n'), invalid(IsaErrorCode.WRITE_R10, 2));
  assert.throws(() => assemble('r0 = 0\nexit\ngoto +5\n'), invalid(IsaErrorCode.JUMP_OUT_OF_RANGE, 3));
  assert.throws(() => assemble('goto +1\nr0 = 1 ll\nexit\n'), invalid(IsaErrorCode.JUMP_INTO_LDDW, 1));
  assert.throws(() => assemble('mov %r10, 1\nexit\n', { dialect: 'mnemonic', file: 'x.asm' }),
    (e: unknown) => e instanceof AsmError && /^x\.asm:1:\d+: insn 0: r10/.test(e.message));
});

test('the dialect is detected from %r registers', () => {
  assert.equal(detectDialect('mov %r0, 1\nexit'), 'mnemonic');
  assert.equal(detectDialect('r0 = 1 # not %r0 here\nexit'), 'pseudo-c');
});

test('both dialects assemble the same program to the same instructions', () => {
  const a = assemble('r0 = 5\nr0 += r1\nif r0 > 3 goto +1\nr0 = 0\nexit\n');
  const b = assemble('mov %r0, 5\nadd %r0, %r1\njgt %r0, 3, +1\nmov %r0, 0\nexit\n', { dialect: 'mnemonic' });
  assert.deepEqual(a.insns, b.insns);
  assert.equal(disassemble(a.insns, { dialect: 'mnemonic' }), disassemble(b.insns, { dialect: 'mnemonic' }));
});
