import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CallSrc, LddwSrc, encode, formOf } from '../../isa/index.js';
import { link } from '../link.js';
import { assemblePseudoC, parsePseudoC } from './index.js';

const bytes = (text: string): string => Buffer.from(encode(assemblePseudoC(text).insns)).toString('hex');

/** Input lines and the bytes llvm-mc 19 (`-triple bpf -mcpu=v4 -show-encoding`) gives them. */
const LLVM_ENCODINGS: readonly (readonly [string, string])[] = [
  ['r0 = *(u32 *)(r1 + 4)', '6110040000000000'],
  ['w0 = *(u32 *)(r1 + 4)', '6110040000000000'],
  ['*(u64 *)(r10 - 8) = r1', '7b1af8ff00000000'],
  ['*(u32 *)(r10 - 4) = w1', '631afcff00000000'],
  ['*(u32 *)(r10 - 4) = 5', '620afcff05000000'],
  ['*(u16 *)(r10 - 2) = 0xffff', '6a0afeffffff0000'],
  ['*(u64 *)(r10 - 8) = -1', '7a0af8ffffffffff'],
  ['w1 += 3', '0401000003000000'],
  ['r1 -= r2', '1f21000000000000'],
  ['w1 s>>= w2', 'cc21000000000000'],
  ['r1 = -r1', '8701000000000000'],
  ['w1 = -w1', '8401000000000000'],
  ['r0 = be16 r0', 'dc00000010000000'],
  ['r0 = le64 r0', 'd400000040000000'],
  ['r0 = bswap16 r0', 'd700000010000000'],
  ['r0 = (s8)r1', 'bf10080000000000'],
  ['w0 = (s16)w1', 'bc10100000000000'],
  ['r0 = (s32)r1', 'bf10200000000000'],
  ['r0 = *(s16 *)(r1 + 2)', '8910020000000000'],
  ['r0 = *(s32 *)(r1 - 32768)', '8110008000000000'],
  ['if r1 s> r2 goto +5', '6d21050000000000'],
  ['if w1 == 3 goto -1', '1601ffff03000000'],
  ['if r1 & 0x10 goto +0', '4501000010000000'],
  ['if w1 s<= -2147483648 goto +32767', 'd601ff7f00000080'],
  ['goto +2', '0500020000000000'],
  ['gotol -5', '06000000fbffffff'],
  ['lock *(u64 *)(r10 - 8) += r1', 'db1af8ff00000000'],
  ['lock *(u32 *)(r1 + 16) ^= w2', 'c3211000a0000000'],
  ['w1 = atomic_fetch_add((u32 *)(r2 + 0), w1)', 'c312000001000000'],
  ['r1 = atomic_fetch_or((u64 *)(r2 + 8), r1)', 'db12080041000000'],
  ['w3 = atomic_fetch_and((u32 *)(r2 - 4), w3)', 'c332fcff51000000'],
  ['r4 = atomic_fetch_xor((u64 *)(r2 + 0), r4)', 'db420000a1000000'],
  ['r1 = xchg_64(r2 + 0, r1)', 'db120000e1000000'],
  ['w1 = xchg32_32(r2 + 4, w1)', 'c3120400e1000000'],
  ['r0 = cmpxchg_64(r2 + 0, r0, r1)', 'db120000f1000000'],
  ['w0 = cmpxchg32_32(r2 - 8, w0, w1)', 'c312f8fff1000000'],
  ['r1 = 0x1122334455667788 ll', '18010000887766550000000044332211'],
  ['r1 = 18446744073709551615 ll', '18010000ffffffff00000000ffffffff'],
  ['r1 = -9223372036854775808 ll', '18010000000000000000000000000080'],
  ['call 1', '8500000001000000'],
  ['callx r2', '8d02000000000000'],
  ['exit', '9500000000000000'],
  ['r1 s/= r2', '3f21010000000000'],
  ['r1 s%= r2', '9f21010000000000'],
  ['w1 s/= -7', '34010100f9ffffff'],
  ['r0 = *(u8 *)skb[12]', '300000000c000000'],
  ['r0 = *(u16 *)skb[r1]', '4810000000000000'],
  ['r0 = *(u32 *)skb[0x7fffffff]', '20000000ffffff7f'],
  ['w1 = 0xffffffff', 'b4010000ffffffff'],
  ['r1 = 0x7fffffff', 'b7010000ffffff7f'],
  ['r1 = 010', 'b701000008000000'],
  ['r1 = 0b101', 'b701000005000000'],
];

