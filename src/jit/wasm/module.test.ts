import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodeBuilder } from './code.js';
import { WasmEncodeError, WasmErrorCode } from './errors.js';
import { readU32 } from './leb128.js';
import { ModuleBuilder } from './module.js';
import { Op, ValType } from './opcodes.js';

const { I32: i32, I64: i64, F64: f64 } = ValType;
const isCode = (code: string) => (e: unknown): boolean => e instanceof WasmEncodeError && e.code === code;

/** Section ids in file order, read straight from the bytes. */
function sectionIds(bytes: Uint8Array): number[] {
  const ids: number[] = [];
  for (let at = 8; at < bytes.length;) {
    ids.push(bytes[at]!);
    const { value, next } = readU32(bytes, at + 1);
    at = next + value;
  }
  return ids;
}

type ValType32or64 = typeof i32 | typeof i64 | typeof f64;
const body = (params: readonly ValType32or64[] = [], fill?: (c: CodeBuilder) => void): CodeBuilder => {
  const c = new CodeBuilder(params);
  fill?.(c);
  return c;
};

test('an empty module is the magic and version alone', () => {
  const bytes = new ModuleBuilder().toBytes();
  assert.deepEqual([...bytes], [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  assert.ok(WebAssembly.validate(bytes));
});

test('sections come in spec order, the name section last', () => {
  const m = new ModuleBuilder();
  m.importFunction('env', 'h', [i64], [i64]);
  m.importMemory('env', 'memory', { minimum: 1 });
  m.addGlobal(i32, true, 0);
  m.exportFunction('f', m.addFunction([], [], body()));
  const bytes = m.toBytes();
  assert.deepEqual(sectionIds(bytes), [1, 2, 3, 6, 7, 10, 0]);
  assert.ok(WebAssembly.validate(bytes));
});

test('function types are deduplicated', () => {
  const m = new ModuleBuilder();
  assert.equal(m.type([i64, i64], [i64]), 0);
  assert.equal(m.type([i64], []), 1);
  assert.equal(m.type([i64, i64], [i64]), 0);
  assert.equal(m.importFunction('env', 'a', [i64], []), 0);
  assert.equal(m.addFunction([i64, i64], [i64], body([i64, i64], (c) => c.localGet(0))), 1);
  assert.equal(m.type([], [i32, i64]), 2, 'multi-value results are a type like any other');
  assert.equal(m.functionCount, 2);
});

test('function indices count imports first; calls past 127 use multi-byte LEB128', () => {
  const m = new ModuleBuilder();
  m.importFunction('env', 'seven', [], [i32]);
  for (let i = 1; i < 200; i++) m.addFunction([], [i32], body([], (c) => c.i32Const(i * 3)));
  const main = body([], (c) => c.call(150).call(0).op(Op.I32_ADD));
  m.exportFunction('main', m.addFunction([], [i32], main));
  const e = new WebAssembly.Instance(new WebAssembly.Module(m.toBytes()), { env: { seven: () => 7 } }).exports as Record<string, () => number>;
  assert.equal(e.main!(), 457);
});

test('the name section names functions and locals, and shows in stack traces', () => {
  const m = new ModuleBuilder({ name: 'demo' });
  m.importFunction('env', 'helper', [], []);
  const c = new CodeBuilder([i64]);
  c.nameLocal(0, 'ctx');
  c.addLocal(i32, 'tmp');
  c.op(Op.UNREACHABLE);
  m.exportFunction('run', m.addFunction([i64], [], c, 'boom'));
  const mod = new WebAssembly.Module(m.toBytes());
  const sections = WebAssembly.Module.customSections(mod, 'name');
  assert.equal(sections.length, 1);
  const text = new TextDecoder().decode(sections[0]);
  for (const name of ['demo', 'helper', 'boom', 'ctx', 'tmp']) assert.ok(text.includes(name), name);
  const e = new WebAssembly.Instance(mod, { env: { helper: () => undefined } }).exports as Record<string, (x: bigint) => void>;
  assert.throws(() => e.run!(0n), (err: unknown) => err instanceof WebAssembly.RuntimeError && /boom/.test(err.stack ?? ''));
});

test('imports after the first function are EBEE_WASM_IMPORT_ORDER', () => {
  const m = new ModuleBuilder();
  m.importFunction('env', 'a', [], []);
  m.addFunction([], [], body());
  assert.throws(() => m.importFunction('env', 'b', [], []), isCode(WasmErrorCode.IMPORT_ORDER));
  m.importMemory('env', 'memory', { minimum: 1 }); // memory indices do not shift functions: fine
  assert.ok(WebAssembly.validate(m.toBytes()));
});

test('memory limits are checked', () => {
  const range = isCode(WasmErrorCode.RANGE);
  assert.throws(() => new ModuleBuilder().importMemory('e', 'm', { minimum: 1, shared: true }), range, 'shared needs a maximum');
  assert.throws(() => new ModuleBuilder().importMemory('e', 'm', { minimum: 2, maximum: 1 }), range);
  assert.throws(() => new ModuleBuilder().importMemory('e', 'm', { minimum: 65537 }), range);
  assert.throws(() => new ModuleBuilder().importMemory('e', 'm', { minimum: -1 }), range);
  const m = new ModuleBuilder();
  m.importMemory('e', 'm', { minimum: 0, maximum: 65536 });
  assert.throws(() => m.importMemory('e', 'm2', { minimum: 1 }), isCode(WasmErrorCode.DUPLICATE));
  m.exportMemory('mem');
  assert.ok(WebAssembly.validate(m.toBytes()));
});

test('globals take constants of their own type only', () => {
  const range = isCode(WasmErrorCode.RANGE);
  const m = new ModuleBuilder();
  assert.equal(m.addGlobal(i32, false, 2n ** 31n), 0, 'a bigint in i32 range is fine');
  assert.equal(m.addGlobal(ValType.F32, true, 1.5), 1);
  assert.throws(() => m.addGlobal(i32, false, 2 ** 32), range);
  assert.throws(() => m.addGlobal(i32, false, 2n ** 40n), range);
  assert.throws(() => m.addGlobal(i64, false, 2n ** 64n), range);
  assert.throws(() => m.addGlobal(f64, false, 1n), range);
  assert.throws(() => m.addGlobal(0x40 as never, false, 0), range);
  assert.ok(WebAssembly.validate(m.toBytes()));
});

test('exports: unique names, existing indices', () => {
  const m = new ModuleBuilder();
  const f = m.addFunction([], [], body());
  m.exportFunction('f', f);
  assert.throws(() => m.exportFunction('f', f), isCode(WasmErrorCode.DUPLICATE));
  assert.throws(() => m.exportGlobal('f', 0), isCode(WasmErrorCode.DUPLICATE), 'one namespace for all kinds');
  assert.throws(() => m.exportFunction('g', 1), isCode(WasmErrorCode.BAD_INDEX));
  assert.throws(() => m.exportGlobal('g', 0), isCode(WasmErrorCode.BAD_INDEX));
  assert.throws(() => m.exportMemory('mem'), isCode(WasmErrorCode.BAD_INDEX));
  m.exportFunction('ünïcode ✓', f);
  const e = new WebAssembly.Instance(new WebAssembly.Module(m.toBytes())).exports;
  assert.deepEqual(Object.keys(e), ['f', 'ünïcode ✓']);
});

test('a body must match its signature and be balanced', () => {
  const m = new ModuleBuilder();
  assert.throws(() => m.addFunction([i64], [], body([i32])), isCode(WasmErrorCode.SIGNATURE));
  assert.throws(() => m.addFunction([i64], [], body([])), isCode(WasmErrorCode.SIGNATURE));
  assert.throws(() => m.addFunction([], [], body([], (c) => c.block())), isCode(WasmErrorCode.UNBALANCED));
  assert.equal(m.functionCount, 0, 'nothing was added');
});

test('references to missing functions, globals or memory are found at toBytes()', () => {
  const badIndex = isCode(WasmErrorCode.BAD_INDEX);
  const calls = new ModuleBuilder();
  calls.addFunction([], [], body([], (c) => c.call(1)));
  assert.throws(() => calls.toBytes(), badIndex);
  calls.addFunction([], [], body());
  assert.ok(WebAssembly.validate(calls.toBytes()), 'the forward call resolves once the callee exists');

  const globals = new ModuleBuilder();
  globals.addFunction([], [i32], body([], (c) => c.globalGet(0)));
  assert.throws(() => globals.toBytes(), badIndex);

  const memory = new ModuleBuilder();
  memory.addFunction([], [i32], body([], (c) => c.i32Const(0).load(Op.I32_LOAD)));
  assert.throws(() => memory.toBytes(), (e: unknown) => badIndex(e) && /memory/.test((e as Error).message));
});
