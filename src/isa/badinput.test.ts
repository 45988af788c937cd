/**
 * Malformed bytecode and malformed programs: each gets an `IsaError` with its stable
 * code, the slot index in `err.pc`, and a message that names the slot (and the fault).
 * Then a seeded fuzz run: decode + checkProgram on random input never throws anything
 * but an `IsaError`, and whatever decodes re-encodes to the same bytes.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';

import { decode } from './decode.js';
import { encode } from './encode.js';
import { checkProgram, writesFramePointer } from './check.js';
import { IsaError, IsaErrorCode, type IsaErrorCodeValue } from './errors.js';
import { insn, lddw, LDDW_OPCODE, type Instruction } from './instruction.js';
import { INSTRUCTION_FORMS, type FieldRule } from './spec.js';
import { EbeeError } from '../errors.js';
import { mulberry32 as prng } from '../prng.test.fixture.js';

// ---- helpers ---------------------------------------------------------------------------

/** One 8-byte slot, little-endian, built by hand. */
function slot(opcode: number, dst = 0, src = 0, offset = 0, imm = 0): number[] {
  const off = offset & 0xffff;
  const im = imm >>> 0;
  return [opcode, ((src & 0xf) << 4) | (dst & 0xf), off & 0xff, off >>> 8,
    im & 0xff, (im >>> 8) & 0xff, (im >>> 16) & 0xff, im >>> 24];
}
const bytes = (...slots: number[][]): Uint8Array => Uint8Array.from(slots.flat());

const EXIT = slot(0x95);
const MOV_R0_0 = slot(0xb7, 0, 0, 0, 0);
/** A three-slot prefix (lddw + mov): the slot under test is then at pc 3, index 2. */
const PREFIX = [slot(0x18, 1, 0, 0, 7), slot(0, 0, 0, 0, 0), MOV_R0_0];
const AT = 3;

/** Asserts `fn` throws an IsaError with this code and pc, whose message names the slot and matches `re`. */
function expectIsa(fn: () => unknown, code: IsaErrorCodeValue, pc: number | undefined, re?: RegExp): IsaError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught !== undefined, `expected ${code}, nothing was thrown`);
  assert.ok(caught instanceof IsaError, `expected IsaError, got ${String(caught)}`);
  assert.ok(caught instanceof EbeeError);
  assert.equal(caught.name, 'IsaError');
  assert.equal(caught.code, code, caught.message);
  assert.equal(caught.pc, pc, caught.message);
  if (pc !== undefined) assert.ok(caught.message.startsWith(`insn ${pc}: `), `message does not name insn ${pc}: ${caught.message}`);
  if (re) assert.match(caught.message, re);
  return caught;
}

/** Decodes PREFIX + the slot under test + exit, and expects the error at pc 3. */
function expectBadSlot(s: number[], code: IsaErrorCodeValue, re?: RegExp): IsaError {
  return expectIsa(() => decode(bytes(...PREFIX, s, EXIT)), code, AT, re);
}

/** Builds instructions directly (bypassing decode) for checkProgram tests. */
const I = (opcode: number, dst = 0, src = 0, offset = 0, imm = 0): Instruction => insn(opcode, dst, src, offset, imm);
const exit = I(0x95);
const mov0 = I(0xb7, 0, 0, 0, 0);

// ---- decode: length and lddw framing -------------------------------------------------------

describe('decode: bad length', () => {
  for (const len of [1, 7, 9, 15, 17, 23]) {
    test(`${len} bytes`, () => {
      const b = new Uint8Array(len);
      for (let i = 0; i + 8 <= len; i += 8) b[i] = 0x95;
      const err = expectIsa(() => decode(b), IsaErrorCode.BAD_LENGTH, Math.floor(len / 8),
        new RegExp(`length ${len} is not a multiple of 8 \\(${len % 8} trailing bytes\\)`));
      assert.equal(err.pc, Math.floor(len / 8), 'pc names the incomplete slot');
    });
  }
  test('the length check comes before anything else', () => {
    // garbage opcode in slot 0, but the length is what is reported
    expectIsa(() => decode(Uint8Array.from([0xff, 0xff, 0, 0, 0, 0, 0, 0, 1])), IsaErrorCode.BAD_LENGTH, 1);
  });
});

