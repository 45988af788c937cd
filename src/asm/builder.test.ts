import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INSTRUCTION_FORMS, LddwSrc, encode, formOf, insn, lddw } from '../isa/index.js';
import {
  FP, R0, R1, R2, R3, R4, R5, R6, R10, Register, program, reg, type ProgramBuilder,
} from './builder.js';
import { assembleMnemonic } from './mnemonic/index.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('the example from the docs', () => {
  const insns = program().mov64(R0, 0).label('loop').add64(R0, R1).jlt(R1, 10, 'loop').exit().build();
  assert.deepEqual(insns, [
    insn(0xb7, 0, 0, 0, 0),
    insn(0x0f, 0, 1, 0, 0),
    insn(0xa5, 1, 0, -2, 10),
    insn(0x95, 0, 0, 0, 0),
  ]);
});

/** Each builder call next to the mnemonic text it must equal. */
const PAIRS: [(p: ProgramBuilder) => ProgramBuilder, string][] = [
  // arithmetic, immediate and register, both widths
  ...(['add', 'sub', 'mul', 'div', 'sdiv', 'mod', 'smod', 'or', 'and', 'xor', 'lsh', 'rsh', 'arsh', 'mov'] as const)
    .flatMap((op): [(p: ProgramBuilder) => ProgramBuilder, string][] => [
      [(p) => p[`${op}64`](R1, 7), `${op} %r1, 7`],
      [(p) => p[`${op}64`](R1, R2), `${op} %r1, %r2`],
      [(p) => p[`${op}32`](R3, -5), `${op}32 %r3, -5`],
      [(p) => p[`${op}32`](R3, R4), `${op}32 %r3, %r4`],
    ]),
  [(p) => p.neg64(R1), 'neg %r1'],
  [(p) => p.neg32(R1), 'neg32 %r1'],
  [(p) => p.movsx64(R0, R1, 8), 'movsx864 %r0, %r1'],
  [(p) => p.movsx64(R0, R1, 16), 'movsx1664 %r0, %r1'],
  [(p) => p.movsx64(R0, R1, 32), 'movsx3264 %r0, %r1'],
  [(p) => p.movsx32(R0, R1, 8), 'movsx832 %r0, %r1'],
  [(p) => p.movsx32(R0, R1, 16), 'movsx1632 %r0, %r1'],
  ...([16, 32, 64] as const).flatMap((n): [(p: ProgramBuilder) => ProgramBuilder, string][] => [
    [(p) => p[`le${n}`](R2), `le${n} %r2`],
    [(p) => p[`be${n}`](R2), `be${n} %r2`],
    [(p) => p[`bswap${n}`](R2), `bswap${n} %r2`],
  ]),
  // jumps, numeric and by label
  ...(['jeq', 'jne', 'jgt', 'jge', 'jlt', 'jle', 'jsgt', 'jsge', 'jslt', 'jsle', 'jset'] as const)
    .flatMap((op): [(p: ProgramBuilder) => ProgramBuilder, string][] => [
      [(p) => p[op](R1, 0x80000000, 1), `${op} %r1, 0x80000000, +1`],
      [(p) => p[op](R1, R2, 'here'), `${op} %r1, %r2, here`],
      [(p) => p[`${op}32`](R1, -1, 0), `${op}32 %r1, -1, +0`],
      [(p) => p[`${op}32`](R1, R2, 'here'), `${op}32 %r1, %r2, here`],
    ]),
  [(p) => p.ja('here'), 'ja here'],
  [(p) => p.ja(-1), 'ja -1'],
  [(p) => p.gotol('here'), 'ja32 here'],
  [(p) => p.ja32(3), 'ja32 +3'],
  [(p) => p.call(5), 'call 5'],
  [(p) => p.callLocal('here'), 'call local here'],
  [(p) => p.callKfunc(1234, 2), 'call kfunc 1234, 2'],
  [(p) => p.callx(R3), 'call %r3'],
  [(p) => p.exit(), 'exit'],
  // memory
  ...(['b', 'h', 'w', 'dw'] as const).flatMap((s): [(p: ProgramBuilder) => ProgramBuilder, string][] => [
    [(p) => p[`ldx${s}`](R0, R1, 4), `ldx${s} %r0, [%r1+4]`],
    [(p) => p[`st${s}`](R10, -8, 0x11), `st${s} [%r10-8], 0x11`],
    [(p) => p[`stx${s}`](FP, -16, R1), `stx${s} [%r10-16], %r1`],
  ]),
  [(p) => p.ldxsb(R0, R1), 'ldxsb %r0, [%r1]'],
  [(p) => p.ldxsh(R0, R1, -2), 'ldxsh %r0, [%r1-2]'],
  [(p) => p.ldxsw(R0, R1, 8), 'ldxsw %r0, [%r1+8]'],
  // atomics
  ...(['Add', 'Or', 'And', 'Xor'] as const).flatMap((op): [(p: ProgramBuilder) => ProgramBuilder, string][] => [
    [(p) => p[`atomic${op}64`](R10, -8, R1), `lock ${op.toLowerCase()} [%r10-8], %r1`],
    [(p) => p[`atomicFetch${op}64`](R10, -8, R1), `lock fetch ${op.toLowerCase()} [%r10-8], %r1`],
    [(p) => p[`atomic${op}32`](R10, -4, R1), `lock ${op.toLowerCase()}32 [%r10-4], %r1`],
    [(p) => p[`atomicFetch${op}32`](R10, -4, R1), `lock fetch ${op.toLowerCase()}32 [%r10-4], %r1`],
  ]),
  [(p) => p.atomicXchg64(R1, 0, R2), 'lock xchg [%r1], %r2'],
  [(p) => p.atomicCmpxchg64(R1, 0, R2), 'lock cmpxchg [%r1], %r2'],
  [(p) => p.atomicXchg32(R1, 0, R2), 'lock xchg32 [%r1], %r2'],
  [(p) => p.atomicCmpxchg32(R1, 0, R2), 'lock cmpxchg32 [%r1], %r2'],
  // 64-bit immediates and pseudo loads
  [(p) => p.lddw(R1, 0x1122334455667788n), 'lddw %r1, 0x1122334455667788'],
  [(p) => p.lddw(R1, -1), 'lddw %r1, -1'],
  [(p) => p.ldMap(R1, 'counts'), 'lddw %r1, counts'],
  [(p) => p.ldMap(R1, 2), 'lddw map_idx %r1, 2'],
  [(p) => p.ldMapValue(R1, 'counts', 8), 'lddw map_idx_value %r1, counts, 8'],
  [(p) => p.ldMapValue(R1, 1), 'lddw map_idx_value %r1, 1'],
  [(p) => p.ldMapFd(R1, 3), 'lddw map_fd %r1, 3'],
  [(p) => p.ldMapFdValue(R1, 3, 16), 'lddw map_value %r1, 3, 16'],
  [(p) => p.ldVarAddr(R1, 99), 'lddw var_addr %r1, 99'],
  [(p) => p.ldCodeAddr(R1, 'here'), 'lddw code_addr %r1, here'],
  // legacy packet loads
  [(p) => p.ldabsb(1), 'ldabsb 1'],
  [(p) => p.ldabsh(2), 'ldabsh 2'],
  [(p) => p.ldabsw(4), 'ldabsw 4'],
  [(p) => p.ldindb(R6, 1), 'ldindb %r6, 1'],
  [(p) => p.ldindh(R6, 2), 'ldindh %r6, 2'],
  [(p) => p.ldindw(R6, 4), 'ldindw %r6, 4'],
];

