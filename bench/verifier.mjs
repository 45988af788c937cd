// The verifier over every program of the ebpf-samples corpus (issue 6's targets: time
// per program p50 <= 5 ms, p95 <= 100 ms, max <= 2 s; peak memory <= 1 GB for the
// largest program). Objects are parsed first; only verification is timed, at Linux's
// 1,000,000-instruction limit, with the types the corpus tests use. The peak memory is
// measured in a child process that verifies only the slowest program (its max RSS,
// Node's own ~50 MB included). Programs run one after another in one process, as a job
// verifying many objects would: the JIT is warm and the scalar domain's remembered
// results (scalar/memo.ts) carry over between programs; the child also times the
// slowest program alone, cold.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const dist = process.env.EBEE_DIST ?? '../dist';
const { parseObject } = await import(`${dist}/elf/index.js`);
const { programTypeFor, programType } = await import(`${dist}/progs/index.js`);
const { mapDescriptorOf, verifyProgram } = await import(`${dist}/runtime/index.js`);
// Sections naming no type are typed as the corpus tests type them.
const { corpusFallbackType } = await import(`${dist}/cli/corpus.test.fixture.js`);
const corpus = fileURLToPath(new URL('../../shared/corpora/ebpf-samples', import.meta.url));

function objects(dir) {
  const out = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...objects(p));
    else out.push(p);
  }
  return out.sort();
}

function typeInfo(p, file) {
  try {
    if (p.type === 0) { const where = relative(corpus, file); return programType(corpusFallbackType(where.split('/')[0], where)); }
    return programTypeFor(p.type, p.sectionType?.expectedAttachType);
  } catch {
    return undefined; // no context model: not verified here
  }
}

function jobs() {
  const out = [];
  for (const file of objects(corpus)) {
    let spec;
    try { spec = parseObject(readFileSync(file)); } catch { continue; }
    const maps = spec.maps.map(mapDescriptorOf);
    for (const p of spec.programs) {
      const type = typeInfo(p, file);
      if (type) out.push({ where: `${relative(corpus, file)} ${p.section}/${p.name}`, insns: p.insns, type, maps, license: p.license });
    }
  }
  return out;
}

function verifyOne(j) {
  return verifyProgram(j.insns, { type: j.type, maps: j.maps, license: j.license, logLevel: 0 });
}

if (process.argv[2] === '--one') {
  const j = jobs().find((x) => x.where === process.argv[3]);
  const t = performance.now();
  const r = verifyOne(j);
  console.log(JSON.stringify({ ok: r.ok, ms: performance.now() - t, maxRss: process.resourceUsage().maxRSS * 1024 }));
  process.exit(0);
}

const all = jobs();
const times = [];
const started = performance.now();
for (const j of all) {
  const t = performance.now();
  const r = verifyOne(j);
  times.push({ ms: performance.now() - t, where: j.where, ok: r.ok, insns: r.stats.processedInsns });
}
const total = performance.now() - started;
const sorted = times.map((t) => t.ms).sort((a, b) => a - b);
const pct = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const slowest = times.reduce((a, b) => (b.ms > a.ms ? b : a));
const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--one', slowest.where], { encoding: 'utf8', env: process.env });
const { maxRss, ms: aloneMs } = JSON.parse(child.stdout.trim().split('\n').pop());
const mb = (b) => `${(b / 2 ** 20).toFixed(0)} MB`;
const verdict = (v, limit) => (v <= limit ? 'ok' : 'MISSED');

console.log(`verifier: ${all.length} corpus programs, ${times.filter((t) => t.ok).length} accepted, total ${(total / 1000).toFixed(1)} s`);
console.log(`  p50 ${pct(0.5).toFixed(2)} ms (target <= 5: ${verdict(pct(0.5), 5)}), p95 ${pct(0.95).toFixed(1)} ms (<= 100: ${verdict(pct(0.95), 100)}), ` +
  `max ${slowest.ms.toFixed(0)} ms (<= 2000: ${verdict(slowest.ms, 2000)}) for ${slowest.where} (${slowest.insns} insns processed)`);
console.log(`  peak memory verifying ${slowest.where}: ${mb(maxRss)} max RSS (<= 1024 MB: ${verdict(maxRss, 2 ** 30)}); ` +
  `alone in a fresh process (no warm JIT, no remembered scalar results) it took ${aloneMs.toFixed(0)} ms`);
for (const t of [...times].sort((a, b) => b.ms - a.ms).slice(0, 5)) console.log(`  ${t.ms.toFixed(0).padStart(6)} ms ${String(t.insns).padStart(8)} insns  ${t.where}`);