describe('decode: lddw framing', () => {
  test('truncated: lddw is the last slot', () => {
    expectIsa(() => decode(bytes(slot(0x18, 1, 0, 0, 5))), IsaErrorCode.BAD_LDDW, 0, /last slot/);
    expectIsa(() => decode(bytes(...PREFIX, slot(0x18, 2, 0, 0, -1))), IsaErrorCode.BAD_LDDW, AT, /lddw is the last slot/);
  });
  test('truncated lddw with any pseudo src', () => {
    for (let src = 0; src <= 6; src++) {
      expectIsa(() => decode(bytes(MOV_R0_0, slot(0x18, 0, src))), IsaErrorCode.BAD_LDDW, 1);
    }
  });
  const badSeconds: [string, number[], RegExp][] = [
    ['non-zero opcode', slot(0x95, 0, 0, 0, 0), /opcode 0x95/],
    ['an lddw opcode', slot(0x18, 0, 0, 0, 0), /opcode 0x18/],
    ['non-zero dst', slot(0, 1, 0, 0, 0), /regs 1\/0/],
    ['non-zero src', slot(0, 0, 3, 0, 0), /regs 0\/3/],
    ['dst 15', slot(0, 15, 0, 0, 0), /regs 15\/0/],
    ['non-zero offset', slot(0, 0, 0, 1, 0), /offset 1/],
    ['negative offset', slot(0, 0, 0, -32768, 0), /offset -32768/],
  ];
  for (const [what, second, re] of badSeconds) {
    test(`malformed second slot: ${what}`, () => {
      // the second slot (pc AT + 1) is named
      const err = expectBadSlotAt(bytes(...PREFIX, slot(0x18, 3, 0, 0, 1), second, EXIT), AT + 1, re);
      assert.match(err.message, /second slot of lddw/);
    });
  }
  test('second slot may hold any imm', () => {
    for (const hi of [0, 1, -1, 0x7fffffff, -0x80000000]) {
      const [d] = decode(bytes(slot(0x18, 3, 0, 0, 0), slot(0, 0, 0, 0, hi)));
      assert.equal(d!.imm64, BigInt(hi >>> 0) << 32n);
    }
  });
  function expectBadSlotAt(b: Uint8Array, pc: number, re: RegExp): IsaError {
    return expectIsa(() => decode(b), IsaErrorCode.BAD_LDDW, pc, re);
  }
});

// ---- decode: opcode, reserved fields, discriminators, registers -----------------------------

describe('decode: unknown opcodes', () => {
  const unknown: [number, string][] = [
    [0x00, 'lddw second-slot pseudo opcode on its own'],
    [0xff, 'nothing'],
    [0x8c, 'neg32 with source X'],
    [0x8f, 'neg with source X'],
    [0xdf, 'ALU64 END with source X'],
    [0xe4, 'ALU code 0xe'],
    [0xf7, 'ALU64 code 0xf'],
    [0x0d, 'ja with source X'],
    [0x0e, 'JMP32 ja with source X'],
    [0x86, 'call in JMP32'],
    [0x96, 'exit in JMP32'],
    [0x8e, 'callx in JMP32'],
    [0x9d, 'exit with source X'],
    [0xe5, 'JMP code 0xe'],
    [0xf5, 'JMP code 0xf'],
    [0x38, 'ldabs dw'],
    [0x58, 'ldind dw'],
    [0x10, 'ld imm h'],
    [0x60, 'LD mode MEM'],
    [0x01, 'LDX mode IMM'],
    [0x99, 'ldxs dw (no MEMSX dw)'],
    [0x82, 'ST MEMSX'],
    [0xc2, 'ST ATOMIC'],
    [0xcb, 'atomic half word'],
    [0xd3, 'atomic byte'],
    [0xe3, 'STX mode 7'],
    [0xa1, 'LDX mode 5'],
  ];
  for (const [opcode, what] of unknown) {
    test(`0x${opcode.toString(16).padStart(2, '0')}: ${what}`, () => {
      expectBadSlot(slot(opcode, 1, 0, 0, 0), IsaErrorCode.UNKNOWN_OPCODE,
        new RegExp(`unknown opcode 0x${opcode.toString(16).padStart(2, '0')}`));
    });
  }
});

