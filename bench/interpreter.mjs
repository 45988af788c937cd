// Interpreter benchmark: the three programs of ../shared/bench, checked against their
// expected r0, timed after warm-up, and compared with native C (gcc -O2) built and run
// in the same session. Absolute times drift on a shared machine; the ratios are what
// to compare. Run with `npm run bench`.
import { Vm } from '../dist/index.js';
import { EXECUTED, PROGRAMS, RUNS, checkR0, fasterNative, median, programArgs, programBytes, since, timeNative } from './common.mjs';

/** uBPF's C interpreter on this kind of machine (../shared/bench/README.md): ns per instruction. */
const UBPF_INTERP_NS = { sum_loop: 2.89, fnv1a: 3.07, muldiv: 2.88 };
const TARGET_NS = 6;

function timeInterpreter(name) {
  const vm = new Vm();
  const program = vm.prepare(programBytes(name));
  const args = programArgs(name, vm.space);
  const once = () => {
    const t0 = process.hrtime.bigint();
    const result = vm.run(program, { args, budget: 1e9 });
    return { ...result, seconds: since(t0) };
  };
  const first = once();
  const times = [];
  let last = first;
  for (let i = 0; i < RUNS; i++) {
    last = once();
    times.push(last.seconds);
  }
  checkR0(name, first.r0);
  checkR0(name, last.r0);
  if (last.executed !== EXECUTED[name]) throw new Error(`${name}: executed ${last.executed}, expected ${EXECUTED[name]}`);
  return { first: first.seconds, median: median(times), executed: last.executed };
}

const nativeBefore = timeNative();
const measured = PROGRAMS.map((name) => ({ name, ...timeInterpreter(name) }));
const native = fasterNative(nativeBefore, timeNative());
const rows = measured.map((r) => {
  const ns = (r.median * 1e9) / r.executed;
  return {
    program: r.name,
    executed: r.executed,
    'first run s': r.first.toFixed(4),
    'median s': r.median.toFixed(4),
    'ns/insn': ns.toFixed(2),
    'vs uBPF interp': (ns / UBPF_INTERP_NS[r.name]).toFixed(2) + 'x',
    'native s': native?.[r.name]?.toFixed(4) ?? 'n/a',
    'vs native': native?.[r.name] ? (r.median / native[r.name]).toFixed(1) + 'x' : 'n/a',
    target: ns <= TARGET_NS ? 'ok' : `over ${TARGET_NS} ns`,
  };
});
console.log(`ebee interpreter, median of ${RUNS} runs after one warm-up run (r0 checked; native C: gcc -O2, the faster of its medians before and after)`);
console.table(rows);
if (!native) console.log('gcc not found: native column skipped');
