// Interpreter benchmark: the three programs of ../shared/bench, checked against their
// expected r0, timed after warm-up, and compared with native C (gcc -O2) built and run
// in the same session. Absolute times drift on a shared machine; the ratios are what
// to compare. Run with `npm run bench`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Vm } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const benchDir = process.env.EBEE_BENCH_DIR ?? join(here, '..', '..', 'shared', 'bench');
const RUNS = Number(process.env.EBEE_BENCH_RUNS ?? 5);
/** uBPF's C interpreter on this kind of machine (../shared/bench/README.md): ns per instruction. */
const UBPF_INTERP_NS = { sum_loop: 2.89, fnv1a: 3.07, muldiv: 2.88 };
const EXPECTED = { sum_loop: 0x2d7987f0d4c0n, fnv1a: 0xe61b15693c2a2325n, muldiv: 0x146c8c3e2a52e5acn };
const TARGET_NS = 6;

if (!existsSync(benchDir)) {
  console.error(`benchmark programs not found in ${benchDir} (set EBEE_BENCH_DIR)`);
  process.exit(2);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timeInterpreter(name) {
  const vm = new Vm();
  const program = vm.prepare(new Uint8Array(readFileSync(join(benchDir, `${name}.bin`))));
  let args = [];
  if (name === 'fnv1a') {
    const mem = new Uint8Array(readFileSync(join(benchDir, 'fnv1a.mem')));
    const region = vm.space.allocBytes(mem, { name: 'input' });
    args = [region.start, mem.length];
  }
  const once = () => {
    const t0 = process.hrtime.bigint();
    const result = vm.run(program, { args, budget: 1e9 });
    return { ...result, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
  };
  const first = once();
  const times = [];
  let last = first;
  for (let i = 0; i < RUNS; i++) {
    last = once();
    times.push(last.seconds);
  }
  if (last.r0 !== EXPECTED[name]) throw new Error(`${name}: r0 = 0x${last.r0.toString(16)}, expected 0x${EXPECTED[name].toString(16)}`);
  return { first: first.seconds, median: median(times), executed: last.executed };
}

function timeNative() {
  try {
    execFileSync('gcc', ['--version'], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'ebee-bench-'));
  const exe = join(dir, 'native');
  execFileSync('gcc', ['-O2', join(benchDir, 'native.c'), '-o', exe]);
  const out = execFileSync(exe, [String(Math.max(RUNS, 5))], { cwd: benchDir, encoding: 'utf8' });
  const times = {};
  for (const line of out.split('\n')) {
    const m = /^native (\S+)\s+r0=(0x[0-9a-f]+).*median=([\d.]+)s/.exec(line);
    if (m) times[m[1]] = Number(m[3]);
  }
  return times;
}

const native = timeNative();
const rows = [];
for (const name of ['sum_loop', 'fnv1a', 'muldiv']) {
  const r = timeInterpreter(name);
  const ns = (r.median * 1e9) / r.executed;
  rows.push({
    program: name,
    executed: r.executed,
    'first run s': r.first.toFixed(4),
    'median s': r.median.toFixed(4),
    'ns/insn': ns.toFixed(2),
    'vs uBPF interp': (ns / UBPF_INTERP_NS[name]).toFixed(2) + 'x',
    'native s': native?.[name]?.toFixed(4) ?? 'n/a',
    'vs native': native?.[name] ? (r.median / native[name]).toFixed(1) + 'x' : 'n/a',
    target: ns <= TARGET_NS ? 'ok' : `over ${TARGET_NS} ns`,
  });
}
console.log(`ebee interpreter, median of ${RUNS} runs after one warm-up run (r0 checked)`);
console.table(rows);
if (!native) console.log('gcc not found: native column skipped');
