import { test } from 'node:test';
import assert from 'node:assert/strict';
import { insn, lddw } from '../isa/index.js';
import { ErrorCategory, VerifierInputError, verify, type GlobalArg, type VerifierResult, type VerifyOptions } from './index.js';
import { assemble } from '../asm/index.js';
import { lookup, run, runInsns } from './verify.test.fixture.js';

function rejects(text: string, message: string | RegExp, category?: string): void {
  const r = run(text);
  assert.equal(r.ok, false, `expected a rejection, log:\n${r.log}`);
  if (typeof message === 'string') assert.equal(r.error!.message, message);
  else assert.match(r.error!.message, message);
  if (category) assert.equal(r.error!.category, category);
}

function accepts(text: string): void {
  const r = run(text);
  assert.equal(r.ok, true, `expected acceptance, got ${r.error?.message} at ${r.error?.pc}\n${r.log}`);
}

test('a minimal program is accepted; r0 must be written before exit', () => {
  accepts('r0 = 0\nexit');
  const r = run('exit');
  assert.equal(r.ok, false);
  assert.deepEqual(r.error, { pc: 0, message: 'R0 !read_ok', category: ErrorCategory.UNINIT });
});

test('reading an uninitialised register is rejected', () => {
  rejects('r0 = r2\nexit', 'R2 !read_ok', ErrorCategory.UNINIT);
});

test('control flow: out of range, into an lddw, unreachable, falling off the end, back-edges', () => {
  const ja = (off: number) => insn(0x05, 0, 0, off, 0);
  const mov0 = insn(0xb7, 0, 0, 0, 0);
  const exit = insn(0x95, 0, 0, 0, 0);
  let r = runInsns([ja(5), mov0, exit]);
  assert.deepEqual([r.ok, r.error?.message, r.error?.category], [false, 'jump out of range from insn 0 to 6', 'cfg']);
  r = runInsns([insn(0x05, 0, 0, 1, 0), lddw(0, 1n), exit]);
  assert.equal(r.error?.message, 'jump into the middle of ldimm64 insn 1');
  r = runInsns([mov0, exit, mov0, exit]);
  assert.equal(r.error?.message, 'unreachable insn 2');
  r = runInsns([mov0, mov0]);
  assert.equal(r.error?.message, 'last insn is not an exit or jmp');
  const loop = [mov0, insn(0x07, 0, 0, 0, 1), insn(0xa5, 0, 0, -2, 10), exit];
  assert.equal(runInsns(loop).ok, true);
  r = runInsns(loop, { allowLoops: false });
  assert.equal(r.error?.message, 'back-edge from insn 2 to 1');
});

