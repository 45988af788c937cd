import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CallSrc, LddwSrc, insn, lddw, type Instruction } from '../../isa/index.js';
import { assemblePseudoC, disassemblePseudoC, pseudoCLabel, printPseudoC } from './index.js';

const one = (text: string): Instruction => assemblePseudoC(text).insns[0]!;

/** [instruction, default, hex, alu32] */
const CASES: readonly (readonly [Instruction, string, string, string?])[] = [
  [one('w1 += 3'), 'w1 += 3', 'w1 += 0x3'],
  [one('r1 s/= -7'), 'r1 s/= -7', 'r1 s/= -0x7'],
  [one('w1 s%= w2'), 'w1 s%= w2', 'w1 s%= w2'],
  [one('r1 s>>= r2'), 'r1 s>>= r2', 'r1 s>>= r2'],
  [one('w1 = -w1'), 'w1 = -w1', 'w1 = -w1'],
  [one('r0 = (s32)r1'), 'r0 = (s32)r1', 'r0 = (s32)r1'],
  [one('w0 = (s8)w1'), 'w0 = (s8)w1', 'w0 = (s8)w1'],
  [one('w0 = be16 w0'), 'r0 = be16 r0', 'r0 = be16 r0'],
  [one('r0 = le32 r0'), 'r0 = le32 r0', 'r0 = le32 r0'],
  [one('r0 = bswap64 r0'), 'r0 = bswap64 r0', 'r0 = bswap64 r0'],
  [one('goto +0'), 'goto +0', 'goto +0x0'],
  [one('goto -3'), 'goto -3', 'goto -0x3'],
  [one('gotol +70000'), 'gotol +70000', 'gotol +0x11170'],
  [one('if w1 s< -1 goto +2'), 'if w1 s< -1 goto +2', 'if w1 s< -0x1 goto +0x2'],
  [one('if r1 & r2 goto -32768'), 'if r1 & r2 goto -32768', 'if r1 & r2 goto -0x8000'],
  [one('call 1'), 'call 1', 'call 0x1'],
  [one('call pc+3'), 'call pc+3', 'call pc+0x3'],
  [one('call pc-3'), 'call pc-3', 'call pc-0x3'],
  [one('call kfunc(1234)'), 'call kfunc(1234)', 'call kfunc(0x4d2)'],
  [one('call kfunc(1234, 2)'), 'call kfunc(1234, 2)', 'call kfunc(0x4d2, 0x2)'],
  [one('callx r5'), 'callx r5', 'callx r5'],
  [one('exit'), 'exit', 'exit'],
  [one('r1 = 0x1122334455667788 ll'), 'r1 = 1234605616436508552 ll', 'r1 = 0x1122334455667788 ll'],
  [one('r1 = 0xffffffffffffffff ll'), 'r1 = -1 ll', 'r1 = -0x1 ll'],
  [one('r1 = map_fd(3) ll'), 'r1 = map_fd(3) ll', 'r1 = map_fd(0x3) ll'],
  [one('r1 = map_value(3) + 8 ll'), 'r1 = map_value(3) + 8 ll', 'r1 = map_value(0x3) + 0x8 ll'],
  [one('r1 = var_addr(1234) ll'), 'r1 = var_addr(1234) ll', 'r1 = var_addr(0x4d2) ll'],
  [one('r1 = code_addr(pc-2) ll'), 'r1 = code_addr(pc-2) ll', 'r1 = code_addr(pc-0x2) ll'],
  [one('r1 = map_idx(0) ll'), 'r1 = map_idx(0) ll', 'r1 = map_idx(0x0) ll'],
  [one('r1 = map_idx_value(0) - 1 ll'), 'r1 = map_idx_value(0) + 4294967295 ll', 'r1 = map_idx_value(0x0) + 0xffffffff ll'],
  [one('r0 = *(u8 *)skb[12]'), 'r0 = *(u8 *)skb[12]', 'r0 = *(u8 *)skb[0xc]'],
  [one('r0 = *(u16 *)skb[r1]'), 'r0 = *(u16 *)skb[r1]', 'r0 = *(u16 *)skb[r1]'],
  [one('r0 = *(u32 *)skb[r1 - 4]'), 'r0 = *(u32 *)skb[r1 - 4]', 'r0 = *(u32 *)skb[r1 - 0x4]'],
  [one('r0 = *(u32 *)(r1 + 4)'), 'r0 = *(u32 *)(r1 + 4)', 'r0 = *(u32 *)(r1 + 0x4)', 'w0 = *(u32 *)(r1 + 4)'],
  [one('r0 = *(u64 *)(r1 + 0)'), 'r0 = *(u64 *)(r1 + 0)', 'r0 = *(u64 *)(r1 + 0x0)', 'r0 = *(u64 *)(r1 + 0)'],
  [one('r0 = *(s16 *)(r1 - 2)'), 'r0 = *(s16 *)(r1 - 2)', 'r0 = *(s16 *)(r1 - 0x2)', 'r0 = *(s16 *)(r1 - 2)'],
  [one('*(u32 *)(r10 - 4) = 5'), '*(u32 *)(r10 - 4) = 5', '*(u32 *)(r10 - 0x4) = 0x5'],
  [one('*(u8 *)(r10 - 1) = r3'), '*(u8 *)(r10 - 1) = r3', '*(u8 *)(r10 - 0x1) = r3', '*(u8 *)(r10 - 1) = w3'],
  [one('*(u64 *)(r10 - 8) = r3'), '*(u64 *)(r10 - 8) = r3', '*(u64 *)(r10 - 0x8) = r3', '*(u64 *)(r10 - 8) = r3'],
  [one('lock *(u64 *)(r10 - 8) += r1'), 'lock *(u64 *)(r10 - 8) += r1', 'lock *(u64 *)(r10 - 0x8) += r1'],
  [one('lock *(u32 *)(r1 + 0) &= r2'), 'lock *(u32 *)(r1 + 0) &= w2', 'lock *(u32 *)(r1 + 0x0) &= w2'],
  [one('w1 = atomic_fetch_xor((u32 *)(r2 + 0), w1)'), 'w1 = atomic_fetch_xor((u32 *)(r2 + 0), w1)', 'w1 = atomic_fetch_xor((u32 *)(r2 + 0x0), w1)'],
  [one('r1 = xchg_64(r2 - 8, r1)'), 'r1 = xchg_64(r2 - 8, r1)', 'r1 = xchg_64(r2 - 0x8, r1)'],
  [one('w1 = xchg32_32(r2 + 0, w1)'), 'w1 = xchg32_32(r2 + 0, w1)', 'w1 = xchg32_32(r2 + 0x0, w1)'],
  [one('r0 = cmpxchg_64(r2 + 0, r0, r3)'), 'r0 = cmpxchg_64(r2 + 0, r0, r3)', 'r0 = cmpxchg_64(r2 + 0x0, r0, r3)'],
  [one('w0 = cmpxchg32_32(r2 + 0, w0, w3)'), 'w0 = cmpxchg32_32(r2 + 0, w0, w3)', 'w0 = cmpxchg32_32(r2 + 0x0, w0, w3)'],
  [one('w1 = 0x80000000'), 'w1 = -2147483648', 'w1 = -0x80000000'],
];

