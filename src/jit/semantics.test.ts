/**
 * The JIT against the interpreter on focused programs: calls and frames, helpers and
 * callbacks, callx, the budget, checked-mode faults, atomics (plain and shared
 * memory), legacy packet loads, irreducible control flow and the failure paths.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble } from '../asm/index.js';
import { insn, lddw, type Instruction } from '../isa/index.js';
import { AddressSpace, HelperRegistry, Vm, VmError, prepare } from '../vm/index.js';
import { compile, JitVm } from './index.js';
import { printWat } from './wasm/index.js';
import { runOn, same, type Outcome } from './differential.test.fixture.js';

const asm = (text: string): Instruction[] => assemble(text).insns;
const mnemonic = (text: string): Instruction[] => assemble(text, { dialect: 'mnemonic' }).insns;
const errorOf = (o: Outcome): string | undefined => ('error' in o ? o.error : undefined);

test('a loop: result and instruction count match, and no dispatcher is needed', () => {
  const p = asm(`
    r0 = 0
    r1 = 1000
  loop:
    r0 += r1
    r1 += -1
    if r1 != 0 goto loop
    exit`);
  const out = same(p);
  assert.deepEqual(out, { r0: 500500n, executed: 3003, memory: [] });
  assert.equal(compile(p).dispatcherRegions, 0);
});

test('bpf-to-bpf calls: frames, r6-r9 preserved, r10 per frame, recursion', () => {
  same(asm(`
    r6 = 7
    r1 = 5
    call fact
    r0 += r6
    exit
  fact:
    r6 = r1
    *(u64 *)(r10 - 8) = r1
    r0 = 1
    if r1 == 0 goto done
    r1 += -1
    call fact
    r1 = *(u64 *)(r10 - 8)
    r0 *= r1
  done:
    exit`), {}, 'factorial');
  // r10 differs per frame, and each frame's stack is its own.
  same(asm(`
    r1 = r10
    call f
    exit
  f:
    r0 = r10
    r0 -= r1
    exit`), {}, 'frame pointers');
});

test('calls deeper than 8 frames fail with CALL_DEPTH at the call', () => {
  const out = same(asm(`
    call f
    exit
  f:
    call f
    exit`), {}, 'recursion');
  assert.equal(errorOf(out), 'EBEE_VM_CALL_DEPTH');
});

test('unverified register use across calls: callee reads caller registers, caller reads callee r1-r5', () => {
  const p = asm(`
    r0 = 11
    r6 = 22
    r1 = 1
    call f
    r0 += r1
    r0 += r2
    exit
  f:
    r0 += r6
    r2 = 100
    r1 = 1000
    exit`);
  const out = same(p, {}, 'liveness');
  assert.equal('r0' in out && out.r0, 11n + 22n + 1000n + 100n);
  const c = compile(p);
  assert.deepEqual([c.extraIn, c.extraOut], [[0, 6], [1, 2]]);
  // Verified-style code needs no extras.
  const plain = compile(asm('r1 = 1\ncall f\nexit\nf:\nr0 = r1\nexit'));
  assert.deepEqual([plain.extraIn, plain.extraOut], [[], []]);
});

test('helpers: arguments, results, unknown ids, failures, cache reset', () => {
  const helpers = {
    1: (_ctx: unknown, a: bigint, b: bigint, c: bigint, d: bigint, e: bigint) => a * 2n + b + c + d + e,
    2: () => -1,
    3: () => undefined,
    4: () => { throw new Error('boom'); },
  };
  same(asm('r1 = -1\nr2 = 2\nr3 = 3\nr4 = 4\nr5 = 5\ncall 1\nr6 = r0\ncall 2\nr6 += r0\ncall 3\nr0 += r6\nexit'), { helpers }, 'calls');
  assert.equal(errorOf(same(asm('call 99\nexit'), { helpers }, 'unknown')), 'EBEE_VM_UNKNOWN_HELPER');
  assert.equal(errorOf(same(asm('call 4\nexit'), { helpers }, 'throws')), 'EBEE_VM_HELPER_FAILED');
  // A helper that allocates and releases regions: checked accesses after it see the change.
  let released: (() => void) | undefined;
  same(asm(`
    r6 = r1
    r0 = *(u64 *)(r6 + 0)
    call 7
    r0 = *(u64 *)(r6 + 0)
    exit`), {
    regions: [{ name: 'victim', bytes: 8 }],
    args: ([v]) => [v!.start],
    helpers: { 7: (ctx) => { const r = ctx.space.listRegions().find((x) => x.name === 'victim')!; ctx.space.release(r); released?.(); } },
  }, 'region released by a helper');
});

test('callbacks: ctx.invoke runs the wasm function of a code address, with its own frame and budget', () => {
  // helper 10 = bpf_loop(count, callback, ctx): calls callback(i, ctx) until it returns 1.
  const loop = (ctx: { invoke(a: bigint, args: readonly bigint[]): bigint }, n: bigint, cb: bigint, c: bigint): bigint => {
    let i = 0n;
    for (; i < n; i++) if (ctx.invoke(cb, [i, c]) === 1n) { i++; break; }
    return i;
  };
  const program = asm(`
    r6 = r1
    *(u64 *)(r10 - 8) = 0
    r1 = 10
    r2 = cb ll
    r3 = r10
    r3 += -8
    r4 = 0
    call 10
    r1 = *(u64 *)(r10 - 8)
    r0 <<= 32
    r0 |= r1
    exit
  cb:
    r3 = *(u64 *)(r2 + 0)
    r3 += r1
    *(u64 *)(r2 + 0) = r3
    r0 = 0
    if r1 != 6 goto +1
    r0 = 1
    exit`);
  const out = same(program, { helpers: { 10: loop } }, 'bpf_loop');
  assert.equal('r0' in out && out.r0, (7n << 32n) | 21n);
  // Six arguments, a bad code address, and callbacks nested beyond 8 frames.
  assert.equal(errorOf(same(program, {
    helpers: { 10: (ctx, _n, cb) => ctx.invoke(cb, [1n, 2n, 3n, 4n, 5n, 6n]) },
  }, 'six arguments')), 'EBEE_VM_BAD_ARGUMENT');
  assert.equal(errorOf(same(asm('r2 = 5\ncall 10\nexit'), {
    helpers: { 10: (ctx, _a, b) => ctx.invoke(b, []) },
  }, 'bad address')), 'EBEE_VM_BAD_CALL_TARGET');
  assert.equal(errorOf(same(asm('r2 = cb ll\ncall 10\nexit\ncb:\ncall 10\nexit'), {
    helpers: { 10: (ctx) => ctx.invoke((0x00c0de00n << 32n) | 4n, []) }, // pc 4 is cb
  }, 'nested callbacks')), 'EBEE_VM_CALL_DEPTH');
  // A runaway callback is stopped by the budget.
  assert.equal(errorOf(same(asm('r2 = cb ll\ncall 10\nexit\ncb:\ngoto cb'), {
    helpers: { 10: (ctx, _a, b) => ctx.invoke(b, []) }, budget: 1000,
  }, 'runaway callback')), 'EBEE_VM_BUDGET_EXCEEDED');
});

test('a callback sees the caller\'s r0 and r6-r9 it never wrote, as in the interpreter', () => {
  const program = asm(`
    r0 = 3
    r6 = 5
    r9 = 7
    r2 = cb ll
    call 10
    exit
  cb:
    r0 += r6
    r0 += r9
    r0 += r1
    exit`);
  same(program, { helpers: { 10: (ctx, _a, b) => ctx.invoke(b, [100n]) } }, 'callback registers');
  assert.deepEqual(compile(program).extraIn, [0, 6, 9]);
  // Every invocation sees the caller's registers, also after an earlier one changed
  // them and called a helper itself (which passes its own registers the same way).
  const twice = asm(`
    r9 = 7
    r2 = cb ll
    call 10
    exit
  cb:
    r6 = r9
    r9 = 100
    call 11
    r0 = r6
    r0 += r9
    exit`);
  const out = same(twice, {
    helpers: { 10: (ctx, _a, b) => ctx.invoke(b, []) + ctx.invoke(b, []), 11: () => 0n },
  }, 'callback twice');
  assert.equal('r0' in out && out.r0, 214n);
});

test('code shared between functions: fallthrough into a callee, a jump into another function', () => {
  same(asm(`
    r1 = 1
    call f
    r0 += 10
  f:
    r0 = r1
    r1 += 1
    exit`), {}, 'fallthrough into f');
  same(asm(`
    r1 = 4
    call f
    if r0 > 100 goto done
    goto g
  f:
    r0 = r1
  g:
    r0 *= 3
    exit
  done:
    exit`), {}, 'jump into the middle of f');
  same(asm('r1 = 3\ncall 0\nexit'.replace('call 0', 'if r1 == 0 goto +2\nr1 += -1\ncall -4')), {}, 'recursion into the entry');
});

test('memory growth inside a helper: the JIT sees the new memory and region', () => {
  same(asm(`
    call 11
    r6 = r0
    r6 += 3000000
    r1 = 0x5a
    *(u8 *)(r6 + 0) = r1
    r0 = *(u8 *)(r6 + 0)
    exit`), {
    helpers: { 11: (ctx) => BigInt(ctx.space.alloc(4 << 20, { name: 'big' }).start) },
  }, 'growth');
});

test('callx: a helper id, a code address, and neither', () => {
  const helpers = { 5: (_c: unknown, a: bigint) => a + 1n };
  same(mnemonic('mov %r1, 41\nmov %r8, 5\ncallx %r8\nexit'), { helpers }, 'callx helper');
  same(asm('r1 = 3\nr8 = f ll\ncallx r8\nr0 += 100\nexit\nf:\nr0 = r1\nr0 *= 3\nexit'), { helpers }, 'callx local');
  assert.equal(errorOf(same(asm('r8 = 0x100000005 ll\ncallx r8\nexit'), { helpers }, 'callx bad')), 'EBEE_VM_BAD_CALL_TARGET');
  assert.equal(errorOf(same([lddw(8, (0x00c0de00n << 32n) | 99n), insn(0x8d, 8, 0, 0, 0), insn(0x95, 0, 0, 0, 0)], { helpers }, 'callx out of range')),
    'EBEE_VM_BAD_CALL_TARGET');
  // A valid pc that is no function entry: the JIT cannot enter it (documented).
  const odd = [lddw(8, (0x00c0de00n << 32n) | 4n), insn(0x8d, 8, 0, 0, 0), insn(0x95, 0, 0, 0, 0), insn(0xb7, 0, 0, 0, 9), insn(0x95, 0, 0, 0, 0)];
  assert.equal(errorOf(runOn('checked', odd, { helpers })), 'EBEE_VM_UNSUPPORTED');
});

test('division and modulo by one register share the quotient, exactly, edge cases included', () => {
  const INT64_MIN = -(2n ** 63n);
  const values = [0n, 1n, -1n, 2n, -2n, 3n, 7n, -7n, 0x7fffffffn, -0x80000000n, 0x80000000n, 0xffffffffn,
    INT64_MIN, INT64_MIN + 1n, 2n ** 63n - 1n, 0x123456789abcdefn, -0x123456789abcdefn];
  const forms = [
    { div: 'r3 /= r2', mod: 'r4 %= r2', rem: 'i64.rem_u' },
    { div: 'r3 s/= r2', mod: 'r4 s%= r2', rem: 'i64.rem_s' },
    { div: 'w3 /= w2', mod: 'w4 %= w2', rem: 'i32.rem_u' },
    { div: 'w3 s/= w2', mod: 'w4 s%= w2', rem: 'i32.rem_s' },
  ];
  const table = new Uint8Array(values.length * 8);
  values.forEach((v, i) => new DataView(table.buffer).setBigInt64(i * 8, v, true));
  for (const f of forms) {
    // Every pair (a, b) of the table; the quotient is still in r3 when the remainder is
    // asked for, so no second division is compiled. r0 hashes every q and r.
    const p = asm(`
      r6 = r1
      r7 = 0
      r0 = 0
    outer:
      r8 = 0
    inner:
      r9 = r6
      r9 += r7
      r1 = *(u64 *)(r9 + 0)
      r9 = r6
      r9 += r8
      r2 = *(u64 *)(r9 + 0)
      r3 = r1
      ${f.div}
      r4 = r1
      ${f.mod}
      r0 *= 31
      r0 ^= r3
      r0 *= 31
      r0 ^= r4
      r8 += 8
      if r8 < ${table.length} goto inner
      r7 += 8
      if r7 < ${table.length} goto outer
      exit`);
    assert.doesNotMatch(printWat(compile(p, { checked: false }).bytes), new RegExp(f.rem), f.mod);
    same(p, { regions: [{ name: 'values', bytes: table }], args: (r) => [r[0]!.start] }, `${f.div}; ${f.mod}`);
  }
  // Not shared when an operand changed in between, the quotient is gone, or a block starts.
  for (const [label, between] of [['dividend changed', 'r1 += 1'], ['divisor changed', 'r2 = 3'], ['quotient overwritten', 'r3 = 0'],
    ['a block boundary', 'if r3 == 12345 goto next\nnext:']] as const) {
    const p = asm(`
      r1 = 100
      r2 = 7
      r3 = r1
      r3 /= r2
      ${between}
      r4 = r1
      r4 %= r2
      r0 = r3
      r0 <<= 8
      r0 |= r4
      exit`);
    assert.match(printWat(compile(p, { checked: false }).bytes), /i64\.rem_u/, label);
    same(p, {}, label);
  }
});

test('budget: exact counts, the boundary, runaway loops', () => {
  const p = asm('r0 = 0\nr1 = 10\nloop:\nr0 += 1\nr1 += -1\nif r1 != 0 goto loop\nexit');
  const full = runOn('interpreter', p);
  assert.ok('executed' in full);
  const n = full.executed!;
  same(p, { budget: n }, 'exactly enough');
  assert.equal(errorOf(same(p, { budget: n - 1 }, 'one short')), 'EBEE_VM_BUDGET_EXCEEDED');
  // Straight-line code past the budget fails too (checked at the exit).
  assert.equal(errorOf(same(asm('r0 = 1\nr0 = 2\nr0 = 3\nexit'), { budget: 3 }, 'straight line')), 'EBEE_VM_BUDGET_EXCEEDED');
  assert.equal(errorOf(same(asm('l:\ngoto l'), { budget: 10_000 }, 'runaway')), 'EBEE_VM_BUDGET_EXCEEDED');
  assert.equal(errorOf(same(asm('f:\nr1 += 1\ngoto f'), { budget: 0 }, 'zero budget')), 'EBEE_VM_BUDGET_EXCEEDED');
  // Around the boundary every failure is the interpreter's: the failure when the budget
  // reaches the failing instruction, BUDGET_EXCEEDED when it ran out before.
  const fails = [
    ['fall off', 'r0 = 1\nr0 += 1\nif r0 == 2 goto +0\nr0 = 3', 'EBEE_VM_FELL_OFF_END'],
    ['kfunc', [insn(0xb7, 0, 0, 0, 1), insn(0x07, 0, 0, 0, 1), insn(0x85, 0, 2, 0, 7), insn(0x95, 0, 0, 0, 0)], 'EBEE_VM_UNSUPPORTED'],
    ['unknown helper', 'r0 = 1\nr0 += 1\ncall 99\nexit', 'EBEE_VM_UNKNOWN_HELPER'],
    ['out of bounds', 'r0 = 1\nr1 = 8\nr0 = *(u8 *)(r1 + 0)\nexit', 'EBEE_VM_OUT_OF_BOUNDS'],
    ['call depth', 'f:\nr0 = 1\ncall f\nexit', 'EBEE_VM_CALL_DEPTH'],
  ] as const;
  for (const [label, text, code] of fails) {
    const q = typeof text === 'string' ? asm(text) : text;
    const outcomes = [];
    for (let budget = 0; budget <= 40; budget++) outcomes.push(errorOf(same(q, { budget }, `${label}, budget ${budget}`)));
    assert.ok(outcomes.includes(code) && outcomes.includes('EBEE_VM_BUDGET_EXCEEDED'), label);
  }
  // Unchecked mode has no budget and reports no count.
  const vm = new JitVm();
  assert.deepEqual(vm.run(p, { checked: false }), { r0: 10n, executed: undefined });
  assert.throws(() => vm.run(p, { budget: -1 }), /is not a count/);
});

test('checked mode: every kind of bad access fails as in the interpreter', () => {
  const setup = {
    regions: [{ name: 'ro', bytes: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), writable: false }, { name: 'rw', bytes: 16 }],
    args: ([ro, rw]: readonly { start: number }[]) => [ro!.start, rw!.start],
  };
  const cases: [string, string][] = [
    ['past the end', 'r0 = *(u64 *)(r2 + 12)\nexit'],
    ['before the start', 'r0 = *(u8 *)(r1 - 1)\nexit'],
    ['straddling two regions', 'r0 = *(u32 *)(r1 + 6)\nexit'],
    ['write to read-only', '*(u32 *)(r1 + 0) = 1\nexit'],
    ['atomic on read-only', 'r3 = 1\nlock *(u32 *)(r1 + 0) += r3\nexit'],
    ['null', 'r3 = 0\nr0 = *(u32 *)(r3 + 0)\nexit'],
    ['high word set', 'r3 = 1\nr3 <<= 32\nr3 += r2\nr0 = *(u32 *)(r3 + 0)\nexit'],
    ['high word set, offset wraps back', 'r3 = 1\nr3 <<= 32\nr3 += -16\nr0 = *(u32 *)(r3 + 20)\nexit'],
    ['negative address', 'r3 = -8\nr0 = *(u64 *)(r3 + 0)\nexit'],
    ['outside memory', 'r3 = 0x7fff0000 ll\nr0 = *(u64 *)(r3 + 0)\nexit'],
    ['read ok then write fails', 'r0 = *(u8 *)(r1 + 7)\n*(u8 *)(r1 + 7) = r0\nexit'],
    ['the stack is a region', 'r0 = *(u64 *)(r10 + 0)\nexit'],
    ['below the stack', 'r0 = *(u64 *)(r10 - 4104)\nexit'],
  ];
  for (const [what, text] of cases) {
    const out = same(asm(text), setup, what);
    assert.ok('error' in out, `${what}: expected a fault`);
  }
  // And the good paths, alternating regions so the caches refill.
  same(asm(`
    r0 = *(u64 *)(r1 + 0)
    *(u64 *)(r2 + 8) = r0
    r3 = *(u32 *)(r1 + 4)
    *(u32 *)(r10 - 4) = r3
    r4 = *(u32 *)(r10 - 4)
    *(u32 *)(r2 + 0) = r4
    exit`), setup, 'good accesses');
});

const ATOMICS = `
  r1 = 0x0f0f0f0f0f0f0f0f ll
  r2 = 0x00000000fffffff0 ll
  lock *(u64 *)(r9 + 0) += r1
  lock *(u32 *)(r9 + 8) += r2
  lock *(u64 *)(r9 + 16) |= r1
  lock *(u64 *)(r9 + 24) &= r1
  lock *(u32 *)(r9 + 32) ^= r1
  r3 = r1
  r3 = atomic_fetch_add((u64 *)(r9 + 40), r3)
  w4 = w2
  w4 = atomic_fetch_add((u32 *)(r9 + 44), w4)
  r5 = r2
  r5 = atomic_fetch_or((u64 *)(r9 + 48), r5)
  r6 = r1
  r6 = atomic_fetch_and((u64 *)(r9 + 56), r6)
  w7 = w1
  w7 = atomic_fetch_xor((u32 *)(r9 + 64), w7)
  r8 = 77
  r8 = xchg_64(r9 + 72, r8)
  w1 = 66
  w1 = xchg32_32(r9 + 80, w1)
  r0 = 0x1111111111111111 ll
  r2 = 1234
  r0 = cmpxchg_64(r9 + 88, r0, r2)
  w0 = 0x22222222
  w2 = 999
  w0 = cmpxchg32_32(r9 + 96, w0, w2)
  r0 += r3
  r0 += r4
  r0 += r5
  r0 += r6
  r0 += r7
  r0 += r8
  r0 += r1
  exit`;

test('atomics: every operation, 32 and 64 bits, fetch forms, cmpxchg hit and miss, shared memory too', () => {
  const init = new Uint8Array(104);
  const dv = new DataView(init.buffer);
  for (let i = 0; i < 13; i++) dv.setBigUint64(i * 8, 0x1111111111111111n * BigInt(i + 1), true);
  dv.setBigUint64(96, 0x1111111122222222n, true);
  const program = [insn(0xbf, 9, 1, 0, 0), ...asm(ATOMICS)];
  for (const shared of [false, true]) {
    const setup = { regions: [{ name: 'atomics', bytes: init }], args: ([r]: readonly { start: number }[]) => [r!.start], shared };
    same(program, setup, `atomics shared=${shared}`);
    // Misaligned: wasm atomics would trap, eBPF allows it.
    const misaligned = [insn(0xbf, 9, 1, 0, 0), ...asm(ATOMICS.replace(/\(r9 \+ (\d+)\)/g, (_, o) => `(r9 + ${Number(o) + 1})`).replace(/\(r9 \+ (\d+), /g, (_, o) => `(r9 + ${Number(o) + 1}, `))];
    same(misaligned, { ...setup, regions: [{ name: 'atomics', bytes: new Uint8Array([...init, 0, 0, 0, 0, 0, 0, 0, 0]) }] }, `misaligned shared=${shared}`);
  }
  const c = compile(program, { shared: true });
  assert.ok(WebAssembly.validate(c.bytes));
});

test('legacy packet loads: in range, out of range (r0 = 0, counted), without a packet', () => {
  const packet = Uint8Array.of(0x45, 0x00, 0x00, 0x54, 0xab, 0xcd, 0x40, 0x00, 0x40, 0x01);
  const setup = { regions: [{ name: 'packet', bytes: packet }], packet: 0 };
  same(mnemonic('ldabsw 0\nmov %r6, %r0\nldabsh 4\nadd %r6, %r0\nldabsb 9\nadd %r0, %r6\nexit'), setup, 'ldabs');
  same(mnemonic('mov %r1, 2\nldindw %r1, 0\nmov %r6, %r0\nmov %r1, -1\nldindh %r1, 2\nadd %r0, %r6\nexit'), setup, 'ldind');
  const out = same(mnemonic('mov %r0, 5\nldabsw 8\nmov %r0, 7\nexit'), setup, 'out of range');
  assert.deepEqual('r0' in out && [out.r0, out.executed], [0n, 2]);
  same(mnemonic('mov %r1, -9\nldindb %r1, 0\nexit'), setup, 'negative offset');
  same(asm('r1 = 1\ncall f\nr0 = 3\nexit\nf:\nr0 = *(u8 *)skb[20]\nexit'), setup, 'out of range in a callee');
  assert.equal(errorOf(same(mnemonic('ldabsw 0\nexit'), {}, 'no packet')), 'EBEE_VM_UNSUPPORTED');
});

test('failures: falling off the end, kfuncs, unresolved lddw, invalid opcodes', () => {
  assert.equal(errorOf(same(asm('r0 = 1'), {}, 'fall off')), 'EBEE_VM_FELL_OFF_END');
  assert.equal(errorOf(same(asm('r0 = 1\nif r0 == 1 goto +1\nexit\nr0 = 2'), {}, 'fall off after a jump')), 'EBEE_VM_FELL_OFF_END');
  assert.equal(errorOf(same([insn(0x85, 0, 2, 0, 77), insn(0x95, 0, 0, 0, 0)], {}, 'kfunc')), 'EBEE_VM_UNSUPPORTED');
  assert.equal(errorOf(same([lddw(1, 3, 1), insn(0x95, 0, 0, 0, 0)], {}, 'map fd')), 'EBEE_VM_UNSUPPORTED');
  assert.equal(errorOf(same([insn(0xb7, 0, 0, 0, 1), insn(0x8f, 0, 0, 0, 0), insn(0x95, 0, 0, 0, 0)], {}, 'invalid')), 'EBEE_VM_UNSUPPORTED');
  // Not reached: no failure.
  same([insn(0xb7, 0, 0, 0, 1), insn(0x95, 0, 0, 0, 0), insn(0x85, 0, 2, 0, 77), lddw(1, 3, 1)], {}, 'dead failures');
});

test('irreducible control flow runs under a dispatcher with the same results', () => {
  // Two entries into the cycle a <-> b.
  const p = asm(`
    r0 = 0
    r2 = 20
    if r1 > 5 goto b
  a:
    r0 += 1
    r2 += -1
    if r2 == 0 goto out
  b:
    r0 += 2
    r2 += -1
    if r2 != 0 goto a
  out:
    exit`);
  for (const arg of [0, 10]) same(p, { args: () => [arg] }, `entry ${arg}`);
  const c = compile(p);
  assert.equal(c.dispatcherRegions, 1);
  assert.ok(WebAssembly.validate(c.bytes));
});

test('JitVm: compiled programs are reused, modes can be switched, prepared programs accepted', () => {
  const p = prepare(asm('r0 = r1\nr0 += r2\nexit'));
  const vm = new JitVm();
  const c = compile(p, { checked: false });
  assert.deepEqual(vm.run(c, { args: [2, 3] }), { r0: 5n, executed: undefined });
  assert.deepEqual(vm.run(c, { args: [2, 3], checked: true }), { r0: 5n, executed: 3 });
  assert.deepEqual(vm.run(p, { args: [-1, 0] }), { r0: 0xffffffffffffffffn, executed: 3 });
  assert.throws(() => vm.run(p, { args: [1, 2, 3, 4, 5, 6] }), /at most 5/);
  // The stack is released after each run, failed or not.
  const before = vm.space.listRegions().length;
  assert.throws(() => vm.run(asm('r0 = *(u64 *)(r0 + 0)\nexit')), VmError);
  assert.equal(vm.space.listRegions().length, before);
  // A shared address space gets the shared-memory variant.
  const sharedVm = new JitVm({ space: new AddressSpace({ shared: true }), helpers: new HelperRegistry() });
  assert.equal(sharedVm.run(p, { args: [4, 5] }).r0, 9n);
  assert.equal(sharedVm.compile(p).shared, true);
  // A helper may run the same compiled program again (a fresh instance is used).
  const inner = compile(asm('r0 = r1\nr0 *= 2\nexit'));
  const reentrant: JitVm = new JitVm({
    helpers: new HelperRegistry().register(1, 'again', (_c, a): bigint => (a < 100n ? reentrant.run(again, { args: [a * 2n] }).r0 : a)),
  });
  const again = compile(asm('call 1\nexit'));
  assert.equal(reentrant.run(again, { args: [3] }).r0, 192n);
  assert.equal(reentrant.run(inner, { args: [21] }).r0, 42n);
  // Unchecked mode: an access outside memory is a wasm trap, reported as OUT_OF_BOUNDS,
  // in the program and inside a callback alike.
  const wild = asm('r1 = 0x7fff0000 ll\nr0 = *(u64 *)(r1 + 0)\nexit');
  assert.throws(() => vm.run(wild, { checked: false }), (e: unknown) => e instanceof VmError && e.code === 'EBEE_VM_OUT_OF_BOUNDS');
  const cbVm = new JitVm({ helpers: new HelperRegistry().register(10, 'invoke', (ctx, _a, b) => ctx.invoke(b, [])) });
  assert.throws(() => cbVm.run(asm('r2 = cb ll\ncall 10\nexit\ncb:\nr1 = 0x7fff0000 ll\nr0 = *(u64 *)(r1 + 0)\nexit'), { checked: false }),
    (e: unknown) => e instanceof VmError && e.code === 'EBEE_VM_OUT_OF_BOUNDS');
  // The interpreter agrees on the plain program.
  assert.equal(new Vm().run(p, { args: [2, 3] }).r0, 5n);
});