describe('decode: non-zero reserved fields', () => {
  const cases: [string, number[], string, number][] = [
    ['ALU64 K with src', slot(0x07, 1, 2, 0, 5), 'src', 2],
    ['ALU32 K with src', slot(0x04, 1, 15, 0, 5), 'src', 15],
    ['ALU64 X with imm', slot(0x0f, 1, 2, 0, 1), 'imm', 1],
    ['ALU32 X with imm', slot(0x0c, 1, 2, 0, -1), 'imm', -1],
    ['ALU K with offset', slot(0x07, 1, 0, 1, 5), 'offset', 1],
    ['lsh X with offset', slot(0x6f, 1, 2, -1, 0), 'offset', -1],
    ['mov K with offset', slot(0xb7, 1, 0, 8, 0), 'offset', 8],
    ['mov X with imm', slot(0xbf, 1, 2, 0, 7), 'imm', 7],
    ['movsx with imm', slot(0xbf, 1, 2, 16, 7), 'imm', 7],
    ['neg with src', slot(0x87, 1, 1, 0, 0), 'src', 1],
    ['neg32 with imm', slot(0x84, 1, 0, 0, 3), 'imm', 3],
    ['neg with offset', slot(0x87, 1, 0, 2, 0), 'offset', 2],
    ['end (be) with offset', slot(0xdc, 1, 0, 1, 16), 'offset', 1],
    ['end (le) with src', slot(0xd4, 1, 2, 0, 32), 'src', 2],
    ['bswap with offset', slot(0xd7, 1, 0, -5, 64), 'offset', -5],
    ['exit with imm', slot(0x95, 0, 0, 0, 1), 'imm', 1],
    ['exit with dst', slot(0x95, 1, 0, 0, 0), 'dst', 1],
    ['exit with src', slot(0x95, 0, 4, 0, 0), 'src', 4],
    ['exit with offset', slot(0x95, 0, 0, 3, 0), 'offset', 3],
    ['ja with dst', slot(0x05, 1, 0, 0, 0), 'dst', 1],
    ['ja with src', slot(0x05, 0, 1, 0, 0), 'src', 1],
    ['ja with imm', slot(0x05, 0, 0, 0, 9), 'imm', 9],
    ['gotol with offset', slot(0x06, 0, 0, 1, 0), 'offset', 1],
    ['gotol with dst', slot(0x06, 2, 0, 0, 0), 'dst', 2],
    ['jeq K with src', slot(0x15, 1, 2, 0, 0), 'src', 2],
    ['jeq X with imm', slot(0x1d, 1, 2, 0, 1), 'imm', 1],
    ['jlt32 X with imm', slot(0xae, 1, 2, 0, 1), 'imm', 1],
    ['call with dst', slot(0x85, 1, 0, 0, 1), 'dst', 1],
    ['helper call with offset', slot(0x85, 0, 0, 1, 1), 'offset', 1],
    ['local call with offset', slot(0x85, 0, 1, 1, 0), 'offset', 1],
    ['callx with imm', slot(0x8d, 1, 0, 0, 1), 'imm', 1],
    ['callx with src', slot(0x8d, 1, 2, 0, 0), 'src', 2],
    ['ldx with imm', slot(0x79, 1, 2, 0, 1), 'imm', 1],
    ['ldxs with imm', slot(0x91, 1, 2, 0, 1), 'imm', 1],
    ['st with src', slot(0x62, 1, 2, 0, 1), 'src', 2],
    ['stx with imm', slot(0x7b, 1, 2, 0, 1), 'imm', 1],
    ['stxb with imm', slot(0x73, 1, 2, 0, -1), 'imm', -1],
    ['ldabs with dst', slot(0x20, 1, 0, 0, 0), 'dst', 1],
    ['ldabs with src', slot(0x28, 0, 1, 0, 0), 'src', 1],
    ['ldabs with offset', slot(0x30, 0, 0, 1, 0), 'offset', 1],
    ['ldind with dst', slot(0x40, 1, 1, 0, 0), 'dst', 1],
    ['ldind with offset', slot(0x50, 0, 1, 4, 0), 'offset', 4],
    ['lddw with offset', slot(0x18, 1, 0, 1, 0), 'offset', 1],
  ];
  for (const [what, s, field, value] of cases) {
    test(what, () => {
      const isLddw = s[0] === LDDW_OPCODE;
      const b = isLddw ? bytes(...PREFIX, s, slot(0), EXIT) : bytes(...PREFIX, s, EXIT);
      expectIsa(() => decode(b), IsaErrorCode.RESERVED_FIELD, AT,
        new RegExp(`reserved field ${field} is ${value}, must be 0`));
    });
  }
});