test('every builder method equals its mnemonic text, and every table form is reachable', () => {
  let b = program().label('here');
  for (const [call] of PAIRS) b = call(b);
  const text = 'here:\n' + PAIRS.map(([, t]) => t).join('\n');
  const built = b.link();
  const assembled = assembleMnemonic(text);
  assert.equal(built.insns.length, PAIRS.length);
  for (let k = 0; k < PAIRS.length; k++) {
    assert.deepEqual(built.insns[k], assembled.insns[k], PAIRS[k]![1]);
  }
  assert.equal(hex(encode(built.insns)), hex(encode(assembled.insns)));
  assert.deepEqual(built.maps, ['counts']);
  const reached = new Set(built.insns.map((i) => formOf(i)?.name));
  const missing = INSTRUCTION_FORMS.map((f) => f.name).filter((n) => !reached.has(n));
  assert.deepEqual(missing, []);
});

test('register versus immediate operand picks the opcode', () => {
  const [a, b, c, d] = program().add64(R1, 1).add64(R1, R1).jeq32(R2, 3, 0).jeq32(R2, R3, 0).build();
  assert.equal(a!.opcode, 0x07);
  assert.equal(b!.opcode, 0x0f);
  assert.equal(c!.opcode, 0x16);
  assert.equal(d!.opcode, 0x1e);
});

