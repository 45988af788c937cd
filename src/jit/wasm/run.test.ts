/** Modules built here are instantiated and run: the encoder's output does what it says. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodeBuilder } from './code.js';
import { ModuleBuilder } from './module.js';
import { AtomicOp, BlockType, MiscOp, Op, ValType } from './opcodes.js';

const { I32: i32, I64: i64, F64: f64 } = ValType;
type Exports = Record<string, (...args: (number | bigint)[]) => number | bigint>;

function instantiate(m: ModuleBuilder, imports: WebAssembly.Imports = {}): Exports {
  const bytes = m.toBytes();
  assert.ok(WebAssembly.validate(bytes));
  return new WebAssembly.Instance(new WebAssembly.Module(bytes), imports).exports as unknown as Exports;
}

test('i64 arithmetic wraps like 64-bit hardware', () => {
  const m = new ModuleBuilder();
  const c = new CodeBuilder([i64, i64]);
  // (a * b + a) ^ (b >>u 3) - 0x7fffffffffffffff
  c.localGet(0).localGet(1).op(Op.I64_MUL).localGet(0).op(Op.I64_ADD)
    .localGet(1).i64Const(3).op(Op.I64_SHR_U).op(Op.I64_XOR)
    .i64Const(0x7fffffffffffffffn).op(Op.I64_SUB);
  m.exportFunction('f', m.addFunction([i64, i64], [i64], c));
  const { f } = instantiate(m);
  const ref = (a: bigint, b: bigint): bigint => BigInt.asIntN(64, ((a * b + a) ^ (BigInt.asUintN(64, b) >> 3n)) - 0x7fffffffffffffffn);
  for (const [a, b] of [[1n, 2n], [-1n, -1n], [2n ** 62n, 4n], [-(2n ** 63n), 3n], [123456789123n, -987654321n]] as const) {
    assert.equal(f!(a, b), ref(a, b), `f(${a}, ${b})`);
  }
});

test('a loop that exits with br_if', () => {
  const m = new ModuleBuilder();
  const c = new CodeBuilder([i64]);
  const acc = c.addLocal(i64);
  const i = c.addLocal(i64);
  c.i64Const(1).localSet(i);
  c.block();
  c.loop();
  c.localGet(i).localGet(0).op(Op.I64_GT_U).brIf(1); // exit: block is one level out
  c.localGet(acc).localGet(i).op(Op.I64_ADD).localSet(acc);
  c.localGet(i).i64Const(1).op(Op.I64_ADD).localSet(i);
  c.br(0); // continue: the loop's label is its start
  c.end().end();
  c.localGet(acc);
  m.exportFunction('sum', m.addFunction([i64], [i64], c));
  const { sum } = instantiate(m);
  assert.equal(sum!(0n), 0n);
  assert.equal(sum!(100n), 5050n);
  assert.equal(sum!(100000n), 5000050000n);
});

test('branching out of a block with a value', () => {
  const m = new ModuleBuilder();
  const c = new CodeBuilder([i32]);
  c.block(BlockType.I32);
  c.i32Const(1).localGet(0).i32Const(10).op(Op.I32_LT_S).brIf(0);
  c.op(Op.DROP).i32Const(2);
  c.end();
  m.exportFunction('f', m.addFunction([i32], [i32], c));
  const { f } = instantiate(m);
  assert.equal(f!(3), 1);
  assert.equal(f!(-100), 1);
  assert.equal(f!(10), 2);
});

test('br_table dispatches on an index, with a default', () => {
  const m = new ModuleBuilder();
  const c = new CodeBuilder([i32]);
  // block(default) { block(2) { block(1) { block(0) { br_table 0 1 2 default } ret 10 } ret 20 } ret 30 } ret 99
  c.block().block().block().block();
  c.localGet(0).brTable([0, 1, 2], 3);
  c.end().i32Const(10).return();
  c.end().i32Const(20).return();
  c.end().i32Const(30).return();
  c.end().i32Const(99);
  m.exportFunction('f', m.addFunction([i32], [i32], c));
  const { f } = instantiate(m);
  assert.deepEqual([0, 1, 2, 3, 4, -1].map((x) => f!(x)), [10, 20, 30, 99, 99, 99]);
});

test('if / else and calls between functions, forward and recursive', () => {
  const m = new ModuleBuilder();
  // main(n) = fib(n) + 1, where fib is added after main.
  const main = new CodeBuilder([i32]);
  main.localGet(0).call(1).i32Const(1).op(Op.I32_ADD);
  m.exportFunction('main', m.addFunction([i32], [i32], main, 'main'));
  const fib = new CodeBuilder([i32]);
  fib.localGet(0).i32Const(2).op(Op.I32_LT_U).if(BlockType.I32);
  fib.localGet(0);
  fib.else();
  fib.localGet(0).i32Const(1).op(Op.I32_SUB).call(1).localGet(0).i32Const(2).op(Op.I32_SUB).call(1).op(Op.I32_ADD);
  fib.end();
  assert.equal(m.addFunction([i32], [i32], fib, 'fib'), 1);
  const { main: f } = instantiate(m);
  assert.equal(f!(0), 1);
  assert.equal(f!(10), 56);
  assert.equal(f!(20), 6766);
});

test('an imported JS function gets i64 as BigInt and i32 as number', () => {
  const m = new ModuleBuilder();
  const seen: unknown[] = [];
  const mix = m.importFunction('env', 'mix', [i64, i32], [i64]);
  const toF = m.importFunction('env', 'half', [f64], [f64]);
  const c = new CodeBuilder([i64, i32]);
  c.localGet(0).localGet(1).call(mix);
  c.localGet(0).op(Op.F64_CONVERT_I64_S).call(toF).op(Op.I64_TRUNC_F64_S).op(Op.I64_ADD);
  m.exportFunction('run', m.addFunction([i64, i32], [i64], c));
  const { run } = instantiate(m, {
    env: {
      mix: (a: bigint, b: number): bigint => { seen.push(a, b); return a * 2n + BigInt(b); },
      half: (x: number): number => x / 2,
    },
  });
  assert.equal(run!(-(2n ** 40n), -7), -(2n ** 41n) - 7n - 2n ** 39n);
  assert.deepEqual(seen, [-(2n ** 40n), -7]);
  assert.equal(typeof seen[0], 'bigint');
  assert.equal(typeof seen[1], 'number');
});

test('imported memory: loads and stores of every width and sign', () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const m = new ModuleBuilder();
  m.importMemory('env', 'memory', { minimum: 1 });
  const loads: [string, number, 'i32' | 'i64'][] = [
    ['I32_LOAD', Op.I32_LOAD, 'i32'], ['I32_LOAD8_S', Op.I32_LOAD8_S, 'i32'], ['I32_LOAD8_U', Op.I32_LOAD8_U, 'i32'],
    ['I32_LOAD16_S', Op.I32_LOAD16_S, 'i32'], ['I32_LOAD16_U', Op.I32_LOAD16_U, 'i32'],
    ['I64_LOAD', Op.I64_LOAD, 'i64'], ['I64_LOAD8_S', Op.I64_LOAD8_S, 'i64'], ['I64_LOAD8_U', Op.I64_LOAD8_U, 'i64'],
    ['I64_LOAD16_S', Op.I64_LOAD16_S, 'i64'], ['I64_LOAD16_U', Op.I64_LOAD16_U, 'i64'],
    ['I64_LOAD32_S', Op.I64_LOAD32_S, 'i64'], ['I64_LOAD32_U', Op.I64_LOAD32_U, 'i64'],
  ];
  for (const [name, op, t] of loads) {
    const c = new CodeBuilder([i32]);
    c.localGet(0).load(op, 16); // offset 16 is added to the address
    m.exportFunction(name, m.addFunction([i32], [t === 'i32' ? i32 : i64], c));
  }
  const stores: [string, number, 'i32' | 'i64'][] = [
    ['I32_STORE', Op.I32_STORE, 'i32'], ['I32_STORE8', Op.I32_STORE8, 'i32'], ['I32_STORE16', Op.I32_STORE16, 'i32'],
    ['I64_STORE', Op.I64_STORE, 'i64'], ['I64_STORE8', Op.I64_STORE8, 'i64'], ['I64_STORE16', Op.I64_STORE16, 'i64'],
    ['I64_STORE32', Op.I64_STORE32, 'i64'],
  ];
  for (const [name, op, t] of stores) {
    const c = new CodeBuilder([i32, t === 'i32' ? i32 : i64]);
    c.localGet(0).localGet(1).store(op, 0, 0); // deliberately under-aligned: still correct
    m.exportFunction(name, m.addFunction(c.params, [], c));
  }
  const e = instantiate(m, { env: { memory } });
  const view = new DataView(memory.buffer);
  for (let i = 0; i < 16; i++) view.setUint8(100 + 16 + i, 0xf0 + i); // every byte has its sign bit set
  const at = 100 + 16;
  const expect: Record<string, number | bigint> = {
    I32_LOAD: view.getInt32(at, true), I32_LOAD8_S: view.getInt8(at), I32_LOAD8_U: view.getUint8(at),
    I32_LOAD16_S: view.getInt16(at, true), I32_LOAD16_U: view.getUint16(at, true),
    I64_LOAD: view.getBigInt64(at, true), I64_LOAD8_S: BigInt(view.getInt8(at)), I64_LOAD8_U: BigInt(view.getUint8(at)),
    I64_LOAD16_S: BigInt(view.getInt16(at, true)), I64_LOAD16_U: BigInt(view.getUint16(at, true)),
    I64_LOAD32_S: BigInt(view.getInt32(at, true)), I64_LOAD32_U: BigInt(view.getUint32(at, true)),
  };
  for (const [name] of loads) assert.equal(e[name]!(100), expect[name], name);
  assert.ok((expect.I64_LOAD32_S as bigint) < 0n && (expect.I64_LOAD32_U as bigint) > 0n, 'sign matters for these bytes');

  const width: Record<string, number> = { I32_STORE: 4, I32_STORE8: 1, I32_STORE16: 2, I64_STORE: 8, I64_STORE8: 1, I64_STORE16: 2, I64_STORE32: 4 };
  for (const [name, , t] of stores) {
    new Uint8Array(memory.buffer, 200, 16).fill(0xaa);
    e[name]!(201, t === 'i32' ? 0x11223344 : 0x1122334455667788n);
    const bytes = [...new Uint8Array(memory.buffer, 200, 10)];
    const value = [0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11].slice(t === 'i32' ? 4 : 0);
    assert.deepEqual(bytes, [0xaa, ...value.slice(0, width[name]), ...Array(9 - width[name]!).fill(0xaa)], name);
  }
});

test('globals: mutable i64 exported to JS, immutable f64 read by code', () => {
  const m = new ModuleBuilder();
  const counter = m.addGlobal(i64, true, -(2n ** 63n));
  const scale = m.addGlobal(f64, false, 0.5);
  const small = m.addGlobal(i32, false, 0xffffffff);
  const bump = new CodeBuilder([i64]);
  bump.globalGet(counter).localGet(0).op(Op.I64_ADD).globalSet(counter).globalGet(counter);
  m.exportFunction('bump', m.addFunction([i64], [i64], bump));
  const half = new CodeBuilder([f64]);
  half.localGet(0).globalGet(scale).op(Op.F64_MUL);
  m.exportFunction('half', m.addFunction([f64], [f64], half));
  m.exportGlobal('counter', counter);
  m.exportGlobal('small', small);
  const e = instantiate(m) as unknown as { bump: (x: bigint) => bigint; half: (x: number) => number; counter: WebAssembly.Global; small: WebAssembly.Global };
  assert.equal(e.counter.value, -(2n ** 63n));
  assert.equal(e.bump(1n), -(2n ** 63n) + 1n);
  assert.equal(e.counter.value, -(2n ** 63n) + 1n);
  e.counter.value = 41n;
  assert.equal(e.bump(1n), 42n);
  assert.equal(e.half(5), 2.5);
  assert.equal(e.small.value, -1, 'an i32 global given as 0xffffffff holds -1');
});

test('shared memory: atomic RMW, cmpxchg, narrow ops, notify and fence', () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 4, shared: true });
  assert.ok(memory.buffer instanceof SharedArrayBuffer);
  const m = new ModuleBuilder();
  m.importMemory('env', 'memory', { minimum: 1, maximum: 4, shared: true });
  type ValTypeList = (typeof i32 | typeof i64)[];
  const fn = (name: string, params: ValTypeList, result: ValTypeList, op: number, offset = 0): void => {
    const c = new CodeBuilder(params);
    params.forEach((_, i) => c.localGet(i));
    c.atomic(op, offset);
    if (op === AtomicOp.ATOMIC_FENCE) c.i32Const(7);
    m.exportFunction(name, m.addFunction(params, result, c));
  };
  fn('add32', [i32, i32], [i32], AtomicOp.I32_ATOMIC_RMW_ADD);
  fn('sub64', [i32, i64], [i64], AtomicOp.I64_ATOMIC_RMW_SUB, 8);
  fn('cmpxchg64', [i32, i64, i64], [i64], AtomicOp.I64_ATOMIC_RMW_CMPXCHG);
  fn('cmpxchg32', [i32, i32, i32], [i32], AtomicOp.I32_ATOMIC_RMW_CMPXCHG);
  fn('or8', [i32, i32], [i32], AtomicOp.I32_ATOMIC_RMW8_OR_U);
  fn('xchg16', [i32, i64], [i64], AtomicOp.I64_ATOMIC_RMW16_XCHG_U);
  fn('and32u', [i32, i64], [i64], AtomicOp.I64_ATOMIC_RMW32_AND_U);
  fn('xor64', [i32, i64], [i64], AtomicOp.I64_ATOMIC_RMW_XOR);
  fn('load8', [i32], [i64], AtomicOp.I64_ATOMIC_LOAD8_U);
  fn('store16', [i32, i32], [], AtomicOp.I32_ATOMIC_STORE16);
  fn('notify', [i32, i32], [i32], AtomicOp.MEMORY_ATOMIC_NOTIFY);
  fn('fence', [], [i32], AtomicOp.ATOMIC_FENCE);
  const e = instantiate(m, { env: { memory } });
  const i32s = new Int32Array(memory.buffer);
  const i64s = new BigInt64Array(memory.buffer);
  const u8 = new Uint8Array(memory.buffer);

  Atomics.store(i32s, 256, 40);
  assert.equal(e.add32!(1024, 2), 40, 'returns the old value');
  assert.equal(Atomics.load(i32s, 256), 42);

  Atomics.store(i64s, 129, 10n); // 1032 = 1024 + offset 8
  assert.equal(e.sub64!(1024, 11n), 10n);
  assert.equal(Atomics.load(i64s, 129), -1n);

  Atomics.store(i64s, 130, 5n); // address 1040
  assert.equal(e.cmpxchg64!(1040, 4n, 99n), 5n, 'mismatch: old value back, nothing stored');
  assert.equal(Atomics.load(i64s, 130), 5n);
  assert.equal(e.cmpxchg64!(1040, 5n, -(2n ** 63n)), 5n, 'match: stored');
  assert.equal(Atomics.load(i64s, 130), -(2n ** 63n));
  Atomics.store(i32s, 262, -1); // address 1048
  assert.equal(e.cmpxchg32!(1048, -1, 3), -1);
  assert.equal(Atomics.load(i32s, 262), 3);

  u8.fill(0, 1056, 1072);
  u8[1056] = 0x0f;
  assert.equal(e.or8!(1056, 0x1f0), 0x0f, 'narrow RMW sees and writes one byte');
  assert.deepEqual([u8[1056], u8[1057]], [0xff, 0]);
  assert.equal(e.xchg16!(1058, 0x12345n), 0n);
  assert.deepEqual([u8[1058], u8[1059], u8[1060]], [0x45, 0x23, 0]);
  Atomics.store(i64s, 133, -1n); // address 1064
  assert.equal(e.and32u!(1064, 0xf0f0f0f0_12345678n), 0xffffffffn, 'the _u forms zero-extend the old value');
  assert.equal(Atomics.load(i64s, 133), BigInt.asIntN(64, 0xffffffff_12345678n), 'high half untouched');
  assert.equal(e.xor64!(1064, -1n), BigInt.asIntN(64, 0xffffffff_12345678n));
  assert.equal(e.load8!(1064), 0x87n);
  e.store16!(1072, 0x7fff1234);
  assert.deepEqual([u8[1072], u8[1073], u8[1074]], [0x34, 0x12, 0]);
  assert.equal(e.notify!(1024, 1), 0, 'nobody is waiting');
  assert.equal(e.fence!(), 7);
  assert.throws(() => e.add32!(1025, 1), WebAssembly.RuntimeError, 'misaligned atomics trap');
});

test('memory.size, memory.grow, memory.fill and memory.copy', () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 3 });
  const m = new ModuleBuilder();
  m.importMemory('env', 'memory', { minimum: 1, maximum: 3 });
  const c = new CodeBuilder([]);
  c.i32Const(1).memoryGrow().op(Op.DROP);
  c.i32Const(16).i32Const(0x5a).i32Const(4).misc(MiscOp.MEMORY_FILL);
  c.i32Const(32).i32Const(14).i32Const(8).misc(MiscOp.MEMORY_COPY);
  c.memorySize();
  m.exportFunction('f', m.addFunction([], [i32], c));
  assert.equal(instantiate(m, { env: { memory } }).f!(), 2);
  assert.deepEqual([...new Uint8Array(memory.buffer, 32, 8)], [0, 0, 0x5a, 0x5a, 0x5a, 0x5a, 0, 0]);
});