describe('decode: bad discriminators', () => {
  const cases: [string, number[]][] = [
    ['div with offset 2', slot(0x3f, 1, 2, 2, 0)],
    ['div32 K with offset -1', slot(0x34, 1, 0, -1, 3)],
    ['mod with offset 8', slot(0x97, 1, 0, 8, 3)],
    ['movsx with offset 64', slot(0xbf, 1, 2, 64, 0)],
    ['movsx32 with offset 32 (ALU64 only)', slot(0xbc, 1, 2, 32, 0)],
    ['movsx with offset 1', slot(0xbf, 1, 2, 1, 0)],
    ['atomic with imm 0x02', slot(0xdb, 1, 2, 0, 0x02)],
    ['atomic32 with imm 0x10 (sub)', slot(0xc3, 1, 2, 0, 0x10)],
    ['xchg without fetch (0xe0)', slot(0xdb, 1, 2, 0, 0xe0)],
    ['cmpxchg without fetch (0xf0)', slot(0xc3, 1, 2, 0, 0xf0)],
    ['atomic with imm -1', slot(0xdb, 1, 2, 0, -1)],
    ['be with imm 8', slot(0xdc, 1, 0, 0, 8)],
    ['le with imm 0', slot(0xd4, 1, 0, 0, 0)],
    ['bswap with imm 128', slot(0xd7, 1, 0, 0, 128)],
    ['bswap with imm 0x10000010', slot(0xd7, 1, 0, 0, 0x10000010)],
    ['call with src 3', slot(0x85, 0, 3, 0, 1)],
    ['call with src 15', slot(0x85, 0, 15, 0, 1)],
  ];
  for (const [what, s] of cases) {
    test(what, () => {
      expectBadSlot(s, IsaErrorCode.UNKNOWN_OPCODE, /names no instruction/);
    });
  }
  test('lddw with src 7..15', () => {
    for (let src = 7; src <= 15; src++) {
      expectIsa(() => decode(bytes(...PREFIX, slot(0x18, 1, src), slot(0), EXIT)), IsaErrorCode.UNKNOWN_OPCODE, AT,
        new RegExp(`src ${src}, offset 0, imm 0 names no instruction`));
    }
  });
});

describe('decode: registers above r10', () => {
  for (let r = 11; r <= 15; r++) {
    test(`r${r}`, () => {
      const re = new RegExp(`register r${r} does not exist`);
      const dst = (s: number[]): void => void expectBadSlot(s, IsaErrorCode.BAD_REGISTER, new RegExp(`dst ${re.source}`));
      const src = (s: number[]): void => void expectBadSlot(s, IsaErrorCode.BAD_REGISTER, new RegExp(`src ${re.source}`));
      dst(slot(0x07, r, 0, 0, 1)); // ALU64 K
      dst(slot(0x0c, r, 1, 0, 0)); // ALU32 X
      src(slot(0x0f, 1, r, 0, 0)); // ALU64 X
      src(slot(0xbf, 1, r, 8, 0)); // movsx
      dst(slot(0x87, r));          // neg
      dst(slot(0xdc, r, 0, 0, 16)); // be16
      dst(slot(0x15, r, 0, 1, 0)); // jeq K
      src(slot(0xde, 1, r, 1, 0)); // jsle32 X
      dst(slot(0x8d, r));          // callx
      dst(slot(0x61, r, 1));       // ldx dst
      src(slot(0x61, 1, r));       // ldx src
      dst(slot(0x7a, r, 0, 0, 1)); // st
      dst(slot(0x63, r, 1));       // stx dst
      src(slot(0x63, 1, r));       // stx src
      src(slot(0xdb, 1, r, 0, 1)); // atomic src
      dst(slot(0xc3, r, 1, 0, 0xf1)); // cmpxchg dst
      src(slot(0x48, 0, r, 0, 0)); // ldind src
      expectIsa(() => decode(bytes(...PREFIX, slot(0x18, r, 0, 0, 0), slot(0), EXIT)), IsaErrorCode.BAD_REGISTER, AT, re);
    });
  }
});

test('decode reports the first bad slot', () => {
  // slot 1 unknown, slot 2 reserved field: slot 1 wins
  expectIsa(() => decode(bytes(EXIT, slot(0xff), slot(0x95, 0, 0, 0, 1))), IsaErrorCode.UNKNOWN_OPCODE, 1);
});

// ---- checkProgram -------------------------------------------------------------------------

