// JIT benchmark: the three programs of ../shared/bench compiled to WebAssembly, run in
// unchecked mode (how verified programs run) and checked mode (region checks and the
// instruction budget), against native C (gcc -O2) built and run in the same session;
// then compile time on a generated 100,000-instruction program. Run with `npm run bench`.
//
// Execution is timed after compiling (compile excluded). The first run is reported on
// its own: V8 (Node 20, V8 11.3) compiles each wasm function lazily on its first call
// with the Liftoff baseline compiler and tiers it up to TurboFan in the background once
// it has run for a while; a call in progress never switches tiers (no on-stack
// replacement for wasm), so a long first run stays in Liftoff code from start to end,
// and the following runs get TurboFan code. See the comment on `compile` in
// src/jit/compile.ts for what was tried to get optimised code earlier.
//
// Compile time: `compile()` (ebee's code generation plus the synchronous
// `new WebAssembly.Module`), ebee's code generation alone (`compileToBytes`), each in
// µs per eBPF instruction, median over programs of different seeds after a warm-up
// (different bytes each time: V8 caches modules by their bytes), and the very first
// compile of the process (ebee's own JS not yet optimised by V8) separately. V8 compiles
// function bodies lazily, on their first call: that cost shows in "first run ms".
import { Vm, JitVm, compile, compileToBytes, prepare } from '../dist/index.js';
import { generateProgram } from './generate.mjs';
import {
  EXECUTED, PROGRAMS, RUNS, checkR0, fasterNative, median, programArgs, programBytes, since, timeNative,
} from './common.mjs';

/** Steady-state targets, as a ratio to native C (unchecked mode). */
const TARGET = { sum_loop: 1.2, fnv1a: 1.2, muldiv: 1.5 };
const COMPILE_TARGET_US = 1;
const COMPILE_INSNS = 100_000;
const COMPILE_PROGRAMS = Number(process.env.EBEE_BENCH_COMPILES ?? 7);

function timeJit(name, checked) {
  const vm = new JitVm();
  const args = programArgs(name, vm.space);
  const compiled = vm.compile(prepare(programBytes(name)), checked);
  const once = () => {
    const t0 = process.hrtime.bigint();
    const result = vm.run(compiled, { args, budget: 1e9 });
    const seconds = since(t0);
    checkR0(name, result.r0);
    if (checked && result.executed !== EXECUTED[name]) {
      throw new Error(`${name}: executed ${result.executed}, expected ${EXECUTED[name]}`);
    }
    return seconds;
  };
  const first = once();
  const times = [];
  for (let i = 0; i < RUNS; i++) times.push(once());
  return { first, median: median(times) };
}

const ratio = (t, n) => (n ? (t / n).toFixed(2) + 'x' : 'n/a');

const nativeBefore = timeNative();
const measured = [];
for (const name of PROGRAMS) for (const checked of [false, true]) measured.push({ name, checked, ...timeJit(name, checked) });
const native = fasterNative(nativeBefore, timeNative());
const rows = measured.map((r) => {
  const n = native?.[r.name];
  const steady = n ? r.median / n : undefined;
  return {
    program: r.name,
    mode: r.checked ? 'checked' : 'unchecked',
    'first run s': r.first.toFixed(4),
    'steady s': r.median.toFixed(4),
    'ns/insn': ((r.median * 1e9) / EXECUTED[r.name]).toFixed(3),
    'native s': n?.toFixed(4) ?? 'n/a',
    'first/native': ratio(r.first, n),
    'steady/native': ratio(r.median, n),
    target: r.checked ? '-' : steady === undefined ? 'n/a' : steady <= TARGET[r.name] ? `ok (<= ${TARGET[r.name]}x)` : `over ${TARGET[r.name]}x`,
  };
});
console.log(`ebee JIT, execution only: first run, then median of ${RUNS} runs (r0 and, checked, the instruction count verified);`);
console.log('native C: gcc -O2, the faster of its medians measured before and after');
console.table(rows);
if (!native) console.log('gcc not found: native columns skipped');

// ---- compile time ----
const us = (seconds, insns) => (seconds * 1e6) / insns;

function compileRow(checked, seeds, firstCompile) {
  const prep = [], codegen = [], full = [];
  let bytes = 0, insns = 0, firstRun = 0;
  for (const seed of seeds) {
    const { bytes: code } = generateProgram({ instructions: COMPILE_INSNS, seed });
    let t0 = process.hrtime.bigint();
    const program = prepare(code);
    prep.push(us(since(t0), program.length));
    t0 = process.hrtime.bigint();
    const generated = compileToBytes(program, { checked });
    codegen.push(us(since(t0), program.length));
    t0 = process.hrtime.bigint();
    const compiled = compile(program, { checked });
    full.push(us(since(t0), program.length));
    bytes = generated.bytes.length;
    insns = program.length;
    // One run through each engine: same r0 (and count), and the JIT's first run, which
    // includes V8 compiling the function bodies it calls.
    const expected = new Vm().run(program, { budget: 1e9 });
    const jit = new JitVm();
    t0 = process.hrtime.bigint();
    const got = jit.run(compiled, { budget: 1e9 });
    firstRun = since(t0);
    if (got.r0 !== expected.r0 || (checked && got.executed !== expected.executed)) {
      throw new Error(`generated program (seed ${seed}): JIT r0 0x${got.r0.toString(16)}, interpreter 0x${expected.r0.toString(16)}`);
    }
  }
  const m = median(full);
  return {
    mode: checked ? 'checked' : 'unchecked',
    insns,
    'wasm bytes/insn': (bytes / insns).toFixed(1),
    'prepare µs/insn': median(prep).toFixed(2),
    'codegen µs/insn': median(codegen).toFixed(2),
    'compile() µs/insn': m.toFixed(2),
    'first compile µs/insn': firstCompile === undefined ? '-' : firstCompile.toFixed(2),
    'first run ms': (firstRun * 1e3).toFixed(1),
    target: m <= COMPILE_TARGET_US ? `ok (<= ${COMPILE_TARGET_US})` : `over ${COMPILE_TARGET_US} µs`,
  };
}

// The process's first compile of a big program: ebee's own code still cold. (The
// benchmarks above compiled only tiny programs.)
const cold = prepare(generateProgram({ instructions: COMPILE_INSNS, seed: 1000 }).bytes);
let t0 = process.hrtime.bigint();
compile(cold);
const firstCompile = us(since(t0), cold.length);
// Warm-up, then the measured compiles (distinct seeds: distinct bytes).
for (let i = 0; i < 3; i++) compile(prepare(generateProgram({ instructions: COMPILE_INSNS, seed: 2000 + i }).bytes), { checked: i % 2 === 0 });
const seeds = (base) => Array.from({ length: COMPILE_PROGRAMS }, (_, i) => base + i);
console.log(`\nCompile time, generated ${COMPILE_INSNS.toLocaleString('en')}-instruction programs (ALU, stack loads/stores, if/else, loops, calls), median of ${COMPILE_PROGRAMS}`);
console.table([compileRow(true, seeds(1), firstCompile), compileRow(false, seeds(101))]);