test('a map value must be NULL-checked; the explanation says so', () => {
  const r = run(`${lookup(0)}\nr0 = *(u64 *)(r0 + 0)\nr0 = 0\nexit`);
  assert.equal(r.ok, false);
  assert.equal(r.error!.message, "R0 invalid mem access 'map_value_or_null'");
  assert.equal(r.error!.pc, 7);
  assert.match(r.explain!.text, /call bpf_map_lookup_elem#1/);
  assert.match(r.explain!.hint!, /NULL/);
  accepts(`${lookup(0)}\nif r0 == 0 goto out\nr0 = *(u64 *)(r0 + 0)\nout:\nr0 = 0\nexit`);
});

test('a NULL check on a copy applies to the original', () => {
  accepts(`${lookup(0)}\nr6 = r0\nif r6 == 0 goto out\nr0 = *(u64 *)(r0 + 0)\nout:\nr0 = 0\nexit`);
});

test('map value accesses are bounded by value_size', () => {
  accepts(`${lookup(0)}\nif r0 == 0 goto out\nr1 = *(u32 *)(r0 + 4)\nout:\nr0 = 0\nexit`);
  const r = run(`${lookup(3)}\nif r0 == 0 goto out\nr1 = *(u32 *)(r0 + 4)\nout:\nr0 = 0\nexit`);
  assert.equal(r.error?.message, 'invalid access to map value, value_size=4 off=4 size=4');
});

test('a variable index into a map value needs both bounds', () => {
  const body = (check: string) => `${lookup(0)}
    if r0 == 0 goto out
    r1 = *(u32 *)(r0 + 0)
    ${check}
    r0 += r1
    r1 = *(u8 *)(r0 + 0)
    out:
    r0 = 0
    exit`;
  rejects(body(''), 'R0 unbounded memory access, make sure to bounds check any such access', ErrorCategory.BOUNDS);
  rejects(body('if r1 > 8 goto out'), 'invalid access to map value, value_size=8 off=8 size=1', ErrorCategory.MEM);
  accepts(body('if r1 > 7 goto out'));
  // Linked scalars: the bound proven on a copy plus a constant applies to r1.
  accepts(body('r2 = r1\nr2 += 4\nif r2 > 11 goto out'));
});

test('packet access needs a comparison with data_end, on the right edge', () => {
  const prog = (access: number) => `
    r2 = *(u32 *)(r1 + 0)
    r3 = *(u32 *)(r1 + 4)
    r4 = r2
    r4 += 14
    if r4 > r3 goto out
    r0 = *(u8 *)(r2 + ${access})
    out:
    r0 = 0
    exit`;
  accepts(prog(13));
  const r = run(prog(14));
  assert.equal(r.error?.message, 'invalid access to packet, off=14 size=1, R2(id=0,off=0,r=14)');
  assert.match(r.explain!.path.join('\n'), /4: if r4 > r3 goto pc\+1 \(not taken\)/);
  // The reversed comparison proves the range on the taken edge.
  accepts(`
    r2 = *(u32 *)(r1 + 0)
    r3 = *(u32 *)(r1 + 4)
    r4 = r2
    r4 += 8
    if r3 >= r4 goto ok
    r0 = 0
    exit
    ok:
    r0 = *(u64 *)(r2 + 0)
    exit`);
});

test('the stack: uninitialised reads, spills and fills of pointers, bounds', () => {
  // Never-written stack reads as some number to a privileged program (Linux 6.18, root,
  // accepts all three through the oracle); allowUninitStack: false is unprivileged Linux.
  accepts('r0 = *(u64 *)(r10 - 8)\nexit');
  accepts('r1 = 0\n*(u32 *)(r10 - 8) = r1\nr0 = *(u64 *)(r10 - 8)\nexit');
  accepts('r0 = *(u32 *)(r10 - 512)\nexit');
  const deref = run('r0 = *(u64 *)(r10 - 8)\nr0 = *(u8 *)(r0 + 0)\nexit');
  assert.equal(deref.error?.message, "R0 invalid mem access 'scalar'", 'the kernel rejects this too');
  const strict = run('r0 = *(u64 *)(r10 - 8)\nexit', { allowUninitStack: false });
  assert.equal(strict.error?.message, 'invalid read from stack off -8+0 size 8');
  assert.equal(strict.error?.category, ErrorCategory.UNINIT);
  rejects('r0 = 0\n*(u64 *)(r10 - 520) = r0\nexit', 'invalid write to stack R10 off=-520 size=8');
  // A spilled ctx pointer fills back as ctx.
  accepts('*(u64 *)(r10 - 8) = r1\nr2 = *(u64 *)(r10 - 8)\nr0 = *(u32 *)(r2 + 0)\nexit');
  rejects('*(u64 *)(r10 - 8) = r1\nr2 = *(u32 *)(r10 - 8)\nr0 = 0\nexit', 'invalid size of register fill');
  // Writing zeros makes them readable as the constant 0.
  const r = run('r1 = 0\n*(u32 *)(r10 - 4) = r1\nr0 = *(u32 *)(r10 - 4)\nexit', { logLevel: 2 });
  assert.equal(r.ok, true);
  assert.match(r.log, /2: \(61\) r0 = \*\(u32 \*\)\(r10 - 4\) +; R0_w=0/);
});

test("pointer arithmetic follows Linux's rules", () => {
  rejects('r1 &= 0xff\nr0 = 0\nexit', 'R1 bitwise operator &= on pointer prohibited', ErrorCategory.BOUNDS);
  rejects('w1 += 1\nr0 = 0\nexit', 'R1 32-bit pointer arithmetic prohibited');
  rejects('r1 = map_idx(0) ll\nr1 += 8\nr0 = 0\nexit', 'R1 pointer arithmetic on map_ptr prohibited');
  rejects(`${lookup(0)}\nr0 += 1\nr0 = 0\nexit`, 'R0 pointer arithmetic on map_value_or_null prohibited, null-check it first');
  rejects(`r2 = *(u32 *)(r1 + 0)
    r3 = *(u64 *)(r10 - 8)
    exit`, 'R0 !read_ok');
  rejects(`${lookup(0)}\nif r0 == 0 goto out\nr1 = *(u64 *)(r0 + 0)\nr0 += r1\nout:\nr0 = 0\nexit`,
    'math between map_value pointer and register with unbounded min value is not allowed');
  // pointer - pointer is a number to a privileged program.
  accepts('r0 = r10\nr0 -= r1\nexit');
});

test('32-bit subtraction with a pointer on either side is a number; other 32-bit pointer ALU is not', () => {
  // Verdicts of Linux 6.18 (root, socket filter) for each program, asked through the oracle.
  // Accepted: adjust_ptr_min_max_vals turns BPF_SUB in the 32-bit class into an unknown scalar.
  accepts('r0 = 0\nw0 -= w1\nexit');
  accepts('r0 = r1\nw0 -= 3\nexit');
  accepts('r0 = r10\nw0 -= w1\nexit');
  accepts('r1 = map_idx(0) ll\nw0 = 0\nw0 -= w1\nexit'); // before the map_ptr type check
  const r = run('r0 = 0\nw0 -= w1\nr0 = *(u8 *)(r0 + 0)\nexit');
  assert.equal(r.error?.message, "R0 invalid mem access 'scalar'");
  // Rejected, with the kernel's messages.
  rejects('r0 = 0\nw0 += w1\nexit', 'R0 32-bit pointer arithmetic prohibited');
  rejects('r0 = 0\nr0 -= r1\nexit', 'R0 tried to subtract pointer from scalar');
  rejects('r0 = 0\nr0 |= r1\nexit', 'R0 bitwise operator |= on pointer prohibited');
  rejects('r0 = 0\nr0 *= r1\nexit', 'R0 pointer arithmetic with *= operator prohibited');
  rejects('r0 = r10\nr0 += r1\nexit', 'R0 pointer += pointer prohibited');
  rejects('r1 = r10\nr1 -= 8\nr0 = 0\nexit', 'R1 subtraction from stack pointer prohibited');
});

test('division by zero is defined at run time, but not by an immediate 0', () => {
  accepts('r0 = 7\nr1 = *(u32 *)(r1 + 8)\nr0 /= r1\nexit');
  rejects('r0 = 7\nr0 /= 0\nexit', 'div by zero', ErrorCategory.DIV_BY_ZERO);
  const r = run('r0 = 7\nr1 = *(u32 *)(r1 + 8)\nr0 /= r1\nexit', { allowDivisionByZero: false });
  assert.equal(r.error?.category, ErrorCategory.DIV_BY_ZERO);
});

test('helper arguments are checked against the prototype', () => {
  rejects('r2 = r10\nr2 += -4\ncall 1\nr0 = 0\nexit', 'R1 type=ctx expected=map_ptr', ErrorCategory.HELPER_ARG);
  rejects('r1 = map_idx(0) ll\nr2 = 0\ncall 1\nr0 = 0\nexit',
    'R2 type=scalar expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_');
  // The key is key_size bytes of the map; never-written bytes pass for a privileged program
  // (Linux 6.18, root, accepts this) and are refused without allowUninitStack.
  const key = 'r2 = r10\nr2 += -4\nr1 = map_idx(0) ll\ncall 1\nr0 = 0\nexit';
  accepts(key);
  assert.equal(run(key, { allowUninitStack: false }).error?.message, 'invalid indirect read from stack R2 off -4+0 size 4');
  // A hash map with 8-byte keys needs 8 bytes.
  rejects(`${lookup(1)}\nr0 = 0\nexit`, 'invalid indirect access to stack R2 off=-4 size=8');
  rejects('call 100000\nr0 = 0\nexit', 'invalid func unknown#100000', ErrorCategory.CALL);
  // r1-r5 are clobbered by a call.
  rejects(`${lookup(0)}\nr0 = r2\nexit`, 'R2 !read_ok');
});

test('ring-buffer records must be submitted or discarded on every path', () => {
  const reserve = 'r1 = map_idx(2) ll\nr2 = 16\nr3 = 0\ncall 131';
  const r = run(`${reserve}\nif r0 == 0 goto out\nr1 = 1\n*(u64 *)(r0 + 8) = r1\nout:\nr0 = 0\nexit`);
  assert.equal(r.ok, false);
  assert.match(r.error!.message, /^Unreleased reference id=\d+ alloc_insn=4$/);
  assert.equal(r.error!.category, ErrorCategory.REF_LEAK);
  accepts(`${reserve}\nif r0 == 0 goto out\nr1 = 1\n*(u64 *)(r0 + 8) = r1\nr1 = r0\nr2 = 0\ncall 132\nout:\nr0 = 0\nexit`);
  rejects(`${reserve}\nif r0 == 0 goto out\nr1 = 1\n*(u64 *)(r0 + 16) = r1\nr1 = r0\nr2 = 0\ncall 132\nout:\nr0 = 0\nexit`,
    'invalid access to memory, mem_size=16 off=16 size=8');
});

test('bounded loops are explored; an infinite loop is detected', () => {
  accepts('r1 = 0\nloop:\nr1 += 1\nif r1 < 100 goto loop\nr0 = r1\nexit');
  rejects('r0 = 0\nloop:\nif r0 == 0 goto loop\nexit', 'infinite loop detected at insn 1', ErrorCategory.INFINITE_LOOP);
});

test('the processed-instruction limit', () => {
  const r = run('r1 = 0\nloop:\nr1 += 1\nif r1 < 1000 goto loop\nr0 = r1\nexit', { insnLimit: 100 });
  assert.deepEqual(r.error, { pc: r.error!.pc, message: 'BPF program is too large. Processed 101 insn', category: 'limit' });
  assert.throws(() => run('r0 = 0\nexit', { insnLimit: -1 }), VerifierInputError);
  assert.throws(() => verify('nope' as never), VerifierInputError);
});

test('bpf-to-bpf calls: arguments in, r0 out, r6-r9 kept, frames and stack limited', () => {
  accepts(`r6 = 5
    r1 = 3
    call f
    r0 += r6
    exit
    f:
    r0 = r1
    r0 += 1
    exit`);
  // r1-r5 are clobbered by the return.
  rejects('r1 = 3\ncall f\nr0 = r1\nexit\nf:\nr0 = 0\nexit', 'R1 !read_ok');
  const deep = ['call f0', 'r0 = 0', 'exit'];
  for (let k = 0; k < 9; k++) deep.push(`f${k}:`, k < 8 ? `call f${k + 1}` : 'r0 = 0', 'r0 = 0', 'exit');
  rejects(deep.join('\n'), 'the call stack of 9 frames is too deep !', ErrorCategory.CALL);
  rejects(`r1 = 0
    *(u64 *)(r10 - 512) = r1
    call f
    r0 = 0
    exit
    f:
    r1 = 0
    *(u64 *)(r10 - 8) = r1
    r0 = 0
    exit`, 'combined stack size of 2 calls is 544. Too large', ErrorCategory.LIMIT);
});

test('bpf_loop callbacks are verified with their parameters', () => {
  const prog = (body: string) => `
    r1 = 10
    r2 = cb ll
    r3 = 0
    r4 = 0
    call 181
    r0 = 0
    exit
    cb:
    ${body}
    exit`;
  accepts(prog('r0 = r1\nr0 &= 1'));
  rejects(prog('r0 = r10'), 'R0 not a scalar value', ErrorCategory.RETURN);
  rejects(prog('r0 = r1'), 'At callback return the register R0 has unknown scalar value should have been in [0, 1]');
  rejects(prog('r0 = *(u64 *)(r2 + 0)'), "R2 invalid mem access 'scalar'");
});

test('the context is checked against the layout', () => {
  rejects('r0 = *(u32 *)(r1 + 64)\nexit', 'invalid bpf_context access off=64 size=4', ErrorCategory.CTX);
  rejects('r0 = 0\n*(u32 *)(r1 + 0) = r0\nexit', 'invalid bpf_context access off=0 size=4');
  rejects('r1 += 4\nr0 = *(u32 *)(r1 + 0)\nexit', 'dereference of modified ctx ptr R1 off=4 disallowed');
});

test('state pruning cuts the work without changing the verdict', () => {
  // Each diamond tests a fresh unknown and writes a register nobody reads: 2^12 paths,
  // all equivalent where they join.
  const diamonds = ['r0 = 0'];
  for (let k = 0; k < 12; k++) diamonds.push('r2 = *(u32 *)(r1 + 8)', `if r2 > ${k} goto L${k}`, 'r7 = 1', `L${k}:`);
  diamonds.push('exit');
  const text = diamonds.join('\n');
  const pruned = run(text);
  const full = run(text, { prune: false });
  assert.equal(pruned.ok, true);
  assert.equal(full.ok, true);
  assert.ok(pruned.stats.processedInsns * 20 < full.stats.processedInsns,
    `pruned ${pruned.stats.processedInsns} vs ${full.stats.processedInsns}`);
});

test('the log: level 2 prints every instruction and its effect, and the statistics line', () => {
  const r = run('r0 = 0\nexit', { logLevel: 2 });
  assert.match(r.log, /^0: \(b7\) r0 = 0 +; R0_w=0$/m);
  assert.match(r.log, /^processed 2 insns \(limit 1000000\) max_states_per_insn \d+ total_states \d+ peak_states \d+ mark_read \d+$/m);
  const quiet = run('r0 = 0\nexit', { logLevel: 0 });
  assert.equal(quiet.log, '');
  // Level 1 keeps the path to the error.
  const e = run(`${lookup(0)}\nr0 = *(u64 *)(r0 + 0)\nexit`);
  assert.match(e.log, /6: \(85\) call bpf_map_lookup_elem#1\n7: \(79\) r0 = \*\(u64 \*\)\(r0 \+0\)|7: \(79\) r0 = \*\(u64 \*\)\(r0 \+ 0\)\nR0 invalid mem access 'map_value_or_null'/);
});

test('states are recorded per instruction for a UI', () => {
  const r = run('r0 = 1\nr2 = r10\nexit');
  const at2 = r.states.get(2)!;
  assert.ok(at2.length >= 1);
  const regs = new Map(at2[0]!.regs.map((x) => [x.reg, x.text]));
  assert.equal(regs.get(0), '1');
  assert.equal(regs.get(2), 'fp0');
  assert.equal(regs.get(1), 'ctx()');
});

test('special maps go only to their helpers, and those helpers only take them', () => {
  const tailCall = (map: number) => `r6 = r1\nr1 = r6\nr2 = map_idx(${map}) ll\nr3 = 0\ncall 12\nr0 = 0\nexit`;
  accepts(tailCall(4));
  rejects(tailCall(0), 'expected prog array map for tail call', ErrorCategory.HELPER_ARG);
  // A PROG_ARRAY cannot be looked up; a ring buffer cannot hold perf samples.
  rejects(`${lookup(4)}\nr0 = 0\nexit`, 'cannot pass map_type 3 into func bpf_map_lookup_elem#1', ErrorCategory.HELPER_ARG);
  rejects(`r1 = r1\nr2 = map_idx(0) ll\nr3 = 0\nr4 = r10\nr4 += -8\n*(u64 *)(r10 - 8) = r3\nr5 = 8\ncall 25\nr0 = 0\nexit`,
    'cannot pass map_type 2 into func bpf_perf_event_output#25', ErrorCategory.HELPER_ARG);
  rejects('r1 = map_idx(1) ll\nr2 = 16\nr3 = 0\ncall 131\nr0 = 0\nexit', 'cannot pass map_type 1 into func bpf_ringbuf_reserve#131');
});

test('a global function is verified on its own from its signature; a call only checks the arguments', () => {
  // Linux 6.18 with BTF func_info (libbpf) verifies a global function from its signature:
  // an `int *` argument is 4 bytes of memory that may be NULL, whatever the caller passes.
  // The same rule rejects build/bpf2bpf.o's add1 and the global_funcs.o fixture's trusting().
  const prog = (body: string): string => `r1 = 0\n*(u32 *)(r10 - 4) = r1\nr1 = r10\nr1 += -4\ncall sub\nexit\nsub:\n${body}\nexit`;
  const at6 = (args: readonly GlobalArg[]): VerifyOptions => ({ globalFunctions: new Map([[6, { name: 'sub', args }]]) });
  const mem: GlobalArg = { kind: 'mem', size: 4, nullable: true };
  const deref = prog('r0 = *(u32 *)(r1 + 0)');
  accepts(deref); // static: verified with the caller's stack pointer
  let r = run(deref, at6([mem]));
  assert.deepEqual([r.error?.pc, r.error?.message], [6, "R1 invalid mem access 'mem_or_null'"]);
  assert.equal(run(prog('r0 = 0\nif r1 == 0 goto +1\nr0 = *(u32 *)(r1 + 0)'), at6([mem])).ok, true);
  r = run(prog('r0 = *(u32 *)(r1 + 4)'), at6([{ kind: 'mem', size: 4, nullable: false }]));
  assert.equal(r.error?.message, 'invalid access to memory, mem_size=4 off=4 size=4');
  // A global function returns a scalar (check_return_code for a subprogram).
  r = run(prog('r0 = r10'), at6([mem]));
  assert.equal(r.error?.message, 'At subprogram exit the register R0 is not a scalar value (fp)');
  // The caller's side: arguments must fit the signature; r0 comes back unknown.
  const call = (setup: string, args: readonly GlobalArg[], after = 'r0 = 0'): VerifierResult => {
    const text = `${setup}\ncall sub\n${after}\nexit\nsub:\nr0 = 0\nexit`;
    const target = assemble(text).insns.length - 2;
    return run(text, { globalFunctions: new Map([[target, { name: 'sub', args }]]) });
  };
  assert.match(call('r0 = 0', [mem]).error!.message, /^Caller passes invalid args into func \('sub' at insn 4\): R1 type=ctx expected=memory/);
  assert.equal(call('r1 = 0', [mem]).ok, true, 'NULL fits a memory argument');
  assert.match(call('r1 += 4', [{ kind: 'ctx' }]).error!.message, /dereference of modified ctx ptr R1 off=4 disallowed/);
  assert.match(call('r1 = r10', [{ kind: 'scalar' }]).error!.message, /R1 is not a scalar/);
  assert.equal(call('r1 = 5', [{ kind: 'scalar' }], 'r0 = *(u32 *)(r0 + 0)').error?.message, "R0 invalid mem access 'scalar'");
  // The callee may write the memory it is given: a pointer spilled there is a number afterwards.
  const spill = '*(u64 *)(r10 - 8) = r1\nr1 = r10\nr1 += -8';
  const use = 'r1 = *(u64 *)(r10 - 8)\nr0 = *(u32 *)(r1 + 0)';
  assert.equal(call(spill, [{ kind: 'mem', size: 8, nullable: true }], use).error?.message, "R1 invalid mem access 'scalar'");
  // A signature Linux refuses refuses the program at the call.
  r = call('r1 = 1', [{ kind: 'scalar' }]);
  assert.equal(r.ok, true);
  const bad = 'r1 = 1\ncall sub\nexit\nsub:\nr0 = 0\nexit';
  r = run(bad, { globalFunctions: new Map([[3, { name: 'sub', args: [], invalid: "Global function sub() doesn't return scalar. Only those are supported." }]]) });
  assert.equal(r.error?.message, "Global function sub() doesn't return scalar. Only those are supported.");
});

test('a helper that might sleep is only for sleepable programs', () => {
  const program = `
    r1 = r10
    r1 += -8
    r2 = 8
    r3 = 4096
    call 148
    r0 = 0
    exit`;
  const plain = run(program);
  assert.equal(plain.ok, false);
  assert.equal(plain.error!.message, 'helper call might sleep in a non-sleepable prog');
  assert.equal(plain.error!.pc, 4);
  const sleepable = run(program, { sleepable: true });
  assert.equal(sleepable.ok, true, sleepable.error?.message);
});
