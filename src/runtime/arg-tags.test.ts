/**
 * Global function argument tags without the kernel: the signature each tag gives (on
 * hand-built BTF, one parameter at a time), and ebee's verdict and message on every
 * program of src/elf/fixtures/arg_tags.o, which are Linux 6.18's (verify-kernel.test.ts
 * checks the verdicts against the running kernel).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BtfBuilder, BtfFuncLinkage, BtfKind, parseBtf } from '../btf/index.js';
import { AttachType, ProgramType, parseObject } from '../elf/index.js';
import { programTypeFor } from '../progs/index.js';
import type { GlobalArg } from '../verifier/index.js';
import { globalFunctionsOf, mapDescriptorOf, verifyProgram, type ContextOf } from './index.js';

type Param = 'int' | 'void*' | 'u64*' | 'u32*' | 'regs*' | 'user_regs*' | 'skb*' | 'kskb*' | 'anon*' | 'dynptr*';

/** The one argument of `int f(PARAM p TAGS...)`, global, for a program with context `ctx`. */
function argFor(param: Param, tags: readonly string[], ctx: ContextOf): GlobalArg {
  const b = new BtfBuilder();
  const int = b.add({ kind: BtfKind.INT, name: 'int', size: 4, encoding: 1, bitOffset: 0, bits: 32 });
  const u32 = b.add({ kind: BtfKind.INT, name: 'unsigned int', size: 4, encoding: 0, bitOffset: 0, bits: 32 });
  const u64 = b.add({ kind: BtfKind.INT, name: 'unsigned long long', size: 8, encoding: 0, bitOffset: 0, bits: 64 });
  const struct = (name: string): number => b.add({ kind: BtfKind.STRUCT, name, size: 4, members: [{ name: 'x', type: u32, bitOffset: 0, bitfieldSize: 0 }] });
  const ptr = (type: number): number => b.add({ kind: BtfKind.PTR, name: '', type });
  const regs = struct('pt_regs');
  const types: Record<Param, () => number> = {
    'int': () => int,
    'void*': () => ptr(0),
    'u64*': () => ptr(b.add({ kind: BtfKind.TYPEDEF, name: '__u64', type: u64 })),
    'u32*': () => ptr(u32),
    'regs*': () => ptr(regs),
    'user_regs*': () => ptr(b.add({ kind: BtfKind.TYPEDEF, name: 'bpf_user_pt_regs_t', type: regs })),
    'skb*': () => ptr(struct('__sk_buff')),
    'kskb*': () => ptr(struct('sk_buff')),
    'anon*': () => ptr(struct('')),
    'dynptr*': () => ptr(struct('bpf_dynptr')),
  };
  const proto = b.add({ kind: BtfKind.FUNC_PROTO, name: '', returnType: int, params: [{ name: 'p', type: types[param]() }] });
  const func = b.add({ kind: BtfKind.FUNC, name: 'f', type: proto, linkage: BtfFuncLinkage.GLOBAL });
  for (const t of tags) b.add({ kind: BtfKind.DECL_TAG, name: `arg:${t}`, type: func, componentIdx: 0 });
  const fn = globalFunctionsOf([{ pc: 0, typeId: 0 }, { pc: 5, typeId: func }], parseBtf(b.build()), ctx).get(5);
  assert.ok(fn && !fn.invalid, 'a valid global signature');
  return fn.args[0]!;
}

const TC: ContextOf = { name: '__sk_buff', type: ProgramType.SCHED_CLS };
const reason = (a: GlobalArg): string => (a.kind === 'invalid' ? a.reason : `(${a.kind})`);

test('arg:nonnull makes memory that is never NULL; untagged memory may be NULL', () => {
  assert.deepEqual(argFor('u32*', ['nonnull'], TC), { kind: 'mem', size: 4, nullable: false });
  assert.deepEqual(argFor('u32*', [], TC), { kind: 'mem', size: 4, nullable: true });
  assert.equal(reason(argFor('void*', ['nonnull'], TC)), "arg#0 reference type('UNKN') size cannot be determined");
});

