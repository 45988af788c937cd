import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INSTRUCTION_FORMS, decode, encode, insn, lddw, type FieldRule } from '../../isa/index.js';
import { AsmError, AsmErrorCode as E, type AsmErrorCodeValue } from '../errors.js';
import { assemblePseudoC, disassemblePseudoC, printPseudoC } from './index.js';

/** [source, code, line, column] */
const CASES: readonly (readonly [string, AsmErrorCodeValue, number, number])[] = [
  // Statements that are not instructions.
  ['foo r1', E.UNKNOWN_MNEMONIC, 1, 1],
  ['exit\n  .section .data', E.UNKNOWN_MNEMONIC, 2, 3],
  ['exit 1', E.SYNTAX, 1, 6],
  ['r1 = 1 +', E.SYNTAX, 1, 8],
  ['r1', E.SYNTAX, 1, 3],
  ['42', E.SYNTAX, 1, 1],
  ['r1 = @', E.SYNTAX, 1, 6],
  ['exit\n\n  /* open', E.SYNTAX, 3, 3],
  ['r1 = 08', E.SYNTAX, 1, 6],
  ['r1 = 0x', E.SYNTAX, 1, 6],
  ['r0 = *(u32 *)(r1 + 4', E.SYNTAX, 1, 21],
  ['r1 ! r2', E.SYNTAX, 1, 4],
  ['exit ; bogus', E.UNKNOWN_MNEMONIC, 1, 8],
  // Registers.
  ['exit\n  r11 = 1', E.BAD_OPERAND, 2, 3],
  ['r1 = r11', E.BAD_OPERAND, 1, 6],
  ['r1 = w15', E.BAD_OPERAND, 1, 6],
  ['w1 += r2', E.BAD_OPERAND, 1, 7],
  ['r1 = w2', E.BAD_OPERAND, 1, 6],
  ['r1:', E.BAD_OPERAND, 1, 1],
  ['r0 = *(u32 *)(w1 + 0)', E.BAD_OPERAND, 1, 15],
  ['if r1 == w2 goto +1', E.BAD_OPERAND, 1, 10],
  ['callx w1', E.BAD_OPERAND, 1, 7],
  ['call r1', E.BAD_OPERAND, 1, 6],
  // Operands of the wrong kind or shape.
  ['r1 = R2', E.BAD_OPERAND, 1, 6],
  ['r1 = my_map', E.BAD_OPERAND, 1, 6],
  ['r1 = map_fd(3)', E.BAD_OPERAND, 1, 6],
  ['w1 = 5 ll', E.BAD_OPERAND, 1, 1],
  ['r1 = ll', E.BAD_OPERAND, 1, 6],
  ['r1 = -r2', E.BAD_OPERAND, 1, 7],
  ['r1 = (u8)r2', E.BAD_OPERAND, 1, 7],
  ['w1 = (s32)w2', E.BAD_OPERAND, 1, 7],
  ['r0 = le16 r1', E.BAD_OPERAND, 1, 11],
  ['w0 = bswap16 w0', E.BAD_OPERAND, 1, 1],
  ['w0 = *(s8 *)(r1 + 0)', E.BAD_OPERAND, 1, 1],
  ['r0 = *(s64 *)(r1 + 0)', E.BAD_OPERAND, 1, 8],
  ['w0 = *(u64 *)(r1 + 0)', E.BAD_OPERAND, 1, 1],
  ['r0 = *(i32 *)(r1 + 0)', E.BAD_OPERAND, 1, 8],
  ['*(s32 *)(r1 + 0) = 1', E.BAD_OPERAND, 1, 3],
  ['*(u64 *)(r1 + 0) = w2', E.BAD_OPERAND, 1, 20],
  ['r1 = *(u16 *)skb[4]', E.BAD_OPERAND, 1, 1],
  ['r0 = *(u64 *)skb[4]', E.BAD_OPERAND, 1, 8],
  ['r0 = cmpxchg_64(r2 + 0, r1, r3)', E.BAD_OPERAND, 1, 25],
  ['r1 = cmpxchg_64(r2 + 0, r0, r3)', E.BAD_OPERAND, 1, 1],
  ['r1 = atomic_fetch_add((u64 *)(r2 + 0), r3)', E.BAD_OPERAND, 1, 1],
  ['w1 = atomic_fetch_add((u64 *)(r2 + 0), w1)', E.BAD_OPERAND, 1, 1],
  ['r1 = atomic64_fetch_add((u32 *)(r2 + 0), r1)', E.BAD_OPERAND, 1, 26],
  ['w1 = atomic_fetch_add((u16 *)(r2 + 0), w1)', E.BAD_OPERAND, 1, 24],
  ['lock *(u16 *)(r1 + 0) += r2', E.BAD_OPERAND, 1, 8],
  ['lock *(u64 *)(r1 + 0) -= r2', E.BAD_OPERAND, 1, 23],
  ['lock *(u64 *)(r1 + 0) += w2', E.BAD_OPERAND, 1, 26],
  ['if r1 = r2 goto +1', E.BAD_OPERAND, 1, 7],
  ['if r1 == r2 goto', E.BAD_OPERAND, 1, 17],
  ['goto r1', E.BAD_OPERAND, 1, 6],
  ['func:\nr1 = code_addr(func) + 8 ll', E.BAD_OPERAND, 2, 22],
  ['r1 = my_map + 8 ll', E.BAD_OPERAND, 1, 13],
  ['goto pc+x', E.SYNTAX, 1, 8],
  ['r1 = map_fd(my_map) ll', E.BAD_OPERAND, 1, 13],
  // Ranges.
  ['r1 = 2147483648', E.IMM_RANGE, 1, 6],
  ['r1 += 0xffffffff', E.IMM_RANGE, 1, 7],
  ['w1 = 4294967296', E.IMM_RANGE, 1, 6],
  ['w1 = -2147483649', E.IMM_RANGE, 1, 6],
  ['*(u64 *)(r1 + 0) = 0x80000000', E.IMM_RANGE, 1, 20],
  ['if r1 > 4294967295 goto +1', E.IMM_RANGE, 1, 9],
  ['call 2147483648', E.IMM_RANGE, 1, 6],
  ['gotol +2147483648', E.IMM_RANGE, 1, 7],
  ['r1 = 0x10000000000000000 ll', E.IMM_RANGE, 1, 6],
  ['r1 = -9223372036854775809 ll', E.IMM_RANGE, 1, 6],
  ['r1 = map_value(3) + 4294967296 ll', E.IMM_RANGE, 1, 19],
  ['r0 = *(u32 *)(r1 + 32768)', E.OFFSET_RANGE, 1, 18],
  ['*(u32 *)(r10 - 32769) = 1', E.OFFSET_RANGE, 1, 14],
  ['goto +32768', E.OFFSET_RANGE, 1, 6],
  ['if r1 == 1 goto -32769', E.OFFSET_RANGE, 1, 17],
  ['call kfunc(1, 32768)', E.OFFSET_RANGE, 1, 15],
  // Labels (reported by link, at the instruction or the second definition).
  ['exit\n  goto nowhere', E.UNDEFINED_LABEL, 2, 3],
  ['call helper_by_name', E.UNDEFINED_LABEL, 1, 1],
  ['a: exit\n a: exit', E.DUPLICATE_LABEL, 2, 2],
];

