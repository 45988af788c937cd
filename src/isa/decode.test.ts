/**
 * Decoding and encoding: every form of the table round-trips byte-exactly with extreme
 * field values; the decoder's accept/reject set over all 256 opcode bytes is the
 * table's; `lddw` carries every 64-bit immediate; a few encodings are checked against
 * bytes written out by hand.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';

import { decode } from './decode.js';
import { encode } from './encode.js';
import { IsaError, IsaErrorCode } from './errors.js';
import { insn, lddw, lddwHigh, widthOf, LDDW_OPCODE, type Instruction } from './instruction.js';
import { INSTRUCTION_FORMS, formOf, formsOf, type FieldRule, type InsnForm } from './spec.js';

const S32_MIN = -0x80000000;
const S32_MAX = 0x7fffffff;
const OFFSETS = [-32768, -32767, -1, 0, 1, 32766, 32767];
const IMMS = [S32_MIN, S32_MIN + 1, -1, 0, 1, 16, S32_MAX - 1, S32_MAX];
const REGS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

const hex2 = (v: number): string => '0x' + v.toString(16).padStart(2, '0');

/** An independent little-endian encoder for one 8-byte slot, written out byte by byte. */
function slotBytes(opcode: number, dst: number, src: number, offset: number, imm: number): number[] {
  const off = offset & 0xffff;
  const im = imm >>> 0;
  return [
    opcode & 0xff, ((src & 0x0f) << 4) | (dst & 0x0f),
    off & 0xff, off >>> 8,
    im & 0xff, (im >>> 8) & 0xff, (im >>> 16) & 0xff, im >>> 24,
  ];
}

/** Hand-encoding of a whole instruction list (lddw: two slots). */
function handEncode(insns: readonly Instruction[]): Uint8Array {
  const out: number[] = [];
  for (const i of insns) {
    out.push(...slotBytes(i.opcode, i.dst, i.src, i.offset, i.imm));
    if (i.opcode === LDDW_OPCODE) {
      const high = Number(((i.imm64 ?? 0n) >> 32n) & 0xffffffffn);
      out.push(...slotBytes(0, 0, 0, 0, high));
    }
  }
  return Uint8Array.from(out);
}

const fromHex = (s: string): Uint8Array =>
  Uint8Array.from(s.trim().split(/\s+/).map((b) => parseInt(b, 16)));
const toHex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');

function valuesOf(rule: FieldRule, kind: 'reg' | 'offset' | 'imm'): number[] {
  if (rule === 'zero') return [0];
  if (typeof rule === 'object') return [rule.exact];
  if (rule === 'reg') return REGS;
  return kind === 'offset' ? OFFSETS : IMMS;
}

const LDDW_VALUES: readonly bigint[] = [
  0n, 1n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x1_0000_0000n, 0x1_ffff_ffffn,
  0x1_8000_0000n, 0xffff_ffff_8000_0000n, 0x7fff_ffff_ffff_ffffn, 0x8000_0000_0000_0000n,
  0xffff_ffff_ffff_fffen, 0xffff_ffff_ffff_ffffn, 0xdead_beef_cafe_baben, 0x0000_0001_8000_0001n,
];

/** A spread of instructions for one form: all registers, all edge offsets and imms. */
function representatives(form: InsnForm): Instruction[] {
  const dsts = valuesOf(form.dst, 'reg');
  const srcs = valuesOf(form.src, 'reg');
  const offs = valuesOf(form.offset, 'offset');
  const imms = valuesOf(form.imm, 'imm');
  const out: Instruction[] = [];
  if (form.kind === 'lddw') {
    const src = (form.src as { exact: number }).exact;
    for (const d of dsts) {
      for (const v of LDDW_VALUES) out.push(lddw(d, v, src));
    }
    return out;
  }
  // every (dst, src) pair, cycling through the offset and imm edges
  let k = 0;
  for (const d of dsts) {
    for (const s of srcs) {
      out.push(insn(form.opcode, d, s, offs[k % offs.length]!, imms[(k * 3) % imms.length]!));
      k++;
    }
  }
  // every (offset, imm) pair, cycling through the registers
  k = 0;
  for (const o of offs) {
    for (const m of imms) {
      out.push(insn(form.opcode, dsts[k % dsts.length]!, srcs[(k * 7) % srcs.length]!, o, m));
      k++;
    }
  }
  return out;
}

