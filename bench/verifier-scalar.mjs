// Micro-benchmark of the verifier's scalar domain: nanoseconds per scalarAlu and per
// refineBranch at 64 bits, on a mix of operands like those real programs produce
// (constants, byte/word loads, masked values, ranges from bounds checks, unknowns).
//
//   node bench/verifier-scalar.mjs            (after npm run build)
//   EBEE_DIST=dist-scalar node bench/verifier-scalar.mjs
//
// The domain remembers each result on its operands (scalar/memo.ts), so by default
// this measures a remembered answer, as the verifier mostly gets one. EBEE_BENCH_FRESH=1
// passes fresh copies of the operands instead (a copy costs ~30 ns), which the memo has
// never seen: the cost of the computation itself.
import { performance } from 'node:perf_hooks';

const dist = process.env.EBEE_DIST ?? 'dist';
const { ALU_OPS, BRANCH_OPS, DOMAIN64, Scalar, Tnum, refineBranch, scalarAlu } = await import(
  new URL(`../${dist}/verifier/scalar/index.js`, import.meta.url).href
);
const RUNS = Number(process.env.EBEE_BENCH_RUNS ?? 5);
const TARGET_MS = Number(process.env.EBEE_BENCH_MS ?? 150);

const D = DOMAIN64;
const operands = [
  D.constant(0n), D.constant(1n), D.constant(8n), D.constant(14n), D.constant(0xffffffffn), D.constant(-1n),
  D.fromUnsignedRange(0n, 255n), D.fromUnsignedRange(0n, 0xffffn), D.fromUnsignedRange(0n, 0xffffffffn),
  D.fromUnsignedRange(14n, 1514n), D.fromSignedRange(-4096n, 4096n),
  D.fromTnum(new Tnum(0n, 0xf8n)), D.fromTnum(new Tnum(0x1000n, 0xff0n)), D.unknown(),
];
const pairs = [];
for (const a of operands) for (const b of operands) pairs.push([a, b]);
const FRESH = process.env.EBEE_BENCH_FRESH === '1';
const copy = (s) => new Scalar(s.domain, s.tnum, s.umin, s.umax, s.smin, s.smax, s.u32min, s.u32max, s.s32min, s.s32max);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// CPU time of this process rather than wall time, so other load on the machine
// disturbs the numbers less.
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Median ns (CPU) per call of `op(a, b)` over the operand pairs. */
function measure(op) {
  const fn = FRESH ? (a, b) => op(copy(a), copy(b)) : op;
  // Warm up, then size the loop to about TARGET_MS.
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 50) {
    for (const [a, b] of pairs) fn(a, b);
    n += pairs.length;
  }
  const reps = Math.max(1, Math.round((n / pairs.length) * (TARGET_MS / 50)));
  const times = [];
  for (let r = 0; r < RUNS; r++) {
    const start = cpuMs();
    for (let i = 0; i < reps; i++) for (const [a, b] of pairs) fn(a, b);
    times.push(((cpuMs() - start) * 1e6) / (reps * pairs.length));
  }
  return median(times);
}

// Warm every path first, so the first operation measured does not pay for compiling
// the code all of them share.
{
  const t0 = performance.now();
  while (performance.now() - t0 < 1500) {
    for (const op of ALU_OPS) for (const [a, b] of pairs) scalarAlu(op, a, b, false);
    for (const op of BRANCH_OPS) for (const [a, b] of pairs) refineBranch(op, a, b, true);
  }
}

const PRECISE = { kernelCompatible: false };
const rows = [];
for (const op of ALU_OPS) {
  const width = op.startsWith('le') || op.startsWith('be') || op.startsWith('bswap') || op === 'movsx32';
  rows.push([
    `alu ${op}`,
    measure((a, b) => scalarAlu(op, a, b, false)),
    width ? undefined : measure((a, b) => scalarAlu(op, a, b, true)),
    measure((a, b) => scalarAlu(op, a, b, false, PRECISE)),
  ]);
}
for (const op of BRANCH_OPS) {
  rows.push([`branch ${op}`, measure((a, b) => refineBranch(op, a, b, false)), measure((a, b) => refineBranch(op, a, b, true)), undefined]);
}
const fmt = (x) => (x === undefined ? '-' : x.toFixed(0));
console.log(`scalar domain, CPU ns per call (median of ${RUNS} runs over ${pairs.length} operand pairs${FRESH ? ', fresh operands' : ', remembered results'})`);
console.log(`${'operation'.padEnd(16)} ${'64-bit'.padStart(8)} ${'32-bit'.padStart(8)} ${'precise'.padStart(8)}`);
for (const [name, a, b, c] of rows) console.log(`${name.padEnd(16)} ${fmt(a).padStart(8)} ${fmt(b).padStart(8)} ${fmt(c).padStart(8)}`);
const mean = (xs) => xs.reduce((p, q) => p + q, 0) / xs.length;
const common = ['add', 'sub', 'and', 'or', 'xor', 'lsh', 'rsh', 'mov'].map((op) => rows.find((r) => r[0] === `alu ${op}`)[1]);
const br = rows.filter((r) => r[0].startsWith('branch')).map((r) => r[1]);
console.log(`mean 64-bit: scalarAlu ${fmt(mean(common))} ns over add/sub/and/or/xor/lsh/rsh/mov, refineBranch ${fmt(mean(br))} ns over all conditions`);
