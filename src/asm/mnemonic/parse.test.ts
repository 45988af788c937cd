import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encode, insn, lddw, LddwSrc, type Instruction } from '../../isa/index.js';
import { link } from '../link.js';
import { assembleMnemonic, parseMnemonic } from './index.js';

const one = (text: string): Instruction => {
  const { insns } = assembleMnemonic(text);
  assert.equal(insns.length, 1, text);
  return insns[0]!;
};

test('each instruction shape assembles to the expected fields', () => {
  const cases: [string, Instruction][] = [
    ['mov %r0, 1', insn(0xb7, 0, 0, 0, 1)],
    ['mov %r0, %r9', insn(0xbf, 0, 9, 0, 0)],
    ['mov32 %r0, 0xffffffff', insn(0xb4, 0, 0, 0, -1)],
    ['add32 %r1, %r2', insn(0x0c, 1, 2, 0, 0)],
    ['add %r0, -3', insn(0x07, 0, 0, 0, -3)],
    ['sub %r0, -0x1', insn(0x17, 0, 0, 0, -1)],
    ['sdiv %r0, %r1', insn(0x3f, 0, 1, 1, 0)],
    ['smod32 %r0, 3', insn(0x94, 0, 0, 1, 3)],
    ['div %r5, 0x80000000', insn(0x37, 5, 0, 0, -0x80000000)],
    ['neg %r0', insn(0x87, 0, 0, 0, 0)],
    ['neg32 %r3', insn(0x84, 3, 0, 0, 0)],
    ['movsx1664 %r0, %r1', insn(0xbf, 0, 1, 16, 0)],
    ['movsx832 %r0, %r1', insn(0xbc, 0, 1, 8, 0)],
    ['be16 %r0', insn(0xdc, 0, 0, 0, 16)],
    ['le32 %r0', insn(0xd4, 0, 0, 0, 32)],
    ['bswap64 %r0', insn(0xd7, 0, 0, 0, 64)],
    ['swap16 %r0', insn(0xd7, 0, 0, 0, 16)],
    ['ldxw %r0, [%r1+4]', insn(0x61, 0, 1, 4, 0)],
    ['ldxb %r0, [%r1+0x2]', insn(0x71, 0, 1, 2, 0)],
    ['ldxsb %r0, [%r1]', insn(0x91, 0, 1, 0, 0)],
    ['ldxsw %r2, [%r10-4]', insn(0x81, 2, 10, -4, 0)],
    ['stxdw [%r10-8], %r1', insn(0x7b, 10, 1, -8, 0)],
    ['stw [%r1+2], 5', insn(0x62, 1, 0, 2, 5)],
    ['sth [%r10-2], 0x8001', insn(0x6a, 10, 0, -2, 0x8001)],
    ['stw [%r10-4], 0x80000001', insn(0x62, 10, 0, -4, -0x7fffffff)],
    ['lock add [%r10-8], %r1', insn(0xdb, 10, 1, -8, 0x00)],
    ['lock fetch add32 [%r10-8], %r1', insn(0xc3, 10, 1, -8, 0x01)],
    ['lock fetch xor [%r10-8], %r3', insn(0xdb, 10, 3, -8, 0xa1)],
    ['lock xchg [%r1], %r2', insn(0xdb, 1, 2, 0, 0xe1)],
    ['lock cmpxchg32 [%r1], %r2', insn(0xc3, 1, 2, 0, 0xf1)],
    ['jeq %r1, 0, +3', insn(0x15, 1, 0, 3, 0)],
    ['jne %r1, 0x80000000, +1', insn(0x55, 1, 0, 1, -0x80000000)],
    ['jsgt32 %r1, %r2, -1', insn(0x6e, 1, 2, -1, 0)],
    ['jset %r1, 1, 2', insn(0x45, 1, 0, 2, 1)],
    ['ja +1', insn(0x05, 0, 0, 1, 0)],
    ['ja32 -2', insn(0x06, 0, 0, 0, -2)],
    ['call 5', insn(0x85, 0, 0, 0, 5)],
    ['call %r2', insn(0x8d, 2, 0, 0, 0)],
    ['callx %r3', insn(0x8d, 3, 0, 0, 0)],
    ['call local +4', insn(0x85, 0, 1, 0, 4)],
    ['call kfunc 1234, 2', insn(0x85, 0, 2, 2, 1234)],
    ['exit', insn(0x95, 0, 0, 0, 0)],
    ['ldabsw 4', insn(0x20, 0, 0, 0, 4)],
    ['ldabsb 0x10', insn(0x30, 0, 0, 0, 16)],
    ['ldindh %r1, 2', insn(0x48, 0, 1, 0, 2)],
    ['lddw %r1, 0x1122334455667788', lddw(1, 0x1122334455667788n)],
    ['lddw %r1, -1', lddw(1, 0xffffffffffffffffn)],
    ['lddw %r1, -0x8000000000000000', lddw(1, 0x8000000000000000n)],
    ['lddw map_fd %r1, 3', lddw(1, 3n, LddwSrc.MAP_FD)],
    ['lddw map_value %r1, 3, 16', lddw(1, (16n << 32n) | 3n, LddwSrc.MAP_VALUE)],
    ['lddw var_addr %r1, 77', lddw(1, 77n, LddwSrc.VAR_ADDR)],
    ['lddw code_addr %r1, -1', lddw(1, 0xffffffffn, LddwSrc.CODE_ADDR)],
  ];
  for (const [text, expected] of cases) assert.deepEqual(one(text), expected, text);
});