describe('checkProgram: empty program', () => {
  test('no instructions', () => {
    const err = expectIsa(() => checkProgram([]), IsaErrorCode.EMPTY, undefined, /no instructions/);
    assert.equal(err.pc, undefined, 'there is no instruction to name');
  });
  test('empty bytecode decodes, then checkProgram refuses it', () => {
    expectIsa(() => checkProgram(decode(new Uint8Array(0))), IsaErrorCode.EMPTY, undefined);
  });
});

describe('checkProgram: jump targets', () => {
  test('in-range jumps are accepted, including to the first and last slot', () => {
    checkProgram([I(0x05, 0, 0, 2), lddw(1, 0n), exit]); // over an lddw onto exit (target 3)
    checkProgram([mov0, I(0x05, 0, 0, -2), exit]); // back to pc 0
    checkProgram([I(0x05, 0, 0, -1), exit]); // to itself
    checkProgram([I(0x15, 1, 0, 0, 7), exit]); // +0
    checkProgram([I(0x06, 0, 0, 0, 1), mov0, exit]); // gotol +1
    checkProgram([mov0, I(0x1e, 1, 2, 0), exit]);
  });
  test('forward out of range', () => {
    expectIsa(() => checkProgram([I(0x05, 0, 0, 0)]), IsaErrorCode.JUMP_OUT_OF_RANGE, 0,
      /jump targets insn 1, outside the program \(0-0\)/);
    expectIsa(() => checkProgram([mov0, I(0x55, 1, 0, 2, 0), exit]), IsaErrorCode.JUMP_OUT_OF_RANGE, 1, /targets insn 4/);
    expectIsa(() => checkProgram([mov0, I(0x5e, 1, 2, 32767), exit]), IsaErrorCode.JUMP_OUT_OF_RANGE, 1, /targets insn 32769/);
  });
  test('backward out of range', () => {
    expectIsa(() => checkProgram([mov0, I(0x05, 0, 0, -3), exit]), IsaErrorCode.JUMP_OUT_OF_RANGE, 1,
      /jump targets insn -1, outside the program \(0-2\)/);
    expectIsa(() => checkProgram([I(0xd6, 1, 0, -32768, 0), exit]), IsaErrorCode.JUMP_OUT_OF_RANGE, 0, /targets insn -32767/);
  });
  test('gotol uses imm, not offset', () => {
    expectIsa(() => checkProgram([I(0x06, 0, 0, 0, 0x7fffffff), exit]), IsaErrorCode.JUMP_OUT_OF_RANGE, 0, /targets insn 2147483648/);
    expectIsa(() => checkProgram([mov0, I(0x06, 0, 0, 0, -0x80000000), exit]), IsaErrorCode.JUMP_OUT_OF_RANGE, 1, /targets insn -2147483646/);
    expectIsa(() => checkProgram([lddw(1, 0n), I(0x06, 0, 0, 0, -2), exit]), IsaErrorCode.JUMP_INTO_LDDW, 2, /targets insn 1/);
  });
  test('pc counts slots: the error names the jump\'s slot, after an lddw', () => {
    expectIsa(() => checkProgram([lddw(1, 5n), lddw(2, 6n), I(0x05, 0, 0, 5), exit]), IsaErrorCode.JUMP_OUT_OF_RANGE, 4,
      /^insn 4: jump targets insn 10/);
  });
  test('into the middle of an lddw, forward and backward', () => {
    expectIsa(() => checkProgram([I(0x05, 0, 0, 1), lddw(1, 0n), exit]), IsaErrorCode.JUMP_INTO_LDDW, 0,
      /jump targets insn 2, the second half of an lddw/);
    expectIsa(() => checkProgram([mov0, lddw(1, 0n), I(0x2d, 1, 2, -2), exit]), IsaErrorCode.JUMP_INTO_LDDW, 3,
      /targets insn 2/);
  });
  test('exit, helper calls and callx have no target', () => {
    checkProgram([I(0x85, 0, 0, 0, 0x7fffffff), I(0x85, 0, 2, 5, -1), I(0x8d, 1), exit]);
  });
});

