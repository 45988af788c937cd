import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodeBuilder } from './code.js';
import { WasmEncodeError, WasmErrorCode } from './errors.js';
import { ModuleBuilder } from './module.js';
import { AtomicOp, BlockType, MiscOp, Op, ValType } from './opcodes.js';
import { printWat } from './wat.js';

const { I32: i32, I64: i64, F64: f64 } = ValType;

/** A module using every construct ModuleBuilder emits, in the shape the eBPF JIT produces. */
function goldenModule(): Uint8Array<ArrayBuffer> {
  const m = new ModuleBuilder({ name: 'golden' });
  const helper = m.importFunction('env', 'map_lookup', [i64, i32], [i64]);
  m.importMemory('env', 'memory', { minimum: 1, maximum: 16, shared: true });
  const counter = m.addGlobal(i64, true, -1n);
  const half = m.addGlobal(f64, false, 0.5);
  const c = new CodeBuilder([i64, i64]);
  c.nameLocal(0, 'r1').nameLocal(1, 'r2');
  const r0 = c.addLocal(i64, 'r0');
  const tmp = c.addLocal(i32);
  c.addLocal(i32);
  c.i64Const(0).localSet(r0);
  c.block().loop();
  c.localGet(0).localGet(1).op(Op.I64_GE_U).brIf(1);
  c.localGet(0).op(Op.I32_WRAP_I64).localTee(tmp).load(Op.I64_LOAD32_S, 16).localGet(r0).op(Op.I64_ADD).localSet(r0);
  c.localGet(tmp).localGet(r0).store(Op.I64_STORE, 8, 2);
  c.localGet(0).i64Const(1).op(Op.I64_ADD).localSet(0);
  c.br(0);
  c.end().end();
  c.block().block().block();
  c.localGet(r0).op(Op.I32_WRAP_I64).i32Const(3).op(Op.I32_AND).brTable([0, 1], 2);
  c.end();
  c.localGet(r0).i32Const(-7).call(helper).localSet(r0);
  c.end();
  c.i32Const(0).localGet(r0).i64Const(0xffffffffffffffffn).atomic(AtomicOp.I64_ATOMIC_RMW_CMPXCHG, 24).op(Op.DROP);
  c.atomic(AtomicOp.ATOMIC_FENCE);
  c.end();
  c.localGet(r0).i64Const(0).op(Op.I64_LT_S).if(BlockType.I64);
  c.globalGet(counter);
  c.else();
  c.localGet(r0).op(Op.F64_CONVERT_I64_U).globalGet(half).op(Op.F64_MUL).f64Const(-0).op(Op.F64_ADD).op(Op.I64_TRUNC_F64_U);
  c.end();
  c.f64Const(NaN).f64Const(-Infinity).op(Op.F64_MAX).op(Op.DROP);
  c.i32Const(64).i32Const(0).i32Const(8).misc(MiscOp.MEMORY_FILL);
  const main = m.addFunction([i64, i64], [i64], c, 'main');
  m.exportFunction('main', main);
  m.exportGlobal('counter', counter);
  m.exportMemory('memory');
  return m.toBytes();
}

// Checked once with an independent assembler: this text assembles back to the same
// bytes (all sections but the custom name section, which tools lay out differently).
const GOLDEN = `(module $golden
  (type (;0;) (func (param i64 i32) (result i64)))
  (type (;1;) (func (param i64 i64) (result i64)))
  (import "env" "map_lookup" (func $map_lookup (;0;) (type 0) (param i64 i32) (result i64)))
  (import "env" "memory" (memory (;0;) 1 16 shared))
  (func $main (;1;) (type 1) (param $r1 i64) (param $r2 i64) (result i64)
    (local $r0 i64) (local i32 i32)
    i64.const 0
    local.set $r0
    block  ;; label = @1
      loop  ;; label = @2
        local.get $r1
        local.get $r2
        i64.ge_u
        br_if 1 (;@1;)
        local.get $r1
        i32.wrap_i64
        local.tee 3
        i64.load32_s offset=16
        local.get $r0
        i64.add
        local.set $r0
        local.get 3
        local.get $r0
        i64.store offset=8 align=4
        local.get $r1
        i64.const 1
        i64.add
        local.set $r1
        br 0 (;@2;)
      end
    end
    block  ;; label = @1
      block  ;; label = @2
        block  ;; label = @3
          local.get $r0
          i32.wrap_i64
          i32.const 3
          i32.and
          br_table 0 (;@3;) 1 (;@2;) 2 (;@1;)
        end
        local.get $r0
        i32.const -7
        call $map_lookup
        local.set $r0
      end
      i32.const 0
      local.get $r0
      i64.const -1
      i64.atomic.rmw.cmpxchg offset=24
      drop
      atomic.fence
    end
    local.get $r0
    i64.const 0
    i64.lt_s
    if (result i64)  ;; label = @1
      global.get 0
    else
      local.get $r0
      f64.convert_i64_u
      global.get 1
      f64.mul
      f64.const -0
      f64.add
      i64.trunc_f64_u
    end
    f64.const nan
    f64.const -inf
    f64.max
    drop
    i32.const 64
    i32.const 0
    i32.const 8
    memory.fill)
  (global (;0;) (mut i64) (i64.const -1))
  (global (;1;) f64 (f64.const 0.5))
  (export "main" (func $main))
  (export "counter" (global 0))
  (export "memory" (memory 0)))
`;

test('printWat output for a fixed module matches the golden text', () => {
  const bytes = goldenModule();
  assert.ok(WebAssembly.validate(bytes));
  assert.equal(printWat(bytes), GOLDEN);
  assert.equal(printWat(goldenModule()), printWat(bytes), 'deterministic');
});

