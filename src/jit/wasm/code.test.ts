import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodeBuilder } from './code.js';
import { WasmEncodeError, WasmErrorCode } from './errors.js';
import { AtomicOp, BlockType, MiscOp, Op, ValType } from './opcodes.js';

const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');
const isCode = (code: string) => (e: unknown): boolean => e instanceof WasmEncodeError && e.code === code;
/** The instruction bytes of a body with no locals: drops the leading 00 and trailing 0b. */
const code = (c: CodeBuilder): string => hex(c.finish().subarray(1, -1));

test('an empty body is an empty locals vector and end', () => {
  assert.equal(hex(new CodeBuilder([]).finish()), '00 0b');
});

test('locals follow the parameters and are declared in runs of one type', () => {
  const c = new CodeBuilder([ValType.I64]);
  assert.deepEqual([ValType.I32, ValType.I32, ValType.I64, ValType.I32].map((t) => c.addLocal(t)), [1, 2, 3, 4]);
  assert.equal(c.localCount, 5);
  assert.equal(c.localType(0), ValType.I64);
  assert.equal(c.localType(3), ValType.I64);
  c.localGet(4).op(Op.DROP);
  assert.equal(hex(c.finish()), '03 02 7f 01 7e 01 7f 20 04 1a 0b');
});

test('constants', () => {
  assert.equal(code(new CodeBuilder([]).i32Const(-1).i32Const(0xffffffff).i32Const(64)), '41 7f 41 7f 41 c0 00');
  assert.equal(code(new CodeBuilder([]).i64Const(2n ** 64n - 1n).i64Const(-64).i64Const(2n ** 63n - 1n)),
    '42 7f 42 40 42 ff ff ff ff ff ff ff ff ff 00');
  assert.equal(code(new CodeBuilder([]).f64Const(1.5)), '44 00 00 00 00 00 00 f8 3f');
  assert.equal(code(new CodeBuilder([]).f64Const(-0)), '44 00 00 00 00 00 00 00 80');
  assert.equal(code(new CodeBuilder([]).f32Const(-2)), '43 00 00 00 c0');
});

test('control flow and depth', () => {
  const c = new CodeBuilder([ValType.I32]);
  assert.equal(c.depth, 0);
  c.block();
  assert.equal(c.depth, 1);
  c.loop(BlockType.I64);
  assert.equal(c.depth, 2);
  c.localGet(0).if();
  assert.equal(c.depth, 3);
  c.br(2).else();
  assert.equal(c.depth, 3, 'else keeps the if open');
  c.localGet(0).brTable([0, 1], 3).end();
  assert.equal(c.depth, 2);
  c.i64Const(0).localGet(0).brIf(0).end().op(Op.DROP).end().call(3).return();
  assert.equal(c.depth, 0);
  assert.equal(code(c), '02 40 03 7e 20 00 04 40 0c 02 05 20 00 0e 02 00 01 03 0b 42 00 20 00 0d 00 0b 1a 0b 10 03 0f');
});

test('memory access immediates: alignment defaults to natural, offset to 0', () => {
  const c = new CodeBuilder([]);
  c.load(Op.I64_LOAD).load(Op.I32_LOAD16_U, 6).load(Op.I64_LOAD, 0, 0).store(Op.I64_STORE32, 300).store(Op.I32_STORE8);
  assert.equal(code(c), '29 03 00 2f 01 06 29 00 00 3e 02 ac 02 3a 00 00');
  const a = new CodeBuilder([]);
  a.atomic(AtomicOp.I64_ATOMIC_RMW_CMPXCHG, 8).atomic(AtomicOp.I32_ATOMIC_RMW8_ADD_U).atomic(AtomicOp.ATOMIC_FENCE);
  assert.equal(code(a), 'fe 49 03 08 fe 20 00 00 fe 03 00');
  const m = new CodeBuilder([]);
  m.misc(MiscOp.MEMORY_COPY).misc(MiscOp.MEMORY_FILL).misc(MiscOp.I64_TRUNC_SAT_F64_U).memorySize().memoryGrow();
  assert.equal(code(m), 'fc 0a 00 00 fc 0b 00 fc 07 3f 00 40 00');
});

