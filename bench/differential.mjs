// The long differential run: random programs (src/jit/differential.test.fixture.ts)
// through the interpreter and the JIT, which must agree on r0, the instruction count,
// the error, the region and stack bytes; every module must validate. CI runs a few
// thousand of these (src/jit/fuzz.test.ts); this runs as many as asked.
//
//   node bench/differential.mjs [count = 100000] [seed = 1]
//
// Prints progress, a reproduction (seed, index, setup, the program minimised and in
// full) for the first mismatches of each kind and one line (seed, index, mismatch) for
// the rest, and a final summary line. Exits 1 on any mismatch.
// Build first (`npx tsc -p .`): it imports from ../dist.
import { disassemble } from '../dist/index.js';
import { differential } from '../dist/jit/differential.test.fixture.js';
import { RUNNABLE_FORMS, formKey, generateProgram } from '../dist/jit/generate.test.fixture.js';
import { categoryOf, formsUsed, minimiseMismatch, reproduction } from '../dist/jit/minimise.test.fixture.js';

const count = Number(process.argv[2] ?? 100_000);
const seed = Number(process.argv[3] ?? 1);
if (!Number.isInteger(count) || count < 1 || !Number.isInteger(seed)) {
  console.error('usage: node bench/differential.mjs [count] [seed]');
  process.exit(2);
}
/** Full reproductions printed per mismatch category (the rest get one line each). */
const REPRODUCTIONS_PER_CATEGORY = 3;

const started = performance.now();
const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
const codes = new Map();
const shapes = new Map();
const forms = new Set();
const categories = new Map();
const bump = (map, key) => map.set(key, (map.get(key) ?? 0) + 1);
let completed = 0;
let dispatcher = 0;
let unchecked = 0;
let edges = 0;
let limitations = 0;
let mismatched = 0;
let instructions = 0;
let lastProgress = performance.now();

for (let index = 0; index < count; index++) {
  const g = generateProgram(seed, index);
  instructions += g.insns.length;
  for (const k of formsUsed(g.insns)) forms.add(k);
  for (const f of g.features) bump(shapes, f);
  let v;
  try {
    v = differential(g.insns, g.setup, { budgetEdges: index % 5 === 0 });
  } catch (err) {
    v = { outcome: { error: 'harness crash' }, mismatches: [`harness: ${err?.stack ?? err}`], limitation: false, dispatcherRegions: 0, uncheckedRan: false, budgetEdges: false };
  }
  if ('error' in v.outcome) bump(codes, v.outcome.error.replace('EBEE_VM_', ''));
  else completed++;
  if (v.dispatcherRegions > 0) dispatcher++;
  if (v.uncheckedRan) unchecked++;
  if (v.budgetEdges) edges++;
  if (v.limitation) limitations++;
  if (v.mismatches.length > 0) {
    mismatched++;
    const category = categoryOf(v.mismatches[0]);
    const seen = categories.get(category) ?? 0;
    categories.set(category, seen + 1);
    if (seen < REPRODUCTIONS_PER_CATEGORY) {
      const small = minimiseMismatch(g, v.mismatches);
      const again = differential(small, g.setup, { budgetEdges: true }).mismatches;
      console.log(`\nMISMATCH ${reproduction(g, v.mismatches)}\n  minimised (${again[0] ?? 'no longer fails'}):\n${
        disassemble(small, { labels: true }).trimEnd().split('\n').map((l) => `    ${l}`).join('\n')}\n`);
    } else {
      console.log(`MISMATCH seed ${seed}, index ${index}: ${v.mismatches[0].slice(0, 300)}`);
    }
  }
  if (performance.now() - lastProgress > 15_000 || index + 1 === count) {
    lastProgress = performance.now();
    console.log(`  ${index + 1}/${count} programs, ${seconds()} s, ${mismatched} mismatches`);
  }
}

const list = (map) => [...map].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');
const missing = RUNNABLE_FORMS.map(formKey).filter((k) => !forms.has(k));
console.log(`shapes: ${list(shapes)}`);
console.log(`forms: ${forms.size} of ${RUNNABLE_FORMS.length} runnable forms generated${missing.length ? `; missing ${missing.join(' ')}` : ''}`);
if (categories.size) console.log(`mismatch categories: ${list(categories)}`);
console.log(`differential: ${count} programs, seed ${seed}, ${seconds()} s, ${instructions} instructions: `
  + `${completed} completed, failed ${list(codes)}; ${dispatcher} with a dispatcher, ${unchecked} also unchecked, `
  + `${edges} at budget edges, ${limitations} documented limitations; `
  + `${mismatched} mismatches`);
process.exit(mismatched > 0 ? 1 : 0);