/** ebee and verifier-log spellings llvm-mc does not have, and what they mean. */
const EXTENSIONS: readonly (readonly [string, string])[] = [
  ['call bpf_map_lookup_elem#1', 'call 1'],
  ['call unknown#1234', 'call 1234'],
  ['goto pc+2', 'goto +2'],
  ['goto pc-3', 'goto -3'],
  ['gotol pc+70000', 'gotol +70000'],
  ['if r1 > 0x5 goto pc+3', 'if r1 > 5 goto +3'],
  ['r0 = *(u32 *)(r1 +4)', 'r0 = *(u32 *)(r1 + 4)'],
  ['*(u64 *)(r10 -8) = r1', '*(u64 *)(r10 - 8) = r1'],
  ['r0 = *(u32 *)(r1)', 'r0 = *(u32 *)(r1 + 0)'],
  ['w0 = be16 w0', 'r0 = be16 r0'],
  ['w3 = le32 w3', 'r3 = le32 r3'],
  ['r1 = atomic_fetch_add((u32 *)(r2 +0), r1)', 'w1 = atomic_fetch_add((u32 *)(r2 + 0), w1)'],
  ['r1 = atomic64_fetch_add((u64 *)(r2 +0), r1)', 'r1 = atomic_fetch_add((u64 *)(r2 + 0), r1)'],
  ['r1 = atomic64_xchg((u64 *)(r2 +8), r1)', 'r1 = xchg_64(r2 + 8, r1)'],
  ['r1 = atomic_xchg((u32 *)(r2 +8), r1)', 'w1 = xchg32_32(r2 + 8, w1)'],
  ['r0 = atomic64_cmpxchg((u64 *)(r2 -8), r0, r1)', 'r0 = cmpxchg_64(r2 - 8, r0, r1)'],
  ['r0 = atomic_cmpxchg((u32 *)(r2 -8), r0, r1)', 'w0 = cmpxchg32_32(r2 - 8, w0, w1)'],
  ['lock *(u32 *)(r2 +0) += r1', 'lock *(u32 *)(r2 + 0) += w1'],
  ['w1 = *(u8 *)(r2 + 0)', 'r1 = *(u8 *)(r2 + 0)'],
  ['*(u8 *)(r2 + 0) = w1', '*(u8 *)(r2 + 0) = r1'],
  ['r1 = 0xffffffffffffffff ll', 'r1 = -1 ll'],
  ['w1 = 0x80000000', 'w1 = -2147483648'],
  ['if w1 == 0xffffffff goto +1', 'if w1 == -1 goto +1'],
  ['*(u32 *)(r1 + 0) = 4294967295', '*(u32 *)(r1 + 0) = -1'],
  ['r1 = 0X1f', 'r1 = 31'],
];

