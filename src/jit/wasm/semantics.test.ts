/**
 * Runs every integer and float operator on edge-case inputs and compares with a JS
 * reference. opcodes.test.ts proves each byte has the stack effect its name implies;
 * this tells apart operators that share one (i64.shr_s vs i64.shr_u, f64.min vs
 * f64.max), so a swapped opcode cannot pass.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodeBuilder } from './code.js';
import { ModuleBuilder } from './module.js';
import { MiscOp, Op, ValType, type ValTypeValue } from './opcodes.js';
import { opName } from './opinfo.js';

type Fn = (...args: (number | bigint)[]) => number | bigint;

/** Instantiates a module exporting `op` applied to its parameters, for each entry. */
function exportsFor(entries: [key: string, params: ValTypeValue[], result: ValTypeValue, prefixed?: boolean][]): Record<string, Fn> {
  const m = new ModuleBuilder();
  for (const [key, params, result, prefixed] of entries) {
    const c = new CodeBuilder(params);
    params.forEach((_, i) => c.localGet(i));
    if (prefixed) c.misc(MiscOp[key as keyof typeof MiscOp]);
    else c.op(Op[key as keyof typeof Op]);
    m.exportFunction(opName(key), m.addFunction(params, [result], c, opName(key)));
  }
  return new WebAssembly.Instance(new WebAssembly.Module(m.toBytes())).exports as unknown as Record<string, Fn>;
}

const rotl = (a: bigint, b: bigint, bits: number): bigint => {
  const n = BigInt(bits);
  const s = b & (n - 1n);
  const u = BigInt.asUintN(bits, a);
  return (u << s) | (u >> ((n - s) % n));
};
const clz = (a: bigint, bits: number): bigint => { let n = 0n; for (let i = bits - 1; i >= 0 && !((BigInt.asUintN(bits, a) >> BigInt(i)) & 1n); i--) n++; return n; };
const ctz = (a: bigint, bits: number): bigint => { let n = 0n; for (let i = 0; i < bits && !((BigInt.asUintN(bits, a) >> BigInt(i)) & 1n); i++) n++; return n; };
const popcnt = (a: bigint, bits: number): bigint => BigInt(BigInt.asUintN(bits, a).toString(2).replaceAll('0', '').length);

function integerReference(bits: 32 | 64): Record<string, (a: bigint, b: bigint) => bigint | boolean | undefined> {
  const n = BigInt(bits);
  const u = (x: bigint): bigint => BigInt.asUintN(bits, x);
  const min = -(1n << (n - 1n));
  return {
    eqz: (a) => a === 0n, eq: (a, b) => a === b, ne: (a, b) => a !== b,
    lt_s: (a, b) => a < b, lt_u: (a, b) => u(a) < u(b), gt_s: (a, b) => a > b, gt_u: (a, b) => u(a) > u(b),
    le_s: (a, b) => a <= b, le_u: (a, b) => u(a) <= u(b), ge_s: (a, b) => a >= b, ge_u: (a, b) => u(a) >= u(b),
    clz: (a) => clz(a, bits), ctz: (a) => ctz(a, bits), popcnt: (a) => popcnt(a, bits),
    add: (a, b) => a + b, sub: (a, b) => a - b, mul: (a, b) => a * b,
    // Undefined where wasm traps (division by zero, overflow of div_s).
    div_s: (a, b) => (b === 0n || (a === min && b === -1n) ? undefined : a / b),
    div_u: (a, b) => (b === 0n ? undefined : u(a) / u(b)),
    rem_s: (a, b) => (b === 0n ? undefined : a % b),
    rem_u: (a, b) => (b === 0n ? undefined : u(a) % u(b)),
    and: (a, b) => a & b, or: (a, b) => a | b, xor: (a, b) => a ^ b,
    shl: (a, b) => a << (u(b) % n), shr_s: (a, b) => a >> (u(b) % n), shr_u: (a, b) => u(a) >> (u(b) % n),
    rotl: (a, b) => rotl(a, u(b), bits), rotr: (a, b) => rotl(a, (n - (u(b) % n)) % n, bits),
    extend8_s: (a) => BigInt.asIntN(8, a), extend16_s: (a) => BigInt.asIntN(16, a), extend32_s: (a) => BigInt.asIntN(32, a),
  };
}