test('arg:ctx: void * always, the type\'s own context struct, and each type\'s special cases', () => {
  const ok: ReadonlyArray<readonly [Param, ContextOf]> = [
    ['void*', TC], ['skb*', TC], ['void*', { name: 'xdp_md', type: ProgramType.XDP }],
    ['regs*', { name: 'pt_regs', type: ProgramType.KPROBE }], ['user_regs*', { name: 'pt_regs', type: ProgramType.KPROBE }],
    ['regs*', { name: 'bpf_perf_event_data', type: ProgramType.PERF_EVENT }],
    ['user_regs*', { name: 'bpf_perf_event_data', type: ProgramType.PERF_EVENT }],
    ['u64*', { name: 'bpf_raw_tracepoint_args', type: ProgramType.RAW_TRACEPOINT }],
    ['u32*', { name: 'trace_event_raw', type: ProgramType.TRACEPOINT }],
    ['u64*', { name: 'tracing_args', type: ProgramType.TRACING, attachType: AttachType.TRACE_FENTRY }],
    ['void*', { name: 'x', type: ProgramType.LIRC_MODE2 }],
  ];
  for (const [param, ctx] of ok) assert.deepEqual(argFor(param, ['ctx'], ctx), { kind: 'ctx' }, `${param} for type ${ctx.type}`);
  // Untagged, only the context struct (or the kernel's own sk_buff) is the context.
  assert.deepEqual(argFor('kskb*', [], TC), { kind: 'ctx' });
  assert.deepEqual(argFor('u64*', [], { name: 'bpf_raw_tracepoint_args', type: ProgramType.RAW_TRACEPOINT }), { kind: 'mem', size: 8, nullable: true });
});

test('arg:ctx on a pointer the type does not take: the kernel\'s messages', () => {
  const bad: ReadonlyArray<readonly [Param, ContextOf, string]> = [
    ['kskb*', TC, 'arg#0 should be `struct __sk_buff *`'],
    ['regs*', TC, 'arg#0 should be `struct __sk_buff *`'],
    ['u64*', { name: 'xdp_md', type: ProgramType.XDP }, 'arg#0 should be `struct xdp_md *`'],
    ['user_regs*', TC, 'arg#0 should be `struct __sk_buff *`'],
    ['u32*', { name: 'x', type: ProgramType.LIRC_MODE2 }, 'arg#0 should be void pointer'],
    ['u64*', { name: 'tracing_args', type: ProgramType.TRACING, attachType: AttachType.TRACE_ITER }, 'arg#0 should be void pointer'],
    ['anon*', { name: 'trace_event_raw', type: ProgramType.TRACEPOINT }, "arg#0 type doesn't have a name"],
    // Without the program type, ebee's context model names the struct.
    ['regs*', { name: 'bpf_sock' }, 'arg#0 should be `struct bpf_sock *`'],
  ];
  for (const [param, ctx, message] of bad) assert.equal(reason(argFor(param, ['ctx'], ctx)), message, `${param} for type ${ctx.type}`);
});

