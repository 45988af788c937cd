/**
 * The running kernel as the verifier's oracle (issue 6): every program of the ELF
 * fixtures and of the ebpf-samples corpus goes to ebee's verifier and, through
 * `src/verifier/kernel/oracle.c` (BPF_MAP_CREATE + BPF_PROG_LOAD only, nothing attached), to the
 * kernel's. The test prints the agreement, the programs ebee accepts and the kernel
 * rejects (soundness bugs, with the kernel's message) and a sample of the reverse.
 * Skips when gcc is missing, when not root, or when bpf() is refused.
 *
 * Programs are compared as ebee loads them (`verifyObject`: the section's context,
 * return range and GPL flag; sections naming no type as the corpus tests type them,
 * see corpus.test.fixture.ts), and the kernel
 * gets the same bytecode with the referenced maps created from the object's specs.
 * Global data maps are created but not filled nor frozen, so neither side knows their
 * contents. Programs with global functions or callbacks also get the object's BTF and
 * their func_info, which change the kernel's verdict. Excluded, with the reason
 * counted: types the kernel needs a BTF attach target for (tracing, LSM, ext,
 * struct_ops), programs calling kfuncs or naming
 * kernel BTF ids, types ebee has no context model for, maps the kernel cannot create
 * without BTF.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSpecOf, parseObject, ProgramType, type ObjectMap, type ProgramSpec } from '../elf/index.js';
import { encode } from '../isa/index.js';
import { verifyObject } from './verify-object.js';
import { corpusFallbackType } from './corpus.test.fixture.js';
import { BtfBuilder, type Btf } from '../btf/index.js';
import { globalFunctionsOf } from '../runtime/index.js';
import { programType } from '../progs/index.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURES = join(repo, 'src/elf/fixtures');
const SAMPLES = resolve(repo, '../shared/corpora/ebpf-samples');
const ORACLE = join(repo, 'src/verifier/kernel/oracle.c');

/** ebee's processed-instruction budget: Linux's. A program that exhausts it is an ebee rejection. */
const INSN_LIMIT = 1_000_000;
/** EBEE_KERNEL_BOTH_REJECT=1 also prints both sides' messages where both reject (slower: the kernel's log is fetched). */
const SHOW_BOTH_REJECT = process.env['EBEE_KERNEL_BOTH_REJECT'] === '1';
const BPF_F_SLEEPABLE = 1 << 4;
const BPF_F_XDP_HAS_FRAGS = 1 << 5;
const PERF_EVENT_ARRAY = 4;
const RINGBUF = 27;
/** Types the kernel loads only with attach_btf_id (a kernel BTF target). */
const NEEDS_BTF_TARGET = new Set<number>([ProgramType.TRACING, ProgramType.STRUCT_OPS, ProgramType.EXT, ProgramType.LSM]);

/**
 * Measured against Linux 6.18 (root, CONFIG_BPF_KPROBE_OVERRIDE off), last after the
 * sockmap, lwt, cgroup device/sysctl/sockopt and flow-dissector models, the global
 * function argument tags and the might-sleep rule: fixtures 84/84 (hooks.o's 14
 * programs, arg_tags.o's 29 and sleepable.o's 2 among them; programs with global
 * functions or callbacks go with the object's BTF and func_info, as libbpf loads
 * them); corpus 365/368 (no
 * corpus program is typed as one of the new types), every program at Linux's
 * 1,000,000-instruction limit (none excluded for time), with 3 ebee-only acceptances,
 * all this kernel's configuration: bpf_override_return (CONFIG_BPF_KPROBE_OVERRIDE)
 * and bpf_probe_write_user (lockdown), which ebee's per-type helper lists allow as a
 * kernel with them does. Floors: raise them as the verifier improves; never lower them
 * to pass.
 */
const FLOOR = { fixtureAgree: 84, corpusAgree: 365, corpusMaxUnsound: 3 };