test('the lddw raw words of the conformance suite', () => {
  const bytes = encode(assembleMnemonic('lddw %r0, 0x1122334455667788\nexit').insns);
  const view = new DataView(bytes.buffer);
  const words = [0, 1, 2].map((k) => view.getBigUint64(k * 8, true));
  assert.deepEqual(words, [0x5566778800000018n, 0x1122334400000000n, 0x0000000000000095n]);
});

test('the first exit is implicitly labelled exit', () => {
  const { insns } = assembleMnemonic([
    'mov %r0, 1',
    'jne %r0, %r1, exit',
    'exit',
    'mov %r0, 2',
    'ja exit',
    'exit',
  ].join('\n'));
  assert.equal(insns[1]!.offset, 0);
  assert.equal(insns[4]!.offset, -3);
});

test('an explicit exit label wins over the implicit one', () => {
  const { insns } = assembleMnemonic([
    'jeq %r1, 0, exit',
    'exit',
    'mov %r0, 2',
    'exit:',
    'exit',
  ].join('\n'));
  assert.equal(insns[0]!.offset, 2);
});

test('labels: own line, before an instruction, at the end; lddw counts two slots', () => {
  const { insns, labels } = assembleMnemonic([
    'start: mov %r0, 0',
    'loop:',
    'lddw %r1, 1',
    'add %r0, 1',
    'jlt %r0, 10, loop',
    'ja32 end',
    'call local start',
    'exit',
    'end:',
  ].join('\n'));
  assert.equal(labels.get('start'), 0);
  assert.equal(labels.get('loop'), 1);
  assert.equal(labels.get('end'), 8);
  assert.equal(insns[3]!.offset, -4); // at pc 4, to pc 1
  assert.equal(insns[4]!.imm, 2); // gotol at pc 5, to pc 8
  assert.equal(insns[5]!.imm, -7); // call at pc 6, to pc 0
});

test('code_addr to a label keeps its second-slot immediate', () => {
  const { insns } = assembleMnemonic('lddw code_addr %r1, f, 5\nexit\nf:\nexit');
  assert.equal(insns[0]!.imm, 2); // lddw is two slots: f is at pc 3
  assert.equal(insns[0]!.imm64, (5n << 32n) | 2n);
});

test('comments, blank lines, tabs, spaces inside brackets, CRLF and case', () => {
  const { insns, locations } = assembleMnemonic(
    '# header\r\n\r\n\tMOV %R0, 1 # one\r\n ldxw %r0, [ %r1 + 4 ] ; semi\r\nadd %r0, 2 // slashes\r\n\texit\r\n');
  assert.deepEqual(insns, [insn(0xb7, 0, 0, 0, 1), insn(0x61, 0, 1, 4, 0), insn(0x07, 0, 0, 0, 2), insn(0x95, 0, 0, 0, 0)]);
  assert.deepEqual(locations.map((l) => [l.line, l.column]), [[3, 2], [4, 2], [5, 1], [6, 2]]);
});

test('map references by name link to indices', () => {
  const parsed = parseMnemonic('lddw %r1, counts\nlddw map_idx_value %r2, stats, 8\nlddw map_value %r3, counts, 4\nexit');
  assert.equal(parsed.items[0]!.mapRef, 'counts');
  const linked = link(parsed, { maps: ['stats'] });
  assert.deepEqual(linked.maps, ['stats', 'counts']);
  assert.deepEqual(linked.insns[0], lddw(1, 1n, LddwSrc.MAP_IDX));
  assert.deepEqual(linked.insns[1], lddw(2, 8n << 32n, LddwSrc.MAP_IDX_VALUE));
  assert.deepEqual(linked.insns[2], lddw(3, (4n << 32n) | 1n, LddwSrc.MAP_IDX_VALUE));
  assert.throws(() => link(parsed, { maps: ['stats'], strictMaps: true }),
    { code: 'EBEE_ASM_UNKNOWN_MAP', message: /^1:1: unknown map 'counts'/ });
});

test('locations carry the file name and the first-line offset', () => {
  const { locations } = assembleMnemonic('mov %r0, 0\n  exit', { file: 'x.data', firstLine: 10 });
  assert.deepEqual(locations, [{ line: 10, column: 1, file: 'x.data' }, { line: 11, column: 3, file: 'x.data' }]);
});

test('an empty text is an empty program', () => {
  assert.deepEqual(parseMnemonic('# nothing\n\n').items, []);
});