const isCode = (code: string) => (e: unknown): boolean => e instanceof WasmEncodeError && e.code === code;
const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

test('names that are not valid or not unique identifiers print as indices', () => {
  const m = new ModuleBuilder();
  m.importFunction('env', 'same', [], []);
  m.importFunction('other', 'same', [], []);
  const c = new CodeBuilder([i32]);
  c.nameLocal(0, 'has space');
  c.localGet(0).op(Op.DROP).call(0).call(1);
  m.exportFunction('with "quotes" and é', m.addFunction([i32], [], c, 'fine'));
  assert.equal(printWat(m.toBytes()), `(module
  (type (;0;) (func))
  (type (;1;) (func (param i32)))
  (import "env" "same" (func (;0;) (type 0)))
  (import "other" "same" (func (;1;) (type 0)))
  (func $fine (;2;) (type 1) (param i32)
    local.get 0
    drop
    call 0
    call 1)
  (export "with \\22quotes\\22 and \\c3\\a9" (func $fine)))
`);
});

test('an empty module and an empty function', () => {
  assert.equal(printWat(new ModuleBuilder().toBytes()), '(module)\n');
  const m = new ModuleBuilder();
  m.addFunction([], [], new CodeBuilder([]));
  assert.equal(printWat(m.toBytes()), '(module\n  (type (;0;) (func))\n  (func (;0;) (type 0)))\n');
});

test('floats print exactly: shortest decimal, signed zero, infinities, NaN payloads', () => {
  const m = new ModuleBuilder();
  const c = new CodeBuilder([]);
  for (const v of [0.1, -0, 1e21, 5e-324, -Infinity]) c.f64Const(v).op(Op.DROP);
  c.f32Const(0.1).op(Op.DROP);
  m.addFunction([], [], c);
  const bytes = m.toBytes();
  // Patch the last f64 (-inf) into a NaN with payload 1 and sign set.
  const at = bytes.lastIndexOf(0x44) + 1;
  bytes.set([0x01, 0, 0, 0, 0, 0, 0xf0, 0xff], at);
  const text = printWat(bytes);
  for (const want of ['f64.const 0.1', 'f64.const -0', 'f64.const 1e+21', 'f64.const 5e-324', 'f64.const -nan:0x1', `f32.const ${Math.fround(0.1)}`]) {
    assert.ok(text.includes(want), want);
  }
});

test('input that is not a module is EBEE_WASM_MALFORMED', () => {
  const malformed = isCode(WasmErrorCode.MALFORMED);
  assert.throws(() => printWat(new Uint8Array(0)), malformed);
  assert.throws(() => printWat(Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 1, 0, 0, 0])), malformed, 'an ELF file');
  assert.throws(() => printWat(Uint8Array.from([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0])), malformed, 'version 2');
  assert.throws(() => printWat(Uint8Array.from([...header, 1, 5, 1, 0x60, 0, 0])), malformed, 'section size past the end');
  assert.throws(() => printWat(Uint8Array.from([...header, 1, 0xff, 0xff, 0xff, 0xff, 0x0f])), malformed, 'huge section size');
  assert.throws(() => printWat(Uint8Array.from([...header, 1, 5, 0xff, 0xff, 0xff, 0xff, 0x0f])), malformed, 'huge vector count');
  assert.throws(() => printWat(Uint8Array.from([...header, 3, 2, 1, 0])), malformed, 'a function without a body');
  // A body whose last byte is not `end`, and one with an `end` too many.
  assert.throws(() => printWat(Uint8Array.from([...header, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, 4, 1, 2, 0, 1])), malformed);
  assert.throws(() => printWat(Uint8Array.from([...header, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, 5, 1, 3, 0, 0x0b, 0x0b])), malformed);
  assert.throws(() => printWat(Uint8Array.from([...header, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, 6, 1, 4, 0, 0x0c, 1, 0x0b])), malformed, 'br past the body');
});

test('valid wasm outside the subset is EBEE_WASM_UNSUPPORTED', () => {
  const unsupported = isCode(WasmErrorCode.UNSUPPORTED);
  assert.throws(() => printWat(Uint8Array.from([...header, 4, 4, 1, 0x70, 0, 1])), unsupported, 'a table section');
  const simd = Uint8Array.from([...header, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, 6, 1, 4, 0, 0xfd, 0x0c, 0x0b]);
  assert.throws(() => printWat(simd), unsupported, 'a SIMD prefix');
});

test('every truncation and many corruptions of a module give text or a typed error, never a crash', () => {
  const bytes = goldenModule();
  for (let n = 0; n < bytes.length; n++) {
    try {
      printWat(bytes.subarray(0, n));
    } catch (e) {
      assert.ok(e instanceof WasmEncodeError, `truncated to ${n}: ${String(e)}`);
    }
  }
  let seed = 12345;
  const random = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (let round = 0; round < 2000; round++) {
    const copy = bytes.slice();
    for (let k = 0; k < 1 + Math.floor(random() * 3); k++) copy[Math.floor(random() * copy.length)] = Math.floor(random() * 256);
    try {
      printWat(copy);
    } catch (e) {
      assert.ok(e instanceof WasmEncodeError, `round ${round}: ${String(e)}`);
    }
  }
});

test('deep nesting prints in time and space linear in the body', () => {
  const m = new ModuleBuilder();
  const c = new CodeBuilder([]);
  for (let i = 0; i < 20000; i++) c.block();
  c.br(19999);
  for (let i = 0; i < 20000; i++) c.end();
  m.addFunction([], [], c);
  const text = printWat(m.toBytes());
  assert.ok(text.length < 150 * 40_002, `${text.length} characters: at most 150 a line`);
  assert.ok(text.includes('br 19999 (;@1;)'));
});
