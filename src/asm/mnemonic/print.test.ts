import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  INSTRUCTION_FORMS, decode, encode, insn, lddw, LDDW_OPCODE, LddwSrc, type Instruction, type InsnForm,
} from '../../isa/index.js';
import { assembleMnemonic, disassembleMnemonic, printMnemonic } from './index.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const IMMS = [0, 1, -1, 5, 0xfff, 0x1000, -0x1000, 0x7fffffff, -0x80000000, 0x12345678, -0x12345678];
const OFFSETS = [0, 1, -1, 8, -8, 0x7fff, -0x8000];
const IMM64S = [0n, 1n, 0xfffn, 0x1000n, 0x1122334455667788n, 0xffffffffffffffffn, 0x8000000000000000n, 0xffffffffn, 0x100000000n];

/** Instances of a form covering the extremes of every free field. */
function samples(form: InsnForm): Instruction[] {
  const fix = (rule: InsnForm['dst'], free: readonly number[]): readonly number[] =>
    typeof rule === 'object' ? [rule.exact] : rule === 'zero' ? [0] : free;
  if (form.opcode === LDDW_OPCODE) {
    const src = typeof form.src === 'object' ? form.src.exact : 0;
    return IMM64S.map((v, k) => lddw(k % 11, v, src));
  }
  const out: Instruction[] = [];
  const dsts = fix(form.dst, [0, 10]);
  const srcs = fix(form.src, [0, 9]);
  for (const dst of dsts) {
    for (const src of srcs) {
      for (const offset of fix(form.offset, OFFSETS)) {
        for (const imm of fix(form.imm, IMMS)) out.push(insn(form.opcode, dst, src, offset, imm));
      }
    }
  }
  return out;
}

test('every form prints to text that assembles to the same bytes', () => {
  let count = 0;
  for (const form of INSTRUCTION_FORMS) {
    for (const sample of samples(form)) {
      const bytes = encode([sample]);
      const [decoded] = decode(bytes);
      const text = printMnemonic(decoded!);
      const again = encode(assembleMnemonic(text).insns);
      assert.equal(hex(again), hex(bytes), `${form.name}: '${text}'`);
      count++;
    }
  }
  assert.ok(count > INSTRUCTION_FORMS.length);
});

test('every form name is the printed mnemonic (callx and lddw shorthand aside)', () => {
  for (const form of INSTRUCTION_FORMS) {
    const [sample] = samples(form);
    const text = printMnemonic(sample!);
    assert.ok(text === form.name || text.startsWith(form.name + ' '), `${form.name}: '${text}'`);
  }
});

test('printing chooses readable number formats', () => {
  assert.equal(printMnemonic(insn(0xb7, 0, 0, 0, -1)), 'mov %r0, -1');
  assert.equal(printMnemonic(insn(0xb7, 0, 0, 0, 0x80000000)), 'mov %r0, -0x80000000');
  assert.equal(printMnemonic(insn(0xb4, 1, 0, 0, 0xffff0000)), 'mov32 %r1, 0xffff0000');
  assert.equal(printMnemonic(insn(0x56, 1, 0, 3, 0x80000000)), 'jne32 %r1, 0x80000000, +3');
  assert.equal(printMnemonic(insn(0x15, 1, 0, -2, 0)), 'jeq %r1, 0, -2');
  assert.equal(printMnemonic(insn(0x61, 0, 1, 4, 0)), 'ldxw %r0, [%r1+4]');
  assert.equal(printMnemonic(insn(0x7b, 10, 1, -8, 0)), 'stxdw [%r10-8], %r1');
  assert.equal(printMnemonic(insn(0x72, 1, 0, 0, 0x11)), 'stb [%r1], 17');
  assert.equal(printMnemonic(lddw(0, 0x1122334455667788n)), 'lddw %r0, 0x1122334455667788');
  assert.equal(printMnemonic(insn(0xdb, 10, 1, -8, 0x01)), 'lock fetch add [%r10-8], %r1');
  assert.equal(printMnemonic(insn(0xc3, 10, 1, -4, 0xf1)), 'lock cmpxchg32 [%r10-4], %r1');
  assert.equal(printMnemonic(insn(0x8d, 2, 0, 0, 0)), 'callx %r2');
  assert.equal(printMnemonic(insn(0x85, 0, 1, 0, 3)), 'call local +3');
  assert.equal(printMnemonic(insn(0x06, 0, 0, 0, -7)), 'ja32 -7');
  assert.equal(printMnemonic(insn(0x20, 0, 0, 0, 12)), 'ldabsw 12');
  assert.equal(printMnemonic(insn(0x48, 0, 3, 0, 2)), 'ldindh %r3, 2');
  assert.equal(printMnemonic(insn(0xbf, 0, 1, 16, 0)), 'movsx1664 %r0, %r1');
  assert.equal(printMnemonic(insn(0xd7, 0, 0, 0, 32)), 'bswap32 %r0');
});