test('tag combinations and placements Linux refuses, and the tags ebee does not model', () => {
  const cases: ReadonlyArray<readonly [Param, readonly string[], RegExp]> = [
    ['int', ['nonnull'], /^arg#0 has pointer tag, but is not a pointer type$/],
    ['u32*', ['sparkly'], /^arg#0 has unsupported set of tags$/],
    ['void*', ['ctx', 'nonnull'], /^arg#0 has invalid combination of tags$/],
    ['skb*', ['nonnull'], /^arg#0 has invalid combination of tags$/],
    ['u32*', ['nullable'], /^arg#0 has invalid combination of tags$/],
    ['dynptr*', ['nonnull'], /^arg#0 has invalid combination of tags$/],
    ['u32*', ['trusted', 'nonnull'], /^arg#0 has invalid combination of tags$/],
    ['u32*', ['untrusted', 'nullable'], /^arg#0 untrusted cannot be combined with any other tags$/],
    ['void*', ['arena', 'nonnull'], /^arg#0 arena cannot be combined with any other tags$/],
    ['u32*', ['trusted'], /arg:trusted.*needs the kernel's BTF/],
    ['u32*', ['trusted', 'nullable'], /arg:trusted.*needs the kernel's BTF/],
    ['u32*', ['untrusted'], /arg:untrusted.*ebee does not model/],
    ['void*', ['arena'], /arg:arena.*ebee does not model/],
  ];
  for (const [param, tags, message] of cases) assert.match(reason(argFor(param, tags, TC)), message, `${param} ${tags.join(',')}`);
});

/** What Linux 6.18 says about each program of arg_tags.o: accepted, or the first line of its refusal. */
const KERNEL: Readonly<Record<string, string>> = {
  tc_nonnull_ok: 'accept', tc_nonnull_checked_ok: 'accept', tc_nonnull_null_ok: 'accept', tc_static_tag_ok: 'accept',
  tc_ctx_void_ok: 'accept', tc_ctx_skb_ok: 'accept', kprobe_ctx_void_ok: 'accept', kprobe_ctx_regs_ok: 'accept',
  raw_tp_ctx_u64_ok: 'accept', tp_ctx_any_ok: 'accept', perf_ctx_regs_ok: 'accept', sock_ctx_ok: 'accept',
  tc_nonnull_maybe_null: 'arg#0 is expected to be non-NULL',
  tc_nonnull_too_small: 'invalid access to map value, value_size=4 off=0 size=8',
  tc_tag_on_scalar: 'arg#0 has pointer tag, but is not a pointer type',
  tc_nonnull_on_ctx: 'arg#0 has invalid combination of tags',
  tc_ctx_not_ctx: 'arg#0 expects pointer to ctx',
  tc_ctx_regs: 'arg#0 should be `struct __sk_buff *`',
  tc_ctx_kernel_skb: 'arg#0 should be `struct __sk_buff *`',
  tc_ctx_anon: "arg#0 type doesn't have a name",
  tc_ctx_offset: 'dereference of modified ctx ptr R1 off=8 disallowed',
  tc_ctx_nonnull: 'arg#0 has invalid combination of tags',
  tc_nullable_mem: 'arg#0 has invalid combination of tags',
  tc_unknown_tag: 'arg#0 has unsupported set of tags',
  tc_trusted_nonnull: 'arg#0 has invalid combination of tags',
  tc_arena_nonnull: 'arg#0 arena cannot be combined with any other tags',
  xdp_ctx_skb: 'arg#0 should be `struct xdp_md *`',
  xdp_ctx_u64: 'arg#0 should be `struct xdp_md *`',
  // The kernel looks task_struct up in its BTF, then refuses the caller's ctx pointer
  // ("R1 type=ctx expected=ptr_, trusted_ptr_, rcu_ptr_"); ebee refuses the tag itself.
  tc_trusted: 'arg:trusted',
};

test('arg_tags.o: every program gets Linux 6.18\'s verdict, and its message', () => {
  const spec = parseObject(new Uint8Array(readFileSync(fileURLToPath(new URL('../../src/elf/fixtures/arg_tags.o', import.meta.url)))));
  const maps = spec.maps.map(mapDescriptorOf);
  assert.deepEqual(spec.programs.map((p) => p.name).sort(), Object.keys(KERNEL).sort(), 'the table covers the fixture');
  for (const p of spec.programs) {
    const type = programTypeFor(p.type, p.sectionType?.expectedAttachType);
    const attach = p.sectionType?.expectedAttachType;
    const globals = globalFunctionsOf(p.funcInfo, spec.btf, { name: type.context.name, type: type.type, ...(attach === undefined ? {} : { attachType: attach }) });
    assert.ok(globals.size > 0 || p.name === 'tc_static_tag_ok', `${p.name} calls a global function`);
    const r = verifyProgram(p.insns, { type, maps, logLevel: 0, license: p.license, globalFunctions: globals });
    const want = KERNEL[p.name]!;
    if (want === 'accept') assert.ok(r.ok, `${p.name}: ${r.error?.message}`);
    else assert.ok(!r.ok && r.error!.message.includes(want), `${p.name}: want "${want}", got ${r.ok ? 'accept' : r.error!.message}`);
  }
});