describe('checkProgram: local calls and code addresses', () => {
  test('in range', () => {
    checkProgram([I(0x85, 0, 1, 0, 1), exit, mov0, exit]);
    checkProgram([lddw(1, 2n, 4), exit, mov0, exit]); // code_addr(pc + 1 + 2) = 3
  });
  test('local call out of range', () => {
    expectIsa(() => checkProgram([I(0x85, 0, 1, 0, 5), exit]), IsaErrorCode.JUMP_OUT_OF_RANGE, 0,
      /call targets insn 6, outside the program \(0-1\)/);
    expectIsa(() => checkProgram([mov0, I(0x85, 0, 1, 0, -3), exit]), IsaErrorCode.JUMP_OUT_OF_RANGE, 1, /call targets insn -1/);
  });
  test('local call into an lddw', () => {
    expectIsa(() => checkProgram([I(0x85, 0, 1, 0, 1), lddw(1, 0n), exit]), IsaErrorCode.JUMP_INTO_LDDW, 0,
      /call targets insn 2, the second half of an lddw/);
  });
  test('lddw src=4 code address out of range', () => {
    expectIsa(() => checkProgram([lddw(1, 5n, 4), exit]), IsaErrorCode.JUMP_OUT_OF_RANGE, 0,
      /code address targets insn 6, outside the program \(0-2\)/);
    expectIsa(() => checkProgram([mov0, lddw(1, -3n, 4), exit]), IsaErrorCode.JUMP_OUT_OF_RANGE, 1,
      /code address targets insn -1/);
  });
  test('lddw src=4 code address into an lddw', () => {
    expectIsa(() => checkProgram([lddw(1, 0n, 4), exit]), IsaErrorCode.JUMP_INTO_LDDW, 0, /code address targets insn 1/);
  });
  test('other lddw subtypes are not code addresses', () => {
    for (const src of [0, 1, 2, 3, 5, 6]) checkProgram([lddw(1, 0x7fff_ffff_ffff_ffffn, src), exit]);
  });
});

describe('checkProgram: writes to r10', () => {
  const writes: [string, Instruction][] = [
    ['ALU64 K', I(0x07, 10, 0, 0, 8)],
    ['ALU32 X', I(0x0c, 10, 1)],
    ['sdiv', I(0x3f, 10, 1, 1)],
    ['mov K', I(0xb7, 10, 0, 0, 0)],
    ['mov32 X', I(0xbc, 10, 1)],
    ['movsx', I(0xbf, 10, 1, 16)],
    ['neg', I(0x87, 10)],
    ['be16', I(0xdc, 10, 0, 0, 16)],
    ['bswap64', I(0xd7, 10, 0, 0, 64)],
    ['ldxdw', I(0x79, 10, 1, 0)],
    ['ldxsb', I(0x91, 10, 1, 0)],
    ['lddw', lddw(10, 1n)],
    ['lddw map_fd', lddw(10, 1n, 1)],
    ['atomic fetch add', I(0xdb, 1, 10, 0, 0x01)],
    ['atomic32 fetch or', I(0xc3, 1, 10, 0, 0x41)],
    ['atomic fetch and', I(0xdb, 1, 10, 0, 0x51)],
    ['atomic fetch xor', I(0xdb, 1, 10, 0, 0xa1)],
    ['xchg', I(0xdb, 1, 10, 0, 0xe1)],
    ['xchg32', I(0xc3, 10, 10, 0, 0xe1)],
  ];
  for (const [what, ins] of writes) {
    test(`rejected: ${what}`, () => {
      assert.equal(writesFramePointer(ins), true);
      expectIsa(() => checkProgram([mov0, ins, exit]), IsaErrorCode.WRITE_R10, 1, /r10 is the read-only frame pointer/);
    });
  }
  const fine: [string, Instruction][] = [
    ['stx through r10', I(0x7b, 10, 1, -8)],
    ['stx of r10 through r10', I(0x7b, 10, 10, -8)],
    ['st through r10', I(0x7a, 10, 0, -8, 1)],
    ['cmpxchg with src r10', I(0xdb, 1, 10, 0, 0xf1)],
    ['cmpxchg32 through r10 with src r10', I(0xc3, 10, 10, -8, 0xf1)],
    ['non-fetch atomic add with src r10', I(0xdb, 1, 10, 0, 0x00)],
    ['non-fetch atomic through r10', I(0xdb, 10, 1, -8, 0xa0)],
    ['fetch atomic through r10 into r1', I(0xdb, 10, 1, -8, 0x01)],
    ['mov from r10', I(0xbf, 1, 10)],
    ['ALU with src r10', I(0x0f, 1, 10)],
    ['ldx from r10', I(0x79, 1, 10, -8)],
    ['jump comparing r10', I(0x1d, 10, 10, 0)],
    ['callx r10', I(0x8d, 10)],
    ['ldind via r10', I(0x40, 0, 10, 0, 0)],
  ];
  for (const [what, ins] of fine) {
    test(`accepted: ${what}`, () => {
      assert.equal(writesFramePointer(ins), false);
      checkProgram([mov0, ins, exit]);
    });
  }
  test('every form with a dst register: r10 as dst is rejected exactly for the writing kinds', () => {
    const writingKinds = new Set(['alu', 'neg', 'end', 'mov', 'ldx', 'lddw']);
    for (const f of INSTRUCTION_FORMS) {
      if (f.dst !== 'reg') continue;
      const ex = (r: typeof f.src, dflt: number): number => (typeof r === 'object' ? r.exact : r === 'reg' ? 1 : dflt);
      const ins = f.kind === 'lddw'
        ? lddw(10, 0n, ex(f.src, 0))
        : I(f.opcode, 10, ex(f.src, 0), ex(f.offset, 0), ex(f.imm, 0));
      assert.equal(writesFramePointer(ins), writingKinds.has(f.kind), `${f.name} with dst r10`);
    }
  });
});

