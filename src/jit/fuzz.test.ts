/**
 * Random programs, the JIT against the interpreter: arithmetic of every form, stack
 * traffic, jumps in both directions (so loops, runaway loops and irreducible regions
 * all occur), calls to a local function, under budgets around the exact count.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INSTRUCTION_FORMS, insn, lddw, type Instruction } from '../isa/index.js';
import { compile } from './index.js';
import { runOn, same } from './differential.test.fixture.js';

function rng(seed: number): () => number {
  let x = Math.imul(seed, 0x9e3779b1) | 0 || 1;
  const next = (): number => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
  for (let i = 0; i < 4; i++) next();
  return next;
}

const ARITH = INSTRUCTION_FORMS.filter((f) => ['alu', 'neg', 'mov', 'end'].includes(f.kind));
const CONDS = INSTRUCTION_FORMS.filter((f) => f.kind === 'jcond');
const INTERESTING = [0, 1, -1, 2, 31, 32, 63, 64, 0x7fffffff, -0x80000000, 0x8000, 255];

function randomProgram(seed: number): Instruction[] {
  const r = rng(seed);
  const int = (n: number): number => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const reg = (): number => int(10);
  const imm = (): number => (r() < 0.5 ? pick(INTERESTING) : (int(0x100000000) | 0));
  const out: Instruction[] = [];
  for (let k = 0; k < 10; k++) out.push(lddw(k, (BigInt(int(0x100000000)) << 32n) | BigInt(int(0x100000000))));
  const body = 20 + int(40);
  // Jumps are fixed up once every instruction's slot is known.
  const jumps: { index: number; target: number }[] = [];
  for (let i = 0; i < body; i++) {
    const roll = r();
    if (roll < 0.5) {
      const f = pick(ARITH);
      const off = typeof f.offset === 'object' ? f.offset.exact : 0;
      const immediate = typeof f.imm === 'object' ? f.imm.exact : f.imm === 'zero' ? 0 : imm();
      out.push(insn(f.opcode, reg(), f.src === 'reg' ? reg() : 0, off, immediate));
    } else if (roll < 0.65) {
      const size = pick([0x00, 0x08, 0x10, 0x18]);
      const slot = -8 * (1 + int(8));
      out.push(r() < 0.5 ? insn(0x63 | size, 10, reg(), slot, 0) : insn(0x61 | size, reg(), 10, slot, 0));
    } else if (roll < 0.85) {
      const f = pick(CONDS);
      jumps.push({ index: out.length, target: int(body) });
      out.push(insn(f.opcode, reg(), f.src === 'reg' ? reg() : 0, 0, imm()));
    } else if (roll < 0.9) {
      jumps.push({ index: out.length, target: int(body) });
      out.push(insn(0x05, 0, 0, 0, 0));
    } else if (roll < 0.95) {
      out.push(insn(0x85, 0, 1, 0, 0)); // call f, fixed up below
    } else {
      out.push(insn(0x95, 0, 0, 0, 0));
    }
  }
  out.push(insn(0x95, 0, 0, 0, 0));
  const fIndex = out.length;
  // f: a little arithmetic on r1-r5 and its own stack, then exit.
  out.push(insn(0x7b, 10, 1, -8, 0), insn(0xbf, 0, 1, 0, 0), insn(0x0f, 0, 2, 0, 0), insn(0x79, 3, 10, -8, 0), insn(0x2f, 0, 3, 0, 0), insn(0x95, 0, 0, 0, 0));
  // Slots: lddw takes two.
  const slot: number[] = [];
  let pc = 0;
  for (const i of out) { slot.push(pc); pc += i.opcode === 0x18 ? 2 : 1; }
  const first = 10; // body starts after the ten lddw
  for (const { index, target } of jumps) {
    const delta = slot[first + target]! - (slot[index]! + 1);
    const i = out[index]!;
    out[index] = insn(i.opcode, i.dst, i.src, delta, i.imm);
  }
  out.forEach((i, index) => {
    if (i.opcode === 0x85) out[index] = insn(0x85, 0, 1, 0, slot[fIndex]! - (slot[index]! + 1));
  });
  return out;
}

test('random programs: the JIT matches the interpreter, counts included', () => {
  let completed = 0;
  let budgetStops = 0;
  let irreducible = 0;
  for (let seed = 1; seed <= 400; seed++) {
    const program = randomProgram(seed);
    const what = `seed ${seed}`;
    const ref = same(program, { budget: 3000 }, what);
    if (compile(program).dispatcherRegions > 0) irreducible++;
    if ('error' in ref) {
      if (ref.error === 'EBEE_VM_BUDGET_EXCEEDED') budgetStops++;
      continue;
    }
    completed++;
    // Exactly enough budget completes; one less fails, as in the interpreter.
    same(program, { budget: ref.executed! }, `${what} exact budget`);
    const short = runOn('checked', program, { budget: ref.executed! - 1 });
    assert.ok('error' in short && short.error === 'EBEE_VM_BUDGET_EXCEEDED', `${what}: one instruction short still completed`);
  }
  console.log(`random programs: ${completed} completed, ${budgetStops} ran out of budget, ${irreducible} irreducible`);
  assert.ok(completed > 100 && budgetStops > 20 && irreducible > 10,
    `${completed} completed, ${budgetStops} ran out of budget, ${irreducible} irreducible`);
});
