import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodeBuilder } from './code.js';
import { ModuleBuilder } from './module.js';
import { AtomicOp, MiscOp, Op, ValType, type ValTypeValue } from './opcodes.js';
import { atomicOpInfo, miscOpInfo, opInfo, opName } from './opinfo.js';

const T: Record<string, ValTypeValue> = { i32: ValType.I32, i64: ValType.I64, f32: ValType.F32, f64: ValType.F64 };
type Sig = [ValTypeValue[], ValTypeValue[]];

/**
 * The stack effect of an instruction, worked out from its text name alone. If an
 * opcode byte were wrong, the engine would see a different instruction, and its
 * validator would reject these operand types (ops that share a signature are told
 * apart by semantics.test.ts instead).
 */
function signatureOf(name: string): Sig | undefined {
  const m = /^(i32|i64|f32|f64|memory)\.(.+)$/.exec(name);
  if (!m) return undefined;
  const [, ns, rest] = m as unknown as [string, string, string];
  const t = T[ns]!;
  const i32 = ValType.I32;
  if (ns === 'memory') {
    if (rest === 'size') return [[], [i32]];
    if (rest === 'grow') return [[i32], [i32]];
    if (rest === 'copy' || rest === 'fill') return [[i32, i32, i32], []];
    if (rest === 'atomic.notify') return [[i32, i32], [i32]];
    if (rest === 'atomic.wait32') return [[i32, i32, ValType.I64], [i32]];
    if (rest === 'atomic.wait64') return [[i32, ValType.I64, ValType.I64], [i32]];
    return undefined;
  }
  if (/^(atomic\.)?load/.test(rest)) return [[i32], [t]];
  if (/^(atomic\.)?store/.test(rest)) return [[i32, t], []];
  if (/^atomic\.rmw\d*\.cmpxchg/.test(rest)) return [[i32, t, t], [t]];
  if (/^atomic\.rmw/.test(rest)) return [[i32, t], [t]];
  if (rest === 'eqz') return [[t], [i32]];
  if (/^(eq|ne|lt|gt|le|ge)(_[su])?$/.test(rest)) return [[t, t], [i32]];
  const conv = /_(i32|i64|f32|f64)(_[su])?$/.exec(rest);
  if (conv) return [[T[conv[1]!]!], [t]];
  if (/^(clz|ctz|popcnt|abs|neg|ceil|floor|trunc|nearest|sqrt|extend(8|16|32)_s)$/.test(rest)) return [[t], [t]];
  if (/^(const)$/.test(rest)) return undefined;
  return [[t, t], [t]];
}

/** A module with a shared memory and one function that applies `emit` to its parameters. */
function moduleFor([params, results]: Sig, emit: (c: CodeBuilder) => void): Uint8Array<ArrayBuffer> {
  const m = new ModuleBuilder();
  m.importMemory('env', 'memory', { minimum: 1, maximum: 1, shared: true });
  const c = new CodeBuilder(params);
  params.forEach((_, i) => c.localGet(i));
  emit(c);
  m.addFunction(params, results, c, 'f');
  return m.toBytes();
}

test('opcode values are unique, and the numeric range 0x45-0xc4 is contiguous in spec order', () => {
  for (const table of [Op, AtomicOp, MiscOp]) {
    const values = Object.values(table);
    assert.equal(new Set(values).size, values.length);
    for (let i = 1; i < values.length; i++) assert.ok(values[i]! > values[i - 1]!, `declared in opcode order at ${Object.keys(table)[i]}`);
  }
  const numeric = Object.values(Op).filter((v) => v >= 0x45 && v <= 0xc4);
  assert.equal(numeric.length, 0xc4 - 0x45 + 1, 'no gaps between i32.eqz and i64.extend32_s');
  const atomic = Object.values(AtomicOp).filter((v) => v >= 0x10);
  assert.equal(atomic.length, 0x4e - 0x10 + 1, 'no gaps between i32.atomic.load and i64.atomic.rmw32.cmpxchg_u');
  assert.equal(Op.I32_WRAP_I64, 0xa7);
  assert.equal(Op.I64_EXTEND_I32_S, 0xac);
  assert.equal(Op.I64_EXTEND_I32_U, 0xad);
  assert.equal(Op.I32_EXTEND8_S, 0xc0);
  assert.equal(Op.I64_EXTEND32_S, 0xc4);
});