interface Job {
  readonly where: string;
  readonly ebeeOk: boolean;
  readonly ebeeMessage: string;
  readonly input: string;
  /** The type of the object's map at an index, for the skip reason when the kernel refuses it. */
  readonly mapTypeOf: (index: number) => string;
}

interface Tally {
  total: number;
  agree: number;
  kernelAccepts: number;
  ebeeAccepts: number;
  bothAccept: number;
  bothReject: number;
  unsound: { where: string; kernel: string }[];
  bothRejectCases: { where: string; kernel: string; ebee: string }[];
  kernelOnly: { where: string; ebee: string }[];
  skipped: Map<string, number>;
}

function newTally(): Tally {
  return { total: 0, agree: 0, kernelAccepts: 0, ebeeAccepts: 0, bothAccept: 0, bothReject: 0, unsound: [], bothRejectCases: [], kernelOnly: [], skipped: new Map() };
}

function skip(t: Tally, reason: string): void {
  t.skipped.set(reason, (t.skipped.get(reason) ?? 0) + 1);
}

function tryRun(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0;
}

function objectsUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.o')) out.push(join(d, e.name));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

function mapLine(m: ObjectMap): string {
  const s = createSpecOf(m);
  // Loaders fix these up before BPF_MAP_CREATE: a perf event array holds 4-byte fds and
  // has one slot per CPU by default; a ring buffer has no key or value.
  const perf = s.type === PERF_EVENT_ARRAY;
  const ring = s.type === RINGBUF;
  const key = perf ? 4 : ring ? 0 : s.keySize;
  const value = perf ? 4 : ring ? 0 : s.valueSize;
  const max = perf && s.maxEntries === 0 ? cpus().length : s.maxEntries;
  const own = `${s.type} ${key} ${value} ${max} ${s.flags >>> 0}`;
  const inner = s.innerMap ? ` ${s.innerMap.type} ${s.innerMap.keySize} ${s.innerMap.valueSize} ${s.innerMap.maxEntries} ${s.innerMap.flags >>> 0}` : '';
  return `map ${own}${inner}`;
}

/**
 * The oracle's input for one program, or the reason the kernel cannot be asked. The
 * object's BTF and the program's func_info go along where they change the kernel's
 * verdict: global functions (verified on their own) and callbacks (which need it).
 */
function kernelJob(p: ProgramSpec, maps: readonly ObjectMap[], btf: Btf | undefined, wantLog: boolean, fallback: number): string | { skip: string } {
  const type = p.type === 0 ? fallback : p.type;
  if (NEEDS_BTF_TARGET.has(type)) return { skip: 'needs a kernel BTF attach target' };
  let callbacks = false;
  for (const ins of p.insns) {
    if (ins.opcode === 0x85 && ins.src === 2) return { skip: 'calls a kfunc' };
    if (ins.opcode === 0x18 && ins.src === 3) return { skip: 'names a kernel BTF id' };
    if (ins.opcode === 0x18 && ins.src === 4) callbacks = true;
  }
  const attachType = p.sectionType?.expectedAttachType;
  const context = { name: programType(type).context.name, type, ...(attachType === undefined ? {} : { attachType }) };
  const globals = btf ? globalFunctionsOf(p.funcInfo, btf, context) : new Map();
  const withBtf = btf !== undefined && p.funcInfo.length > 0 && (callbacks || globals.size > 0);
  if (callbacks && !withBtf) return { skip: 'takes a callback address (needs BTF func_info)' };
  const used = new Set<number>();
  for (const r of p.references) if (r.kind === 'map' || r.kind === 'map_value') used.add(r.mapIndex);
  const lines = maps.map((m, i) => (used.has(i) ? mapLine(m) : 'map none'));
  const flags = (p.sectionType?.sleepable ? BPF_F_SLEEPABLE : 0) | (p.sectionType?.xdpFrags ? BPF_F_XDP_HAS_FRAGS : 0);
  const hex = Buffer.from(encode(p.insns)).toString('hex');
  lines.push(`prog ${type} ${p.sectionType?.expectedAttachType ?? 0} ${flags} ${p.license || 'unknown'}`);
  if (withBtf) {
    const info = [...p.funcInfo].sort((a, b) => a.pc - b.pc).map((f) => `${f.pc} ${f.typeId}`).join(' ');
    lines.push(`btf ${Buffer.from(BtfBuilder.from(btf!, { littleEndian: true }).build()).toString('hex')}`, `funcinfo ${info}`);
  }
  lines.push(`insns ${hex}`, wantLog ? 'load log' : 'load');
  return lines.join('\n') + '\n';
}

