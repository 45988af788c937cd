/**
 * Every arithmetic, jump and memory instruction form of the ISA table, through the JIT
 * and the interpreter on edge values, compared result by result.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INSTRUCTION_FORMS, insn, lddw, type FieldRule, type InsnForm, type Instruction } from '../isa/index.js';
import { same } from './differential.test.fixture.js';

const VALUES = [
  0n, 1n, 2n, 3n, 7n, 31n, 32n, 33n, 63n, 64n, 65n, -1n, -2n, -7n,
  0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, -0x80000000n, 0x8000n, 0xff80n,
  0x7fffffffffffffffn, -0x8000000000000000n, 0x123456789abcdef0n, -0x123456789abcdefn,
];
const IMMEDIATES = [0, 1, -1, 2, 3, 7, -7, 31, 32, 33, 63, 64, 0x7fff, 0x8000, 0x7fffffff, -0x80000000, 0x12345678];

const exactOf = (rule: FieldRule): number | undefined => (typeof rule === 'object' ? rule.exact : undefined);
const R9_OUT = 9;

/** r9 = the output region (r1 at entry); then `body`; r0 = 0; exit. */
function harness(body: Instruction[]): Instruction[] {
  return [insn(0xbf, R9_OUT, 1, 0, 0), ...body, insn(0xb7, 0, 0, 0, 0), insn(0x95, 0, 0, 0, 0)];
}

const store = (k: number, reg: number): Instruction => insn(0x7b, R9_OUT, reg, 8 * k, 0);

function runForm(form: InsnForm, body: Instruction[], outputs: number): void {
  same(harness(body), {
    regions: [{ name: 'out', bytes: 8 * outputs }],
    args: ([out]) => [out!.start],
  }, form.name);
}

test('ALU and ALU64: every form on edge values', () => {
  const forms = INSTRUCTION_FORMS.filter((f) => f.kind === 'alu' || f.kind === 'neg' || f.kind === 'mov' || f.kind === 'end');
  assert.ok(forms.length > 60);
  for (const form of forms) {
    const offset = exactOf(form.offset) ?? 0;
    const fixedImm = exactOf(form.imm);
    const body: Instruction[] = [];
    let k = 0;
    if (form.src === 'reg') {
      for (const a of VALUES) {
        for (const b of VALUES) {
          body.push(lddw(1, a), lddw(2, b), insn(form.opcode, 1, 2, offset, 0), store(k++, 1));
        }
        // dst and src the same register
        body.push(lddw(3, a), insn(form.opcode, 3, 3, offset, 0), store(k++, 3));
      }
    } else {
      const imms = fixedImm !== undefined ? [fixedImm] : form.imm === 'zero' ? [0] : IMMEDIATES;
      for (const a of VALUES) {
        for (const imm of imms) body.push(lddw(1, a), insn(form.opcode, 1, 0, offset, imm), store(k++, 1));
      }
    }
    runForm(form, body, k);
  }
});

test('JMP and JMP32: every conditional form on edge values', () => {
  const forms = INSTRUCTION_FORMS.filter((f) => f.kind === 'jcond');
  assert.equal(forms.length, 44);
  for (const form of forms) {
    const body: Instruction[] = [];
    let k = 0;
    const record = (test: Instruction): void => {
      // r3 = 0; if (test) goto +1; goto +1; r3 = 1; out[k] = r3
      body.push(insn(0xb7, 3, 0, 0, 0), test, insn(0x05, 0, 0, 1, 0), insn(0xb7, 3, 0, 0, 1), store(k++, 3));
    };
    for (const a of VALUES) {
      if (form.src === 'reg') {
        for (const b of VALUES) { body.push(lddw(1, a), lddw(2, b)); record(insn(form.opcode, 1, 2, 1, 0)); }
      } else {
        for (const imm of IMMEDIATES) { body.push(lddw(1, a)); record(insn(form.opcode, 1, 0, 1, imm)); }
      }
    }
    runForm(form, body, k);
  }
});

test('loads and stores: every size, sign-extending loads, offsets either side', () => {
  const data = Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 0x81) & 0xff);
  const body: Instruction[] = [];
  let k = 0;
  // Loads (r2 = data + 32, so negative offsets reach back).
  for (const opcode of [0x61, 0x69, 0x71, 0x79, 0x81, 0x89, 0x91]) {
    for (const off of [-32, -31, -5, 0, 1, 3, 7, 24]) body.push(insn(opcode, 1, 2, off, 0), store(k++, 1));
  }
  // Register stores into the scratch region (r3), read back whole.
  for (const opcode of [0x63, 0x6b, 0x73, 0x7b]) {
    for (const off of [0, 1, 5, 13]) body.push(lddw(4, 0x8899aabbccddeeffn + BigInt(off)), insn(opcode, 3, 4, off, 0));
  }
  // Immediate stores, including negative immediates (sign-extended for stdw).
  for (const opcode of [0x62, 0x6a, 0x72, 0x7a]) {
    for (const [off, imm] of [[24, -2], [33, 0x7f], [40, 0x12345678]] as const) body.push(insn(opcode, 3, 0, off, imm));
  }
  same(harness(body), {
    regions: [{ name: 'out', bytes: 8 * k }, { name: 'data', bytes: data }, { name: 'scratch', bytes: 64 }],
    args: ([out, d, s]) => [out!.start, d!.start + 32, s!.start],
  }, 'loads and stores');
});

test('lddw: 64-bit immediates and code addresses', () => {
  const body: Instruction[] = [];
  let k = 0;
  for (const v of VALUES) body.push(lddw(1, v), store(k++, 1));
  body.push(lddw(1, 1, 4), store(k++, 1)); // a code address: pc + 1 + imm, the next instruction
  same(harness(body), { regions: [{ name: 'out', bytes: 8 * k }], args: ([o]) => [o!.start] }, 'lddw');
});