function rejects(text: string, code: AsmErrorCodeValue, line: number, column: number): void {
  assert.throws(() => assemblePseudoC(text), (err: unknown) => {
    assert.ok(err instanceof AsmError, `${text}: ${String(err)}`);
    assert.equal(err.code, code, `${text}: ${err.message}`);
    assert.deepEqual([err.location?.line, err.location?.column], [line, column], `${text}: ${err.message}`);
    assert.ok(err.message.startsWith(`${line}:${column}: `), err.message);
    return true;
  }, text);
}

describe('pseudo-C errors', () => {
  for (const [text, code, line, column] of CASES) {
    it(`${code} at ${line}:${column}: ${JSON.stringify(text)}`, () => rejects(text, code, line, column));
  }

  it('names the file in the location and the message', () => {
    assert.throws(() => assemblePseudoC('exit\n  bogus', { file: 'prog.s' }), (err: unknown) => {
      assert.ok(err instanceof AsmError);
      assert.deepEqual(err.location, { line: 2, column: 3, file: 'prog.s' });
      assert.match(err.message, /^prog\.s:2:3: unknown instruction 'bogus'$/);
      return true;
    });
  });

  it('explains a 64-bit immediate that would be sign-extended', () => {
    assert.throws(() => assemblePseudoC('r1 = 0x80000000'), /write -2147483648 or use a 64-bit load: 'rN = 2147483648 ll'/);
  });

  it('never fails with anything but AsmError on token soup', () => {
    const words = [
      'r1', 'w2', 'r10', 'r11', '=', '+=', 's>>=', '*', '(', ')', '[', ']', 'u32', 's8', 'skb', 'goto', 'gotol', 'if',
      'call', 'callx', 'exit', 'lock', 'll', '+', '-', '1', '0x7fffffff', '99999999999999999999', ',', ':', 'lbl',
      'map_value', 'code_addr', 'pc', 'xchg_64', 'cmpxchg_64', 'atomic_fetch_add', 'be16', '#', ';', '\n', 'kfunc',
    ];
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 3000; round++) {
      const text = Array.from({ length: 1 + random(9) }, () => words[random(words.length)]).join(' ');
      try {
        assemblePseudoC(text);
      } catch (err) {
        assert.ok(err instanceof AsmError, `${JSON.stringify(text)}: ${String(err)}`);
      }
    }
  });

  it('prints random instances of every form so that they re-assemble to them', () => {
    let seed = 99;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const value = (rule: FieldRule, bits: 16 | 32): number => {
      if (rule === 'zero') return 0;
      if (typeof rule === 'object') return rule.exact;
      if (rule === 'reg') return random() % 11;
      return bits === 16 ? (random() << 16) >> 16 : (random() ^ (random() << 16)) | 0;
    };
    for (let round = 0; round < 5000; round++) {
      const form = INSTRUCTION_FORMS[random() % INSTRUCTION_FORMS.length]!;
      const i = form.kind === 'lddw'
        ? lddw(value(form.dst, 32), (BigInt(random()) << 33n) ^ (BigInt(random()) << 8n) ^ BigInt(random()), value(form.src, 32))
        : insn(form.opcode, value(form.dst, 32), value(form.src, 32), value(form.offset, 16), value(form.imm, 32));
      const insns = decode(encode([i]));
      for (const options of [{}, { hex: true }]) {
        const text = disassemblePseudoC(insns, options);
        assert.equal(Buffer.from(encode(assemblePseudoC(text).insns)).toString('hex'), Buffer.from(encode(insns)).toString('hex'), text);
      }
    }
  });

  it('refuses to print an instruction it cannot print faithfully', () => {
    assert.throws(() => printPseudoC({ opcode: 0xff, dst: 0, src: 0, offset: 0, imm: 0 }), { code: 'EBEE_ISA_UNKNOWN_OPCODE' });
    assert.throws(() => printPseudoC({ opcode: 0x07, dst: 1, src: 3, offset: 0, imm: 1 }), { code: 'EBEE_ISA_RESERVED_FIELD' });
    assert.throws(() => printPseudoC({ opcode: 0x0f, dst: 12, src: 3, offset: 0, imm: 0 }), { code: 'EBEE_ISA_BAD_REGISTER' });
  });
});