for (const bits of [32, 64] as const) {
  test(`every i${bits} operator matches a BigInt reference`, () => {
    const t = bits === 32 ? ValType.I32 : ValType.I64;
    const ref = integerReference(bits);
    const ops = Object.keys(ref).filter((k) => `I${bits}_${k.toUpperCase()}` in Op); // i32 has no extend32_s
    const unary = new Set(['eqz', 'clz', 'ctz', 'popcnt', 'extend8_s', 'extend16_s', 'extend32_s']);
    const cmp = (k: string): boolean => /^(eqz|eq|ne|[lg][te]_[su])$/.test(k);
    const fns = exportsFor(ops.map((k) => [`I${bits}_${k.toUpperCase()}`, unary.has(k) ? [t] : [t, t], cmp(k) ? ValType.I32 : t]));
    const edge = [0n, 1n, -1n, 2n, 7n, -7n, 31n, 32n, 63n, 64n, 0x80n, 0x7fffn, -0x8000n, 0xdeadbeefn, -0x12345678n,
      (1n << BigInt(bits - 1)) - 1n, -(1n << BigInt(bits - 1)), 0x0123456789abcdefn];
    const vals = edge.map((v) => BigInt.asIntN(bits, v));
    const arg = (v: bigint): number | bigint => (bits === 32 ? Number(v) : v);
    let runs = 0;
    for (const k of ops) {
      const f = fns[opName(`I${bits}_${k.toUpperCase()}`)]!;
      for (const a of vals) {
        for (const b of unary.has(k) ? [0n] : vals) {
          const want = ref[k]!(a, b);
          if (want === undefined) { assert.throws(() => f(arg(a), arg(b)), WebAssembly.RuntimeError); continue; }
          const expected = typeof want === 'boolean' ? (want ? 1 : 0) : arg(BigInt.asIntN(bits, want));
          assert.equal(f(arg(a), arg(b)), expected, `i${bits}.${k}(${a}, ${b})`);
          runs++;
        }
      }
    }
    assert.ok(runs > 5000);
  });
}

const nearest = (x: number): number => {
  if (!Number.isFinite(x) || x === 0) return x;
  const r = Math.round(x);
  const even = Math.abs(r - x) === 0.5 && r % 2 !== 0 ? r - 1 : r; // ties go to even
  return even === 0 ? (x < 0 ? -0 : 0) : even;
};
const copysign = (a: number, b: number): number => (Object.is(b, -0) || b < 0 || (Number.isNaN(b) && new Float64Array([b])[0]! < 0) ? -Math.abs(a) : Math.abs(a));

for (const [name, round] of [['f64', (x: number) => x], ['f32', Math.fround]] as const) {
  test(`every ${name} operator matches Math`, () => {
    const t = name === 'f64' ? ValType.F64 : ValType.F32;
    const unary: Record<string, (a: number) => number> = {
      abs: Math.abs, neg: (a) => -a, ceil: Math.ceil, floor: Math.floor, trunc: Math.trunc, nearest, sqrt: Math.sqrt,
    };
    const binary: Record<string, (a: number, b: number) => number> = {
      add: (a, b) => a + b, sub: (a, b) => a - b, mul: (a, b) => a * b, div: (a, b) => a / b,
      min: Math.min, max: Math.max, copysign,
      eq: (a, b) => +(a === b), ne: (a, b) => +(a !== b), lt: (a, b) => +(a < b), gt: (a, b) => +(a > b), le: (a, b) => +(a <= b), ge: (a, b) => +(a >= b),
    };
    const P = name.toUpperCase();
    const fns = exportsFor([
      ...Object.keys(unary).map((k): [string, ValTypeValue[], ValTypeValue] => [`${P}_${k.toUpperCase()}`, [t], t]),
      ...Object.keys(binary).map((k): [string, ValTypeValue[], ValTypeValue] => [`${P}_${k.toUpperCase()}`, [t, t], /^[elgn][qtea]$/.test(k) ? ValType.I32 : t]),
    ]);
    const vals = [0, -0, 1, -1, 0.5, -0.5, 1.5, 2.5, -2.5, 3.7, -3.7, 1e300, 1e-300, 2 ** 52 + 0.5, Infinity, -Infinity].map(round);
    for (const [k, ref] of Object.entries(unary)) {
      for (const a of vals) assert.ok(Object.is(fns[`${name}.${k}`]!(a), round(ref(a))), `${name}.${k}(${a})`);
    }
    for (const [k, ref] of Object.entries(binary)) {
      for (const a of vals) for (const b of vals) {
        const want = round(ref(a, b));
        const got = fns[`${name}.${k}`]!(a, b) as number;
        assert.ok(Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want)), `${name}.${k}(${a}, ${b}) = ${got}, want ${want}`);
      }
    }
  });
}