test('finish() can be called again and sees later code', () => {
  const c = new CodeBuilder([]);
  c.op(Op.NOP);
  assert.equal(hex(c.finish()), '00 01 0b');
  c.op(Op.NOP);
  assert.equal(hex(c.finish()), '00 01 01 0b');
});

test('unbalanced nesting is EBEE_WASM_UNBALANCED', () => {
  const unbalanced = isCode(WasmErrorCode.UNBALANCED);
  assert.throws(() => new CodeBuilder([]).end(), unbalanced);
  assert.throws(() => new CodeBuilder([]).else(), unbalanced);
  assert.throws(() => new CodeBuilder([]).block().else(), unbalanced);
  assert.throws(() => new CodeBuilder([]).i32Const(1).if().else().else(), unbalanced);
  assert.throws(() => new CodeBuilder([]).block().loop().end().finish(), (e: unknown) => unbalanced(e) && /block/.test((e as Error).message));
});

test('opcodes passed to the wrong method are EBEE_WASM_BAD_OPCODE', () => {
  const bad = isCode(WasmErrorCode.BAD_OPCODE);
  const c = new CodeBuilder([]);
  for (const op of [Op.BLOCK, Op.END, Op.ELSE, Op.BR, Op.I32_CONST, Op.I64_LOAD, Op.LOCAL_GET, Op.MEMORY_SIZE, 0xff, 0x100, -1, 1.5, NaN]) {
    assert.throws(() => c.op(op), bad, `op(${op})`);
  }
  assert.throws(() => c.load(Op.I32_STORE), bad);
  assert.throws(() => c.store(Op.I64_LOAD), bad);
  assert.throws(() => c.load(Op.I64_ADD), bad);
  assert.throws(() => c.atomic(0x04), bad);
  assert.throws(() => c.atomic(0x4f), bad, 'past the last cmpxchg');
  assert.throws(() => c.misc(0x08), bad, 'memory.init needs a data segment ebee never emits');
  assert.equal(c.codeLength, 0, 'nothing was written');
});

test('out-of-range immediates are EBEE_WASM_RANGE and write nothing', () => {
  const range = isCode(WasmErrorCode.RANGE);
  const c = new CodeBuilder([ValType.I32]);
  assert.throws(() => c.i32Const(2 ** 32), range);
  assert.throws(() => c.i32Const(0.5), range);
  assert.throws(() => c.i64Const(2n ** 64n), range);
  assert.throws(() => c.i64Const(-(2n ** 63n) - 1n), range);
  assert.throws(() => c.load(Op.I32_LOAD, 0, 3), range, 'alignment above natural');
  assert.throws(() => c.load(Op.I32_LOAD, -1), range);
  assert.throws(() => c.store(Op.I32_STORE, 2 ** 32), range);
  assert.throws(() => c.atomic(AtomicOp.I32_ATOMIC_LOAD, 0, 0), range, 'atomics need exactly natural alignment');
  assert.throws(() => c.atomic(AtomicOp.ATOMIC_FENCE, 4), range);
  assert.throws(() => c.block(0x55), range);
  assert.throws(() => c.addLocal(0x40 as never), range);
  assert.throws(() => new CodeBuilder([0x12 as never]), range);
  assert.throws(() => c.call(-1), range);
  assert.equal(c.codeLength, 0, 'a failed call leaves the body as it was');
  assert.equal(c.depth, 0);
});

test('indices the builder knows are checked: EBEE_WASM_BAD_INDEX', () => {
  const badIndex = isCode(WasmErrorCode.BAD_INDEX);
  const c = new CodeBuilder([ValType.I64]);
  c.addLocal(ValType.I32);
  assert.throws(() => c.localGet(2), badIndex);
  assert.throws(() => c.localSet(-1), badIndex);
  assert.throws(() => c.nameLocal(2, 'x'), badIndex);
  assert.throws(() => c.localType(7), badIndex);
  c.block();
  c.br(1); // the function body: allowed
  assert.throws(() => c.br(2), badIndex);
  assert.throws(() => c.brIf(-1), badIndex);
  assert.throws(() => c.brTable([0, 5], 0), badIndex);
  assert.throws(() => c.brTable([0], 1.5), badIndex);
  c.end();
  assert.equal(hex(c.finish()), '01 01 7f 02 40 0c 01 0b 0b', 'failed branches wrote nothing');
});