test('text names follow the text format', () => {
  const cases: [string, string][] = [
    ['I64_ADD', 'i64.add'], ['BR_IF', 'br_if'], ['BR_TABLE', 'br_table'], ['CALL_INDIRECT', 'call_indirect'],
    ['LOCAL_TEE', 'local.tee'], ['GLOBAL_SET', 'global.set'], ['MEMORY_GROW', 'memory.grow'],
    ['I64_LOAD32_U', 'i64.load32_u'], ['I32_STORE16', 'i32.store16'], ['I32_WRAP_I64', 'i32.wrap_i64'],
    ['I64_EXTEND_I32_S', 'i64.extend_i32_s'], ['F64_CONVERT_I64_U', 'f64.convert_i64_u'],
    ['I64_REINTERPRET_F64', 'i64.reinterpret_f64'], ['I64_EXTEND32_S', 'i64.extend32_s'],
    ['MEMORY_ATOMIC_NOTIFY', 'memory.atomic.notify'], ['MEMORY_ATOMIC_WAIT64', 'memory.atomic.wait64'],
    ['ATOMIC_FENCE', 'atomic.fence'], ['I64_ATOMIC_LOAD32_U', 'i64.atomic.load32_u'],
    ['I32_ATOMIC_RMW_ADD', 'i32.atomic.rmw.add'], ['I64_ATOMIC_RMW8_CMPXCHG_U', 'i64.atomic.rmw8.cmpxchg_u'],
    ['I32_TRUNC_SAT_F64_U', 'i32.trunc_sat_f64_u'], ['MEMORY_COPY', 'memory.copy'],
  ];
  for (const [key, name] of cases) assert.equal(opName(key), name);
  assert.equal(opInfo(Op.I64_LOAD16_S)?.alignLog2, 1);
  assert.equal(atomicOpInfo(AtomicOp.I64_ATOMIC_RMW32_XCHG_U)?.alignLog2, 2);
  assert.equal(atomicOpInfo(AtomicOp.MEMORY_ATOMIC_WAIT64)?.alignLog2, 3);
});

test('every plain, memory, atomic and 0xFC instruction validates with the stack effect its name implies', () => {
  let checked = 0;
  for (const byte of Object.values(Op)) {
    const info = opInfo(byte)!;
    const sig = signatureOf(info.name);
    if (!sig) continue;
    const bytes = moduleFor(sig, (c) => {
      if (info.immediate === 'memarg') (info.name.includes('load') ? c.load(byte) : c.store(byte));
      else if (byte === Op.MEMORY_SIZE) c.memorySize();
      else if (byte === Op.MEMORY_GROW) c.memoryGrow();
      else c.op(byte);
    });
    assert.ok(WebAssembly.validate(bytes), `${info.name} (0x${byte.toString(16)}) with ${JSON.stringify(sig)}`);
    checked++;
  }
  for (const op of Object.values(AtomicOp)) {
    const info = atomicOpInfo(op)!;
    const sig: Sig = signatureOf(info.name) ?? [[], []];
    assert.ok(WebAssembly.validate(moduleFor(sig, (c) => c.atomic(op))), info.name);
    checked++;
  }
  for (const op of Object.values(MiscOp)) {
    const info = miscOpInfo(op)!;
    assert.ok(WebAssembly.validate(moduleFor(signatureOf(info.name)!, (c) => c.misc(op))), info.name);
    checked++;
  }
  assert.ok(checked >= 0xc4 - 0x45 + 1 + 23 + 2 + 67 + 10, `checked ${checked}`);
});

test('the signature check has teeth: a wrong operand type fails validation', () => {
  const i32 = ValType.I32;
  assert.equal(WebAssembly.validate(moduleFor([[i32, i32], [i32]], (c) => c.op(Op.I64_ADD))), false);
  assert.equal(WebAssembly.validate(moduleFor([[i32], [ValType.I64]], (c) => c.load(Op.I32_LOAD))), false);
  assert.equal(WebAssembly.validate(moduleFor([[i32, i32], [i32]], (c) => c.atomic(AtomicOp.I64_ATOMIC_RMW_ADD))), false);
});