test('conversions, reinterpretations and saturating truncations', () => {
  const { I32: i32, I64: i64, F32: f32, F64: f64 } = ValType;
  const cases: [key: string, param: ValTypeValue, result: ValTypeValue, input: number | bigint, output: number | bigint, prefixed?: boolean][] = [
    ['I32_WRAP_I64', i64, i32, 0x1_0000_0005n, 5], ['I32_WRAP_I64', i64, i32, 0xffff_ffffn, -1],
    ['I64_EXTEND_I32_S', i32, i64, -1, -1n], ['I64_EXTEND_I32_U', i32, i64, -1, 0xffff_ffffn],
    ['I32_TRUNC_F32_S', f32, i32, -2.5, -2], ['I32_TRUNC_F32_U', f32, i32, 3.75, 3],
    ['I32_TRUNC_F64_S', f64, i32, -2.9, -2], ['I32_TRUNC_F64_U', f64, i32, 4e9, 4e9 - 2 ** 32],
    ['I64_TRUNC_F32_S', f32, i64, -1.5, -1n], ['I64_TRUNC_F32_U', f32, i64, 2 ** 40, 2n ** 40n],
    ['I64_TRUNC_F64_S', f64, i64, -1.9, -1n], ['I64_TRUNC_F64_U', f64, i64, 2 ** 63, -(2n ** 63n)],
    ['F32_CONVERT_I32_S', i32, f32, -3, -3], ['F32_CONVERT_I32_U', i32, f32, -1, 2 ** 32],
    ['F32_CONVERT_I64_S', i64, f32, -5n, -5], ['F32_CONVERT_I64_U', i64, f32, -1n, 2 ** 64],
    ['F32_DEMOTE_F64', f64, f32, 0.1, Math.fround(0.1)], ['F64_PROMOTE_F32', f32, f64, Math.fround(0.1), Math.fround(0.1)],
    ['F64_CONVERT_I32_S', i32, f64, -1, -1], ['F64_CONVERT_I32_U', i32, f64, -1, 2 ** 32 - 1],
    ['F64_CONVERT_I64_S', i64, f64, -1n, -1], ['F64_CONVERT_I64_U', i64, f64, -1n, 2 ** 64],
    ['I32_REINTERPRET_F32', f32, i32, 1, 0x3f80_0000], ['I64_REINTERPRET_F64', f64, i64, 1, 0x3ff0_0000_0000_0000n],
    ['F32_REINTERPRET_I32', i32, f32, 0x4000_0000, 2], ['F64_REINTERPRET_I64', i64, f64, 0x4000_0000_0000_0000n, 2],
    ['I32_TRUNC_SAT_F32_S', f32, i32, -1e30, -(2 ** 31), true], ['I32_TRUNC_SAT_F32_U', f32, i32, 5.5, 5, true],
    ['I32_TRUNC_SAT_F64_S', f64, i32, 1e10, 2 ** 31 - 1, true], ['I32_TRUNC_SAT_F64_U', f64, i32, -5, 0, true],
    ['I64_TRUNC_SAT_F32_S', f32, i64, -1e30, -(2n ** 63n), true], ['I64_TRUNC_SAT_F32_U', f32, i64, 1e30, -1n, true],
    ['I64_TRUNC_SAT_F64_S', f64, i64, NaN, 0n, true], ['I64_TRUNC_SAT_F64_U', f64, i64, 7.9, 7n, true],
  ];
  const fns = exportsFor([...new Map(cases.map((c) => [c[0], [c[0], [c[1]], c[2], c[5]] as [string, ValTypeValue[], ValTypeValue, boolean?]])).values()]);
  for (const [key, , , input, output] of cases) assert.equal(fns[opName(key)]!(input), output, `${opName(key)}(${input})`);
  assert.throws(() => fns['i32.trunc_f64_s']!(NaN), WebAssembly.RuntimeError, 'the trapping forms trap on NaN');
});