describe('printPseudoC', () => {
  it('prints LLVM\'s spelling, in decimal, hex and alu32 styles', () => {
    for (const [i, plain, hex, alu32] of CASES) {
      assert.equal(printPseudoC(i), plain);
      assert.equal(printPseudoC(i, { hex: true }), hex);
      assert.equal(printPseudoC(i, { alu32: true }), alu32 ?? plain);
    }
  });

  it('reads an lddw without imm64 as the low immediate, as encode does', () => {
    assert.equal(printPseudoC({ opcode: 0x18, dst: 1, src: 0, offset: 0, imm: -1 }), 'r1 = 4294967295 ll');
  });

  it('prints fields the caller built directly', () => {
    assert.equal(printPseudoC(insn(0x85, 0, CallSrc.LOCAL, 0, 0)), 'call pc+0');
    assert.equal(printPseudoC(lddw(9, 0x7_0000_0002n, LddwSrc.MAP_IDX_VALUE)), 'r9 = map_idx_value(2) + 7 ll');
  });
});

describe('disassemblePseudoC', () => {
  const program = assemblePseudoC([
    'r1 = 0', 'loop: r1 += 1', 'if r1 < 10 goto loop', 'r2 = sub ll', 'call sub', 'gotol out',
    'sub: r0 = 0', 'exit', 'out: exit',
  ].join('\n')).insns;

  it('prints one line per instruction with numeric targets by default', () => {
    assert.equal(disassemblePseudoC(program), [
      'r1 = 0', 'r1 += 1', 'if r1 < 10 goto -2', 'r2 = code_addr(pc+3) ll', 'call pc+1', 'gotol +2',
      'r0 = 0', 'exit', 'exit', '',
    ].join('\n'));
  });

  it('names targets by label on request', () => {
    assert.equal(disassemblePseudoC(program, { labels: true }), [
      '\tr1 = 0', 'LBB0_1:', '\tr1 += 1', '\tif r1 < 10 goto LBB0_1', '\tr2 = code_addr(LBB0_7) ll', '\tcall LBB0_7',
      '\tgotol LBB0_9', 'LBB0_7:', '\tr0 = 0', '\texit', 'LBB0_9:', '\texit', '',
    ].join('\n'));
    assert.equal(pseudoCLabel(7), 'LBB0_7');
  });

  it('prints nothing for an empty program', () => {
    assert.equal(disassemblePseudoC([]), '');
    assert.equal(disassemblePseudoC([], { labels: true }), '');
  });
});
