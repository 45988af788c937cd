/**
 * Bad programs never crash the verifier: random instruction sequences built from the
 * instruction table (with random registers, offsets and immediates, jumps anywhere)
 * always give a verdict, never an exception.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INSTRUCTION_FORMS, lddw, type FieldRule, type Instruction } from '../isa/index.js';
import { runInsns } from './verify.test.fixture.js';

/** A small deterministic PRNG (xorshift32) so failures reproduce. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 2 ** 32;
  };
}

function field(rule: FieldRule, pick: () => number): number {
  if (typeof rule === 'object' && rule !== null && 'exact' in rule) return (rule as { exact: number }).exact;
  if (rule === 'zero') return 0;
  return pick();
}

test('random programs from the instruction table always get a verdict', () => {
  const rnd = prng(20261125);
  const int = (n: number): number => Math.floor(rnd() * n);
  let rejected = 0;
  let accepted = 0;
  for (let k = 0; k < 1500; k++) {
    const len = 1 + int(12);
    // Registers start initialised (r1 stays the context) so paths get past the first read.
    const insns: Instruction[] = [0, 2, 3, 4, 5, 6, 7, 8, 9].map((r) => ({ opcode: 0xb7, dst: r, src: 0, offset: 0, imm: int(16) }));
    for (let j = 0; j < len; j++) {
      if (rnd() < 0.05) { insns.push(lddw(int(11), BigInt(int(1000)), [0, 1, 2, 4, 5, 6][int(6)]!)); continue; }
      const form = INSTRUCTION_FORMS[int(INSTRUCTION_FORMS.length)]!;
      const reg = (): number => int(11);
      insns.push({
        opcode: form.opcode,
        dst: field(form.dst, reg),
        src: field(form.src, reg),
        offset: field(form.offset, () => int(2) ? int(8) - 4 : int(1024) - 512),
        imm: field(form.imm, () => (int(3) === 0 ? int(2 ** 31) : int(64) - 16)),
      });
    }
    insns.push({ opcode: 0x95, dst: 0, src: 0, offset: 0, imm: 0 });
    const r = runInsns(insns, { logLevel: k % 3 === 0 ? 2 : 1, insnLimit: 20_000 });
    assert.equal(typeof r.ok, 'boolean');
    if (r.ok) accepted++;
    if (!r.ok) {
      rejected++;
      assert.ok(r.error!.message.length > 0 && r.log.includes(r.error!.message), `program ${k}: ${r.error!.message}`);
    }
  }
  // Both verdicts occur, so the generator reaches the analysis, not only the CFG checks.
  assert.ok(rejected > 0 && accepted > 0, `accepted ${accepted}, rejected ${rejected}`);
});
