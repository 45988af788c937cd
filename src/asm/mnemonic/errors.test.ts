import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AsmError } from '../errors.js';
import { assembleMnemonic } from './index.js';

/** Asserts that `text` fails with `code` at `line:column`. */
function fails(text: string, code: string, line: number, column: number, message?: RegExp): void {
  let caught: unknown;
  try {
    assembleMnemonic(text);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof AsmError, `${JSON.stringify(text)} should throw an AsmError, got ${String(caught)}`);
  assert.equal(caught.code, code, `${JSON.stringify(text)}: ${caught.message}`);
  assert.deepEqual([caught.location?.line, caught.location?.column], [line, column], `${JSON.stringify(text)}: ${caught.message}`);
  assert.ok(caught.message.startsWith(`${line}:${column}: `), caught.message);
  if (message) assert.match(caught.message, message);
}

const SYNTAX = 'EBEE_ASM_SYNTAX';
const UNKNOWN = 'EBEE_ASM_UNKNOWN_MNEMONIC';
const OPERAND = 'EBEE_ASM_BAD_OPERAND';
const IMM = 'EBEE_ASM_IMM_RANGE';
const OFFSET = 'EBEE_ASM_OFFSET_RANGE';

test('unknown mnemonics', () => {
  fails('mov %r0, 0\n  foo %r0, 1', UNKNOWN, 2, 3, /'foo'/);
  fails('lock nand [%r1], %r2', UNKNOWN, 1, 1, /'lock nand'/);
  fails('lock', UNKNOWN, 1, 1);
  fails('add64 %r0, 1', UNKNOWN, 1, 1);
  fails('call local', OPERAND, 1, 11, /missing operand/);
});

test('bad registers and operand kinds', () => {
  fails('mov %r11, 1', OPERAND, 1, 5, /%r11 does not exist/);
  fails('mov %r0, %x1', OPERAND, 1, 10);
  fails('mov r0, 1', OPERAND, 1, 5, /%r0/);
  fails('mov 1, %r0', OPERAND, 1, 5, /register as operand 1/);
  fails('mov %r0, [%r1]', OPERAND, 1, 10);
  fails('movsx1664 %r0, 5', OPERAND, 1, 16, /register/);
  fails('ldxw %r0, %r1', OPERAND, 1, 11, /memory reference/);
  fails('stxw [%r1], 4', OPERAND, 1, 13, /register/);
  fails('call foo', OPERAND, 1, 6, /call local/);
  fails('jeq %r1, 0, %r2', OPERAND, 1, 13, /label or a relative distance/);
  fails('lddw code_addr %r1, [%r2]', OPERAND, 1, 21, /label/);
  fails('ldabsw %r1', OPERAND, 1, 8);
});

test('missing and extra operands', () => {
  fails('mov %r0', OPERAND, 1, 8, /missing operand/);
  fails('add %r1,', OPERAND, 1, 9, /missing operand/);
  fails('add %r1, , 2', OPERAND, 1, 9, /missing operand/);
  fails('mov %r0, 1, 2', OPERAND, 1, 13, /extra operand/);
  fails('exit %r0', OPERAND, 1, 6, /extra operand/);
  fails('neg %r0, 1', OPERAND, 1, 10, /extra operand/);
  fails('jeq %r1, 0', OPERAND, 1, 11, /missing operand/);
  fails('lddw map_value %r1, 1, 2, 3', OPERAND, 1, 27, /extra operand/);
});

test('immediates out of range', () => {
  fails('mov %r0, 0x100000000', IMM, 1, 10);
  fails('mov %r0, -0x80000001', IMM, 1, 10);
  fails('jeq %r1, 4294967296, +1', IMM, 1, 10);
  fails('call 0x1ffffffff', IMM, 1, 6);
  fails('lddw %r0, 0x10000000000000000', IMM, 1, 11);
  fails('lddw %r0, -0x8000000000000001', IMM, 1, 11);
  fails('ja32 0x80000000', IMM, 1, 6);
  fails('stw [%r1], 0x100000000', IMM, 1, 12);
});

test('offsets out of range', () => {
  fails('ldxw %r0, [%r1+32768]', OFFSET, 1, 15);
  fails('stxw [%r1-0x8001], %r2', OFFSET, 1, 10);
  fails('ja +32768', OFFSET, 1, 4);
  fails('jeq %r1, 0, -32769', OFFSET, 1, 13);
  fails('call kfunc 1, 0x8000', OFFSET, 1, 15);
});

test('syntax errors', () => {
  fails('mov %r0, @', SYNTAX, 1, 10, /unexpected character/);
  fails('mov %r0, 12ab', SYNTAX, 1, 10, /not a number/);
  fails('ldxw %r0, [%r1+]', SYNTAX, 1, 11, /memory operand/);
  fails('ldxw %r0, [%r1+4', SYNTAX, 1, 11);
  fails('mov %r0, 1 2', SYNTAX, 1, 10);
  fails(': exit', SYNTAX, 1, 1);
});

test('label errors', () => {
  fails('jeq %r0, 0, nowhere\nexit', 'EBEE_ASM_UNDEFINED_LABEL', 1, 1, /'nowhere'/);
  fails('a:\nexit\n  a: exit', 'EBEE_ASM_DUPLICATE_LABEL', 3, 3, /line 1/);
  fails('ja exit', 'EBEE_ASM_UNDEFINED_LABEL', 1, 1);
});

test('messages name the file when given one', () => {
  assert.throws(() => assembleMnemonic('\nbad', { file: 'prog.s', firstLine: 7 }),
    { code: UNKNOWN, message: /^prog\.s:8:1: / });
});