/** Both sides' inputs for every program of an object; objects ebee cannot parse are counted. */
function jobsOf(file: string, label: string, t: Tally): Job[] {
  const bytes = readFileSync(file);
  const fallbackType = corpusFallbackType(label.split('/')[0]!, label);
  const fallbackNumber = fallbackType === 'xdp' ? ProgramType.XDP : ProgramType.SCHED_CLS;
  let spec;
  let verdicts;
  try {
    spec = parseObject(bytes);
    verdicts = verifyObject(bytes, { logLevel: 0, fallbackType, insnLimit: INSN_LIMIT });
  } catch (e) {
    skip(t, `object ebee cannot load (${label}: ${(e as Error).message.slice(0, 80)})`);
    return [];
  }
  const jobs: Job[] = [];
  spec.programs.forEach((p, i) => {
    const v = verdicts[i]!;
    const where = `${label} ${p.section}/${p.name}`;
    if (v.contextFallback) return skip(t, `no ebee context model for type ${p.type}`);
    // The kernel's log is only fetched where ebee accepts: a rejection there is the news.
    const input = kernelJob(p, spec.maps, spec.btf, v.result.ok || SHOW_BOTH_REJECT, fallbackNumber);
    if (typeof input !== 'string') return skip(t, input.skip);
    const mapTypeOf = (n: number): string => `map type ${spec.maps[n]?.type ?? '?'}`;
    jobs.push({ where, ebeeOk: v.result.ok, ebeeMessage: v.result.error ? `${v.result.error.pc}: ${v.result.error.message}` : '', input, mapTypeOf });
  });
  return jobs;
}

interface KernelVerdict { readonly result: string; readonly log: readonly string[] }

function askKernel(exe: string, jobs: readonly Job[]): KernelVerdict[] {
  if (!jobs.length) return [];
  const r = spawnSync(exe, [], { input: jobs.map((j) => j.input).join(''), encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, `oracle failed: ${r.stderr}`);
  const out: KernelVerdict[] = [];
  let cur: { result: string; log: string[] } = { result: '', log: [] };
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('result ')) cur.result = line.slice(7);
    else if (line.startsWith('log ')) cur.log.push(line.slice(4));
    else if (line === 'end') { out.push(cur); cur = { result: '', log: [] }; }
  }
  assert.equal(out.length, jobs.length, 'one kernel verdict per program');
  return out;
}

/** The kernel's error line: the last log line that is not the statistics. */
function kernelMessage(v: KernelVerdict): string {
  const lines = v.log.filter((l) => !/^(processed \d+ insns|verification time|stack depth)/.test(l));
  return `${v.result}: ${lines.slice(-2).join(' | ')}`;
}

function compare(t: Tally, jobs: readonly Job[], verdicts: readonly KernelVerdict[]): void {
  jobs.forEach((j, i) => {
    const k = verdicts[i]!;
    if (k.result.startsWith('btffail')) return skip(t, `the kernel refused the object's BTF (errno ${k.result.split(' ')[1]})`);
    if (k.result.startsWith('mapfail')) return skip(t, `map creation refused (${j.mapTypeOf(Number(k.result.split(' ')[1]))}, errno ${k.result.split(' ')[2]})`);
    const kernelOk = k.result === 'accept';
    t.total++;
    if (kernelOk) t.kernelAccepts++;
    if (j.ebeeOk) t.ebeeAccepts++;
    if (kernelOk === j.ebeeOk) t.agree++;
    if (kernelOk && j.ebeeOk) t.bothAccept++;
    else if (!kernelOk && !j.ebeeOk) { t.bothReject++; t.bothRejectCases.push({ where: j.where, kernel: kernelMessage(k), ebee: j.ebeeMessage }); }
    else if (j.ebeeOk) t.unsound.push({ where: j.where, kernel: kernelMessage(k) });
    else t.kernelOnly.push({ where: j.where, ebee: j.ebeeMessage });
  });
}