describe('round trip: encode -> decode -> encode is byte-exact for every form', () => {
  let total = 0;
  for (const form of INSTRUCTION_FORMS) {
    const label = `${form.name} (${hex2(form.opcode)}` +
      (typeof form.src === 'object' ? ` src=${form.src.exact}` : '') +
      (typeof form.offset === 'object' ? ` off=${form.offset.exact}` : '') +
      (typeof form.imm === 'object' ? ` imm=${hex2(form.imm.exact)}` : '') + ')';
    test(label, () => {
      const insns = representatives(form);
      total += insns.length;
      const bytes = encode(insns);
      assert.equal(toHex(bytes), toHex(handEncode(insns)), 'encoder disagrees with the hand encoding');
      const decoded = decode(bytes);
      assert.deepEqual(decoded, insns);
      for (const d of decoded) assert.equal(formOf(d), form, `${JSON.stringify(d, (_, v) => typeof v === 'bigint' ? v.toString() : v)} decodes to another form`);
      assert.deepEqual(encode(decoded), bytes);
    });
  }
  test('covered every form (sanity)', () => {
    assert.equal(INSTRUCTION_FORMS.length, 171);
    assert.ok(total > 5000, `only ${total} instructions`);
  });
});

describe('all 256 opcode bytes with zero fields', () => {
  /** Does the table accept an all-zero instruction with this opcode? */
  const acceptsZero = (opcode: number): boolean =>
    formsOf(opcode).some((f) => (['src', 'offset', 'imm'] as const).every((k) => {
      const r = f[k];
      return typeof r !== 'object' || r.exact === 0;
    }));

  test('accept/reject set matches the table', () => {
    const accepted: number[] = [];
    const rejectedKnown: number[] = [];
    for (let opcode = 0; opcode < 256; opcode++) {
      const bytes = new Uint8Array(8);
      bytes[0] = opcode;
      let result: Instruction[] | IsaError;
      try {
        result = decode(bytes);
      } catch (err) {
        assert.ok(err instanceof IsaError, `${hex2(opcode)} threw ${String(err)}`);
        result = err;
      }
      if (opcode === LDDW_OPCODE) {
        assert.ok(result instanceof IsaError);
        assert.equal(result.code, IsaErrorCode.BAD_LDDW, 'a lone lddw slot is truncated');
        assert.equal(result.pc, 0);
        continue;
      }
      if (formsOf(opcode).length === 0) {
        assert.ok(result instanceof IsaError, `${hex2(opcode)} is not in the table but decoded`);
        assert.equal(result.code, IsaErrorCode.UNKNOWN_OPCODE);
        assert.match(result.message, /unknown opcode/);
        continue;
      }
      if (acceptsZero(opcode)) {
        assert.ok(!(result instanceof IsaError), `${hex2(opcode)}: ${result instanceof IsaError ? result.message : ''}`);
        assert.deepEqual(result, [{ opcode, dst: 0, src: 0, offset: 0, imm: 0 }]);
        accepted.push(opcode);
      } else {
        assert.ok(result instanceof IsaError, `${hex2(opcode)} with zero discriminator decoded`);
        assert.equal(result.code, IsaErrorCode.UNKNOWN_OPCODE);
        assert.match(result.message, /names no instruction/);
        rejectedKnown.push(opcode);
      }
    }
    // Only the byte swaps need a non-zero discriminator (imm = width).
    assert.deepEqual(rejectedKnown.map(hex2), ['0xd4', '0xd7', '0xdc']);
    assert.equal(accepted.length, 126 - 1 - 3);
  });

  test('lddw with a zero second slot decodes to imm64 0', () => {
    const d = decode(new Uint8Array([0x18, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    assert.deepEqual(d, [{ opcode: 0x18, dst: 0, src: 0, offset: 0, imm: 0, imm64: 0n }]);
  });

  test('every opcode byte accepted with its own discriminator, zero elsewhere', () => {
    for (const form of INSTRUCTION_FORMS) {
      const ex = (r: FieldRule): number => (typeof r === 'object' ? r.exact : 0);
      const slot = slotBytes(form.opcode, 0, ex(form.src), ex(form.offset), ex(form.imm));
      const bytes = form.kind === 'lddw' ? [...slot, ...slotBytes(0, 0, 0, 0, 0)] : slot;
      const d = decode(Uint8Array.from(bytes));
      assert.equal(d.length, 1);
      assert.equal(formOf(d[0]!), form, form.name);
    }
  });
});

describe('lddw', () => {
  test('every pseudo src with every 64-bit immediate', () => {
    for (let src = 0; src <= 6; src++) {
      for (const value of LDDW_VALUES) {
        for (const dst of [0, 5, 10]) {
          const lo = Number(value & 0xffffffffn);
          const hi = Number(value >> 32n);
          const bytes = Uint8Array.from([...slotBytes(0x18, dst, src, 0, lo), ...slotBytes(0, 0, 0, 0, hi)]);
          const [d, ...rest] = decode(bytes);
          assert.equal(rest.length, 0);
          assert.equal(d!.imm64, value, `src ${src} value 0x${value.toString(16)}`);
          assert.equal(d!.imm, lo | 0, 'imm is the low half, sign-extended');
          assert.equal(d!.src, src);
          assert.equal(d!.dst, dst);
          assert.equal(widthOf(d!), 2);
          assert.equal(lddwHigh(d!), hi | 0);
          assert.deepEqual(encode([d!]), bytes);
          assert.deepEqual(d, lddw(dst, value, src));
        }
      }
    }
  });

  test('all-ones and negative-low-half immediates, byte for byte', () => {
    const allOnes = lddw(1, 0xffff_ffff_ffff_ffffn);
    assert.equal(allOnes.imm, -1);
    assert.equal(toHex(encode([allOnes])), '18 01 00 00 ff ff ff ff 00 00 00 00 ff ff ff ff');
    // low half 0x80000000 (negative as s32), high half 1
    const negLow = lddw(2, 0x1_8000_0000n);
    assert.equal(negLow.imm, S32_MIN);
    assert.equal(toHex(encode([negLow])), '18 02 00 00 00 00 00 80 00 00 00 00 01 00 00 00');
    assert.deepEqual(decode(encode([negLow])), [negLow]);
    // low half 0xffffffff with a zero high half is +4294967295, not -1
    const d = decode(fromHex('18 09 00 00 ff ff ff ff 00 00 00 00 00 00 00 00'))[0]!;
    assert.equal(d.imm64, 0xffffffffn);
    assert.equal(d.imm, -1);
  });

  test('the lddw helper takes any bigint or number modulo 2^64', () => {
    assert.equal(lddw(0, -1n).imm64, 0xffff_ffff_ffff_ffffn);
    assert.equal(lddw(0, -1).imm64, 0xffff_ffff_ffff_ffffn);
    assert.equal(lddw(0, 1n << 64n).imm64, 0n);
    assert.equal(lddw(0, (1n << 64n) + 5n).imm64, 5n);
    assert.equal(lddw(0, -0x8000_0000n).imm, S32_MIN);
  });

  test('instructions after an lddw are at pc + 2 and round-trip', () => {
    const prog = [lddw(1, 0x1122_3344_5566_7788n), insn(0x95, 0, 0, 0, 0), lddw(2, -2n, 1), insn(0xbf, 0, 1, 0, 0)];
    const bytes = encode(prog);
    assert.equal(bytes.length, 8 * 6);
    assert.equal(bytes[16], 0x95);
    assert.equal(bytes[24], 0x18);
    assert.equal(bytes[40], 0xbf);
    assert.deepEqual(decode(bytes), prog);
  });
});

describe('known encodings', () => {
  const cases: [string, string, Instruction][] = [
    ['r1 += 0x11223344', '07 01 00 00 44 33 22 11', insn(0x07, 1, 0, 0, 0x11223344)],
    ['exit', '95 00 00 00 00 00 00 00', insn(0x95, 0, 0, 0, 0)],
    ['r1 = r2', 'bf 21 00 00 00 00 00 00', insn(0xbf, 1, 2, 0, 0)],
    ['r1 = (s8)r2', 'bf 21 08 00 00 00 00 00', insn(0xbf, 1, 2, 8, 0)],
    ['w3 s/= -1', '34 03 01 00 ff ff ff ff', insn(0x34, 3, 0, 1, -1)],
    ['w0 = cmpxchg32(r1 - 16, w0, w2)', 'c3 21 f0 ff f1 00 00 00', insn(0xc3, 1, 2, -16, 0xf1)],
    ['call pc+5', '85 10 00 00 05 00 00 00', insn(0x85, 0, 1, 0, 5)],
    ['gotol -2^31', '06 00 00 00 00 00 00 80', insn(0x06, 0, 0, 0, S32_MIN)],
    ['if r10 s<= r9 goto -32768', 'dd 9a 00 80 00 00 00 00', insn(0xdd, 10, 9, -32768, 0)],
    ['*(u64 *)(r10 + 32767) = r10', '7b aa ff 7f 00 00 00 00', insn(0x7b, 10, 10, 32767, 0)],
    ['r0 = be64 r0', 'dc 00 00 00 40 00 00 00', insn(0xdc, 0, 0, 0, 64)],
    ['r0 = *(u16 *)skb[r7 + 2]', '48 70 00 00 02 00 00 00', insn(0x48, 0, 7, 0, 2)],
    ['callx r8', '8d 08 00 00 00 00 00 00', insn(0x8d, 8, 0, 0, 0)],
  ];
  for (const [what, hex, ins] of cases) {
    test(what, () => {
      assert.equal(toHex(encode([ins])), hex);
      assert.deepEqual(decode(fromHex(hex)), [ins]);
    });
  }

  test('decoding a subarray view honours its byte offset', () => {
    const buf = fromHex('ff ff ff 07 01 00 00 44 33 22 11 95 00 00 00 00 00 00 00 ff');
    const view = buf.subarray(3, 19);
    assert.deepEqual(decode(view), [insn(0x07, 1, 0, 0, 0x11223344), insn(0x95, 0, 0, 0, 0)]);
  });

  test('empty bytecode decodes to no instructions (checkProgram rejects it)', () => {
    assert.deepEqual(decode(new Uint8Array(0)), []);
  });
});

describe('encoder field ranges', () => {
  const rejects = (i: Instruction, re: RegExp): void => {
    assert.throws(() => encode([insn(0x95, 0, 0, 0, 0), i]), (err: unknown) => {
      assert.ok(err instanceof IsaError);
      assert.equal(err.code, IsaErrorCode.FIELD_RANGE);
      assert.equal(err.pc, 1);
      assert.match(err.message, re);
      return true;
    });
  };
  test('out-of-range fields are refused, not truncated', () => {
    rejects({ opcode: 0x100, dst: 0, src: 0, offset: 0, imm: 0 }, /opcode 256/);
    rejects({ opcode: -1, dst: 0, src: 0, offset: 0, imm: 0 }, /opcode -1/);
    rejects({ opcode: 0x07, dst: 16, src: 0, offset: 0, imm: 0 }, /dst 16/);
    rejects({ opcode: 0x0f, dst: 0, src: -1, offset: 0, imm: 0 }, /src -1/);
    rejects({ opcode: 0x0f, dst: 0, src: 1.5, offset: 0, imm: 0 }, /src 1.5/);
    rejects({ opcode: 0x05, dst: 0, src: 0, offset: 32768, imm: 0 }, /offset 32768/);
    rejects({ opcode: 0x05, dst: 0, src: 0, offset: -32769, imm: 0 }, /offset -32769/);
    rejects({ opcode: 0x07, dst: 0, src: 0, offset: 0, imm: 2 ** 32 }, /imm 4294967296/);
    rejects({ opcode: 0x07, dst: 0, src: 0, offset: 0, imm: S32_MIN - 1 }, /imm -2147483649/);
    rejects({ opcode: 0x07, dst: 0, src: 0, offset: 0, imm: Number.NaN }, /imm NaN/);
    rejects({ ...lddw(1, 0x1_0000_0002n), imm: 3 }, /disagrees/);
  });
  test('an unsigned imm is the same bits as its signed twin', () => {
    assert.deepEqual(encode([{ opcode: 0x07, dst: 1, src: 0, offset: 0, imm: 0xffffffff }]),
      encode([insn(0x07, 1, 0, 0, -1)]));
  });
  test('the encoder does not validate forms (decode does)', () => {
    const bytes = encode([insn(0xff, 15, 15, 0, 0)]);
    assert.equal(toHex(bytes), 'ff ff 00 00 00 00 00 00');
    assert.throws(() => decode(bytes), (e: unknown) => e instanceof IsaError && e.code === IsaErrorCode.UNKNOWN_OPCODE);
  });
});