// ---- fuzz -----------------------------------------------------------------------------------


interface FuzzStats { cases: number; decoded: number; checked: number; decodeErrors: Map<string, number>; checkErrors: Map<string, number> }

/** Runs one input through decode + checkProgram and asserts the invariants. */
function fuzzOne(input: Uint8Array, stats: FuzzStats): void {
  stats.cases++;
  const ctx = (): string => `input [${[...input].map((b) => b.toString(16).padStart(2, '0')).join(' ')}]`;
  let insns: Instruction[];
  try {
    insns = decode(input);
  } catch (err) {
    if (!(err instanceof IsaError)) assert.fail(`decode threw a non-IsaError ${String(err)} for ${ctx()}`);
    assert.ok(err.pc !== undefined && err.pc >= 0 && err.pc <= Math.floor(input.length / 8), `bad pc ${err.pc} for ${ctx()}`);
    stats.decodeErrors.set(err.code, (stats.decodeErrors.get(err.code) ?? 0) + 1);
    return;
  }
  stats.decoded++;
  const again = encode(insns);
  if (again.length !== input.length || again.some((b, i) => b !== input[i])) {
    assert.fail(`encode(decode(x)) !== x for ${ctx()}`);
  }
  try {
    checkProgram(insns);
    stats.checked++;
  } catch (err) {
    if (!(err instanceof IsaError)) assert.fail(`checkProgram threw a non-IsaError ${String(err)} for ${ctx()}`);
    if (err.code !== IsaErrorCode.EMPTY) {
      assert.ok(err.pc !== undefined && err.pc >= 0 && err.pc < input.length / 8, `bad pc ${err.pc} for ${ctx()}`);
    }
    stats.checkErrors.set(err.code, (stats.checkErrors.get(err.code) ?? 0) + 1);
  }
}

const newStats = (): FuzzStats => ({ cases: 0, decoded: 0, checked: 0, decodeErrors: new Map(), checkErrors: new Map() });
const FUZZ_CASES = 20_000;
/** About 1 s each on an idle machine; the budget leaves room for a loaded CI box. */
const FUZZ_BUDGET_MS = 15_000;
let structuredStats: FuzzStats | undefined;