test('lddw pseudo forms print their second slot only when it is set', () => {
  assert.equal(printMnemonic(lddw(1, 3n, LddwSrc.MAP_FD)), 'lddw map_fd %r1, 3');
  assert.equal(printMnemonic(lddw(1, (16n << 32n) | 3n, LddwSrc.MAP_VALUE)), 'lddw map_value %r1, 3, 16');
  assert.equal(printMnemonic(lddw(1, 0n, LddwSrc.MAP_IDX), { maps: ['counts'] }), 'lddw %r1, counts');
  assert.equal(printMnemonic(lddw(1, 8n << 32n, LddwSrc.MAP_IDX_VALUE), { maps: ['counts'] }),
    'lddw map_idx_value %r1, counts, 8');
  assert.equal(printMnemonic(lddw(1, 4n, LddwSrc.MAP_IDX), { maps: ['counts'] }), 'lddw map_idx %r1, 4');
});

test('a disassembled program with labels re-assembles to the same bytes', () => {
  const source = [
    'mov %r0, 0',
    'lddw %r2, 0x100000000',
    'top:',
    'add %r0, 1',
    'lddw code_addr %r3, fn',
    'jlt %r0, 10, top',
    'ja32 end',
    'call local fn',
    'ja -1',
    'end:',
    'exit',
    'fn:',
    'mov %r0, 7',
    'jeq %r0, 7, +100', // outside the program: stays numeric
    'exit',
    'after:',
  ].join('\n');
  const first = assembleMnemonic(source);
  const text = disassembleMnemonic(first.insns, { labels: true });
  assert.match(text, /^L3:$/m);
  assert.match(text, /call local L\d+/);
  assert.match(text, /jeq %r0, 7, \+100/);
  const again = assembleMnemonic(text);
  assert.equal(hex(encode(again.insns)), hex(encode(first.insns)));
  // Without labels every target is numeric and still round-trips.
  const plain = disassembleMnemonic(first.insns);
  assert.doesNotMatch(plain, /:/);
  assert.equal(hex(encode(assembleMnemonic(plain).insns)), hex(encode(first.insns)));
});

test('a jump to the end of the program gets a label after the last instruction', () => {
  const insns = [insn(0x05, 0, 0, 1, 0), insn(0x95, 0, 0, 0, 0)];
  const text = disassembleMnemonic(insns, { labels: true });
  assert.equal(text, 'ja L2\nexit\nL2:\n');
  assert.deepEqual(assembleMnemonic(text).insns, insns);
});

test('map names survive a disassembly round trip', () => {
  const program = assembleMnemonic('lddw %r1, b\nlddw map_idx_value %r2, a, 4\nexit', { maps: ['a'] });
  assert.deepEqual(program.maps, ['a', 'b']);
  const text = disassembleMnemonic(program.insns, { maps: program.maps });
  assert.equal(text, 'lddw %r1, b\nlddw map_idx_value %r2, a, 4\nexit\n');
  assert.deepEqual(assembleMnemonic(text, { maps: program.maps }).insns, program.insns);
});

test('an instruction no form describes is a typed error', () => {
  assert.throws(() => printMnemonic(insn(0xff, 0, 0, 0, 0)), { code: 'EBEE_ISA_UNKNOWN_OPCODE' });
});
