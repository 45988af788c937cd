import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INSTRUCTION_FORMS, decode, encode, formOf, type Instruction } from '../../isa/index.js';
import { assemblePseudoC, disassemblePseudoC, printPseudoC, type PseudoCPrintOptions } from './index.js';
import { SAMPLES_PER_FORM, allSamples, retarget, samplesOf } from './samples.test.fixture.js';

const hex = (insns: readonly Instruction[]): string => Buffer.from(encode(insns)).toString('hex');

const STYLES: readonly PseudoCPrintOptions[] = [{}, { hex: true }, { alu32: true }, { hex: true, alu32: true }];

describe('pseudo-C round trip', () => {
  for (const form of INSTRUCTION_FORMS) {
    it(`${form.name} (${form.syntax})`, () => {
      for (const i of samplesOf(form)) {
        for (const style of STYLES) {
          const text = printPseudoC(i, style);
          const back = assemblePseudoC(text).insns;
          assert.equal(back.length, 1, text);
          assert.equal(hex(back), hex([i]), `${JSON.stringify(style)}: ${text}`);
          assert.equal(formOf(back[0]!), form, text);
        }
      }
    });
  }

  it('covers every form with several samples', () => {
    const samples = allSamples();
    assert.equal(samples.length, INSTRUCTION_FORMS.length * SAMPLES_PER_FORM);
    assert.equal(new Set(samples.map((s) => s.form)).size, INSTRUCTION_FORMS.length);
  });

  it('a whole program re-assembles to identical bytes', () => {
    const insns = allSamples().map((s) => s.insn);
    const text = disassemblePseudoC(insns);
    assert.equal(text.split('\n').length, insns.length + 1);
    assert.equal(hex(assemblePseudoC(text).insns), hex(insns));
    // And through bytes: decode(encode(x)) printed the same way.
    assert.equal(disassemblePseudoC(decode(encode(insns))), text);
  });

  it('a labelled program re-assembles to identical bytes', () => {
    const insns = retarget(allSamples().map((s) => s.insn));
    for (const style of STYLES) {
      const text = disassemblePseudoC(insns, { ...style, labels: true });
      assert.match(text, /^LBB0_\d+:$/m);
      assert.match(text, /goto LBB0_\d+$/m);
      assert.match(text, /gotol LBB0_\d+$/m);
      assert.match(text, /call LBB0_\d+$/m);
      assert.match(text, /code_addr\(LBB0_\d+\) ll$/m);
      const linked = assemblePseudoC(text);
      assert.equal(hex(linked.insns), hex(insns), JSON.stringify(style));
    }
  });

  it('labels a target just past the end of the program', () => {
    const insns = decode(encode(assemblePseudoC('goto +1\nexit').insns));
    assert.equal(disassemblePseudoC(insns, { labels: true }), '\tgoto LBB0_2\n\texit\nLBB0_2:\n');
  });

  it('keeps numeric targets that are outside the program or inside an lddw', () => {
    const insns = assemblePseudoC('goto +5\ngoto +1\nr1 = 1 ll\nexit').insns;
    assert.equal(disassemblePseudoC(insns, { labels: true }), '\tgoto +5\n\tgoto +1\n\tr1 = 1 ll\n\texit\n');
  });
});