describe('fuzz', () => {
  test(`${FUZZ_CASES} random byte arrays (lengths 0-200)`, () => {
    const next = prng(0x5eed_ebee);
    const stats = newStats();
    const start = performance.now();
    for (let n = 0; n < FUZZ_CASES; n++) {
      const len = next() % 201;
      const input = new Uint8Array(len);
      for (let i = 0; i < len; i++) input[i] = next() & 0xff;
      fuzzOne(input, stats);
    }
    const ms = performance.now() - start;
    assert.equal(stats.cases, FUZZ_CASES);
    assert.ok(ms < FUZZ_BUDGET_MS, `took ${ms.toFixed(0)} ms`);
    // every length not a multiple of 8 fails the length check; most others hit a bad slot
    assert.ok((stats.decodeErrors.get(IsaErrorCode.BAD_LENGTH) ?? 0) > FUZZ_CASES * 0.8);
  });

  test(`${FUZZ_CASES} structured programs (instances of table forms, some damaged)`, () => {
    const next = prng(0xb0f_0669);
    const pick = <T>(xs: readonly T[]): T => xs[next() % xs.length]!;
    const pct = (p: number): boolean => next() % 100 < p;
    const reg = (): number => (pct(4) ? 10 : next() % 10);
    const value = (rule: FieldRule, kind: 'offset' | 'imm'): number => {
      if (rule === 'zero') return 0;
      if (typeof rule === 'object') return rule.exact;
      if (rule === 'reg') return reg();
      // jump distances and displacements mostly small, sometimes anything
      if (pct(80)) return (next() % 13) - 6;
      return kind === 'offset' ? (next() & 0xffff) - 0x8000 : next() | 0;
    };
    const stats = newStats();
    const start = performance.now();
    for (let n = 0; n < FUZZ_CASES; n++) {
      const count = next() % 26;
      const out: number[][] = [];
      for (let k = 0; k < count; k++) {
        const f = pick(INSTRUCTION_FORMS);
        out.push(slot(f.opcode, f.dst === 'reg' ? reg() : 0, value(f.src, 'offset'), value(f.offset, 'offset'), value(f.imm, 'imm')));
        if (f.kind === 'lddw') out.push(slot(0, 0, 0, 0, pct(50) ? 0 : next() | 0));
      }
      const flat = out.flat();
      // half the programs get damaged: a random byte, a flipped bit, or a truncation
      if (flat.length > 0 && pct(50)) {
        const how = next() % 3;
        if (how === 0) flat[next() % flat.length] = next() & 0xff;
        else if (how === 1) flat[next() % flat.length]! ^= 1 << (next() % 8);
        else flat.length -= 1 + (next() % Math.min(flat.length, 16));
      }
      fuzzOne(Uint8Array.from(flat), stats);
    }
    const ms = performance.now() - start;
    assert.equal(stats.cases, FUZZ_CASES);
    assert.ok(ms < FUZZ_BUDGET_MS, `took ${ms.toFixed(0)} ms`);
    // the structured inputs reach every outcome, so the round-trip property is exercised
    assert.ok(stats.decoded > FUZZ_CASES / 3, `only ${stats.decoded} decoded`);
    assert.ok(stats.checked > FUZZ_CASES / 20, `only ${stats.checked} passed checkProgram`);
    for (const code of [IsaErrorCode.UNKNOWN_OPCODE, IsaErrorCode.RESERVED_FIELD, IsaErrorCode.BAD_REGISTER,
      IsaErrorCode.BAD_LDDW, IsaErrorCode.BAD_LENGTH]) {
      assert.ok((stats.decodeErrors.get(code) ?? 0) > 0, `no ${code} produced`);
    }
    for (const code of [IsaErrorCode.EMPTY, IsaErrorCode.JUMP_OUT_OF_RANGE, IsaErrorCode.JUMP_INTO_LDDW, IsaErrorCode.WRITE_R10]) {
      assert.ok((stats.checkErrors.get(code) ?? 0) > 0, `no ${code} produced`);
    }
    structuredStats = stats;
  });

  test('fuzz outcome summary', (t) => {
    assert.ok(structuredStats, 'the structured run finished');
    const fmt = (m: Map<string, number>): string => [...m].map(([k, v]) => `${k.replace('EBEE_ISA_', '')}=${v}`).join(' ');
    t.diagnostic(`structured: ${structuredStats.cases} cases, ${structuredStats.decoded} decoded, ` +
      `${structuredStats.checked} passed checkProgram; decode errors ${fmt(structuredStats.decodeErrors)}; ` +
      `check errors ${fmt(structuredStats.checkErrors)}`);
  });

  test('mutations of a valid program: every single-bit flip', () => {
    const prog = [lddw(1, 0x1_8000_0000n), I(0xbf, 2, 1), I(0x15, 2, 0, 1, 0), I(0xdb, 10, 2, -8, 0x01),
      I(0x85, 0, 1, 0, 1), exit, I(0xb7, 0, 0, 0, 7), exit];
    const base = encode(prog);
    checkProgram(decode(base));
    const stats = newStats();
    for (let i = 0; i < base.length * 8; i++) {
      const m = base.slice();
      m[i >> 3]! ^= 1 << (i & 7);
      fuzzOne(m, stats);
    }
    assert.equal(stats.cases, base.length * 8);
    assert.ok(stats.decoded > 0 && stats.decodeErrors.size > 0);
  });
});