describe('parsePseudoC', () => {
  it('assembles what llvm-mc assembles, to the same bytes', () => {
    for (const [text, expected] of LLVM_ENCODINGS) assert.equal(bytes(text), expected, text);
  });

  it('accepts the verifier log\'s and ebee\'s own spellings', () => {
    for (const [text, same] of EXTENSIONS) assert.equal(bytes(text), bytes(same), text);
  });

  it('reads gotol, local calls and kfunc calls with 32-bit operands', () => {
    const [far, back, local, kfunc, kfuncModule] = assemblePseudoC(
      'gotol +70000\ngotol -2147483648\ncall pc-5\ncall kfunc(4294967295)\ncall kfunc(1234, -2)').insns;
    assert.equal(far!.imm, 70000);
    assert.equal(back!.imm, -2147483648);
    assert.deepEqual([local!.src, local!.imm], [CallSrc.LOCAL, -5]);
    assert.deepEqual([kfunc!.src, kfunc!.imm, kfunc!.offset], [CallSrc.KFUNC, -1, 0]);
    assert.deepEqual([kfuncModule!.src, kfuncModule!.imm, kfuncModule!.offset], [CallSrc.KFUNC, 1234, -2]);
  });

  it('reads packet loads with an index and an offset', () => {
    const [plus, minus, kernel] = assemblePseudoC(
      'r0 = *(u16 *)skb[r1 + 4]\nr0 = *(u8 *)skb[r2 - 4]\nr0 = *(u32 *)skb[r3 + -8]').insns;
    assert.deepEqual([plus!.opcode, plus!.src, plus!.imm], [0x48, 1, 4]);
    assert.deepEqual([minus!.opcode, minus!.src, minus!.imm], [0x50, 2, -4]);
    assert.deepEqual([kernel!.opcode, kernel!.src, kernel!.imm], [0x40, 3, -8]);
  });

  it('reads every lddw pseudo source', () => {
    const insns = assemblePseudoC([
      'r1 = map_fd(3) ll', 'r2 = map_value(3) + 8 ll', 'r3 = var_addr(1234) ll', 'r4 = code_addr(pc+2) ll',
      'r5 = map_idx(7) ll', 'r6 = map_idx_value(7) + 4294967295 ll', 'r7 = map_fd(5) - 1 ll', 'r8 = code_addr(pc-9) ll',
    ].join('\n')).insns;
    assert.deepEqual(insns.map((i) => [i.dst, i.src, i.imm64]), [
      [1, LddwSrc.MAP_FD, 3n], [2, LddwSrc.MAP_VALUE, (8n << 32n) | 3n], [3, LddwSrc.VAR_ADDR, 1234n],
      [4, LddwSrc.CODE_ADDR, 2n], [5, LddwSrc.MAP_IDX, 7n], [6, LddwSrc.MAP_IDX_VALUE, 0xffff_ffff_0000_0007n],
      [7, LddwSrc.MAP_FD, 0xffff_ffff_0000_0005n], [8, LddwSrc.CODE_ADDR, 0xffff_fff7n],
    ]);
    assert.ok(insns.every((i) => formOf(i) !== undefined));
  });

  it('keeps map names for link, which numbers them', () => {
    const parsed = parsePseudoC('r1 = my_map ll\nr2 = map_value(other) + 8 ll\nr3 = my_map ll\nr4 = map_value(my_map) ll');
    assert.deepEqual(parsed.items.map((i) => i.mapRef), ['my_map', 'other', 'my_map', 'my_map']);
    const linked = link(parsed, { maps: ['other'] });
    assert.deepEqual(linked.maps, ['other', 'my_map']);
    assert.deepEqual(linked.insns.map((i) => [i.src, i.imm64]), [
      [LddwSrc.MAP_IDX, 1n], [LddwSrc.MAP_IDX_VALUE, (8n << 32n) | 0n], [LddwSrc.MAP_IDX, 1n], [LddwSrc.MAP_IDX_VALUE, 1n],
    ]);
  });

  it('makes `rN = name ll` a code address when name is a label, even one defined later', () => {
    const linked = assemblePseudoC('r1 = func ll\nr2 = code_addr(func) ll\nexit\nfunc:\nr0 = 0\nexit');
    assert.deepEqual(linked.insns.slice(0, 2).map((i) => [i.src, i.imm]), [[LddwSrc.CODE_ADDR, 4], [LddwSrc.CODE_ADDR, 2]]);
    assert.deepEqual(linked.maps, []);
  });

  it('resolves labels forwards and backwards, counting lddw as two slots', () => {
    const linked = assemblePseudoC([
      'start: if r1 == 0 goto done', 'r2 = 1 ll', '.LBB0_1:', 'r2 += -1', 'if w2 != 0 goto .LBB0_1',
      'call sub', 'gotol start', 'done: exit', 'sub: r0 = 0', 'exit',
    ].join('\n'));
    assert.deepEqual(linked.insns.map((i) => [i.offset, i.imm]).filter((_, k) => [0, 3, 4, 5].includes(k)),
      [[6, 0], [-2, 0], [0, 2], [0, -7]]);
    assert.equal(linked.insns[4]!.src, CallSrc.LOCAL);
    assert.deepEqual([...linked.labels], [['start', 0], ['.LBB0_1', 3], ['done', 7], ['sub', 8]]);
  });

  it('skips comments and splits statements at `;` as llvm-mc does', () => {
    const text = [
      '# hash comment', '// slash comment', '; a verifier-log source line', '   ; indented source line',
      'r0 = 1 # trailing', 'r1 = 2 // trailing', 'w1 = w2; w2 = w3 ;exit', '/* block */ r3 = 3 /* another */',
      '/* multi', '   line */ r4 = 4', 'lbl: /* comment before */ exit',
    ].join('\n');
    const parsed = parsePseudoC(text);
    assert.equal(bytes(text), bytes('r0 = 1\nr1 = 2\nw1 = w2\nw2 = w3\nexit\nr3 = 3\nr4 = 4\nexit'));
    assert.deepEqual(parsed.items.map((i) => [i.location.line, i.location.column]),
      [[5, 1], [6, 1], [7, 1], [7, 10], [7, 19], [8, 13], [10, 12], [11, 27]]);
  });

  it('ignores the directives llvm-mc prints', () => {
    assert.equal(bytes('\t.text\n\t.globl func\nfunc:\n\texit'), bytes('exit'));
  });

  it('reads the number syntaxes llvm-mc reads', () => {
    assert.equal(bytes('r1 = 0x1F\nr1 = 0b101\nr1 = 010\nr1 = +7'), bytes('r1 = 31\nr1 = 5\nr1 = 8\nr1 = 7'));
  });

  it('records the file name in locations', () => {
    const parsed = parsePseudoC('\n  exit', { file: 'prog.s' });
    assert.deepEqual(parsed.items[0]!.location, { line: 2, column: 3, file: 'prog.s' });
  });

  it('lets r10 be written (the isa check rejects that, not the assembler)', () => {
    assert.equal(bytes('r10 = 1'), 'b70a000001000000');
  });

  it('reads an empty program', () => {
    assert.deepEqual(parsePseudoC('  \n# nothing\n').items, []);
  });
});