function describe(t: Tally): string {
  const skipped = [...t.skipped].map(([r, n]) => `${n} ${r}`).join('; ') || 'none';
  return `${t.agree}/${t.total} (kernel accepts ${t.kernelAccepts}, ebee accepts ${t.ebeeAccepts}; both accept ${t.bothAccept}; ` +
    `both reject ${t.bothReject}; ebee-only-accepts ${t.unsound.length} (unsound!), kernel-only-accepts ${t.kernelOnly.length}) [skipped: ${skipped}]`;
}

function whyNot(): string | false {
  if (process.getuid?.() !== 0) return 'needs root for bpf()';
  if (!tryRun('gcc', ['--version'])) return 'needs gcc to build the oracle';
  return false;
}

test('kernel agreement: ebee\'s verdicts against the running kernel\'s', { skip: whyNot(), timeout: 600_000 }, (ctx) => {
  const dir = mkdtempSync(join(tmpdir(), 'ebee-kernel-'));
  try {
    const exe = join(dir, 'oracle');
    assert.ok(tryRun('gcc', ['-O2', '-o', exe, ORACLE]), 'the oracle builds');
    const probe = spawnSync(exe, [], { input: 'probe\n', encoding: 'utf8' }).stdout.trim();
    if (probe !== 'probe ok') {
      // EPERM (1) or ENOSYS (38): no bpf() here, nothing to compare with.
      ctx.skip(`bpf() unavailable: ${probe}`);
      return;
    }
    const started = performance.now();
    const fixtures = newTally();
    const fixtureJobs = objectsUnder(FIXTURES).flatMap((f) => jobsOf(f, relative(repo, f), fixtures));
    compare(fixtures, fixtureJobs, askKernel(exe, fixtureJobs));
    const corpus = newTally();
    const corpusJobs = objectsUnder(SAMPLES).flatMap((f) => jobsOf(f, relative(SAMPLES, f), corpus));
    const ebeeDone = performance.now();
    compare(corpus, corpusJobs, askKernel(exe, corpusJobs));
    console.log(`time: ebee and fixtures ${((ebeeDone - started) / 1000).toFixed(1)} s, kernel on the corpus ${((performance.now() - ebeeDone) / 1000).toFixed(1)} s`);

    console.log(`kernel agreement: fixtures ${describe(fixtures)}`);
    console.log(`kernel agreement: corpus ${describe(corpus)}`);
    for (const u of [...fixtures.unsound, ...corpus.unsound]) console.log(`  ebee-only-accepts (unsound): ${u.where}: kernel ${u.kernel}`);
    if (SHOW_BOTH_REJECT) for (const b of [...fixtures.bothRejectCases, ...corpus.bothRejectCases]) console.log(`  both reject: ${b.where}: kernel ${b.kernel} / ebee ${b.ebee}`);
    for (const k of [...fixtures.kernelOnly, ...corpus.kernelOnly].slice(0, 15)) console.log(`  kernel-only-accepts: ${k.where}: ebee ${k.ebee}`);

    assert.ok(fixtures.agree >= FLOOR.fixtureAgree, `fixture agreement ${fixtures.agree} < ${FLOOR.fixtureAgree}`);
    assert.ok(corpus.agree >= FLOOR.corpusAgree, `corpus agreement ${corpus.agree} < ${FLOOR.corpusAgree}`);
    assert.deepEqual(fixtures.unsound, [], 'ebee accepts no fixture program the kernel rejects');
    assert.ok(corpus.unsound.length <= FLOOR.corpusMaxUnsound, `${corpus.unsound.length} ebee-only acceptances > ${FLOOR.corpusMaxUnsound}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