test('labels count lddw as two slots, and may stand at the end', () => {
  const insns = program()
    .label('top').lddw(R1, 1n).ja('end').jne(R1, 0, 'top').callLocal('top').gotol('end').label('end').build();
  assert.equal(insns[1]!.offset, 3); // pc 2 -> pc 6
  assert.equal(insns[2]!.offset, -4); // pc 3 -> pc 0
  assert.equal(insns[3]!.imm, -5);
  assert.equal(insns[4]!.imm, 0);
});

test('map names resolve through link options', () => {
  const p = program().ldMap(R1, 'b').ldMapValue(R2, 'a', 4).exit();
  assert.deepEqual(p.build({ maps: ['a', 'b'] }).slice(0, 2), [lddw(1, 1n, LddwSrc.MAP_IDX), lddw(2, (4n << 32n) | 0n, LddwSrc.MAP_IDX_VALUE)]);
  assert.throws(() => p.build({ maps: ['a'], strictMaps: true }), { code: 'EBEE_ASM_UNKNOWN_MAP', message: /^<builder>:1:1: / });
});

test('typed errors with the instruction position', () => {
  assert.throws(() => program().mov64(R0, 0).ja('nowhere').build(),
    { code: 'EBEE_ASM_UNDEFINED_LABEL', message: /^<builder>:2:1: label 'nowhere'/ });
  assert.throws(() => program().label('a').exit().label('a'), { code: 'EBEE_ASM_DUPLICATE_LABEL', message: /^<builder>:2:1: / });
  assert.throws(() => program().mov64(R0, 0x100000000), { code: 'EBEE_ASM_IMM_RANGE', message: /^<builder>:1:1: / });
  assert.throws(() => program().mov32(R0, 1.5), { code: 'EBEE_ASM_IMM_RANGE' });
  assert.throws(() => program().exit().ldxw(R0, R1, 0x8000), { code: 'EBEE_ASM_OFFSET_RANGE', message: /^<builder>:2:1: / });
  assert.throws(() => program().ja(-0x8001), { code: 'EBEE_ASM_OFFSET_RANGE' });
  assert.throws(() => program().gotol(0x80000000), { code: 'EBEE_ASM_IMM_RANGE' });
  assert.throws(() => program().lddw(R0, 1n << 64n), { code: 'EBEE_ASM_IMM_RANGE' });
  assert.throws(() => program().lddw(R0, 2 ** 60), { code: 'EBEE_ASM_IMM_RANGE', message: /bigint/ });
  assert.throws(() => program().callKfunc(1, 0x8000), { code: 'EBEE_ASM_OFFSET_RANGE' });
  // Plain numbers where registers belong, from untyped callers.
  assert.throws(() => program().mov64(1 as unknown as Register, 0), { code: 'EBEE_ASM_BAD_OPERAND' });
  assert.throws(() => reg(11), { code: 'EBEE_ASM_BAD_OPERAND', message: /r11/ });
});

test('reg(n) returns the shared register objects', () => {
  assert.equal(reg(5), R5);
  assert.equal(reg(10), FP);
  assert.equal(String(R10), 'r10');
});

test('raw appends an instruction unchanged, and builders are reusable', () => {
  const odd = insn(0x07, 1, 0, 0, 1);
  const p = program().raw(odd);
  assert.deepEqual(p.build(), [odd]);
  p.exit();
  assert.equal(p.build().length, 2);
  assert.equal(p.parsed().items.length, 2);
});
