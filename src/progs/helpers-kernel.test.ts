/**
 * ebee's per-type helper lists against the running kernel's. For every modelled
 * program type (and each attach type that changes the list) and every helper id
 * 1..MAX_HELPER_ID, `src/progs/kernel/helper-probe.c` loads `call ID; r0 = 0; exit`
 * (BPF_PROG_LOAD only, nothing attached) and reads the verifier's answer: "cannot use
 * helper" (or "unknown func", "not allowed in probe") means the type may not call it;
 * any other outcome means it may. The test prints the agreement and asserts it, but
 * for differences this kernel's configuration explains (listed below with the
 * reason). Skips without root, gcc or bpf().
 *
 * fentry, fexit and fmod_ret need BPF trampolines (ftrace); where the kernel refuses
 * to load them at all the test says so and compares tp_btf, the TRACING attach type
 * that needs none.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AttachType as A, ProgramType as T } from '../elf/index.js';
import { parseBtf } from '../btf/index.js';
import { MAX_HELPER_ID, PROTOTYPES } from '../helpers/index.js';
import { PROGRAM_TYPES, programTypeFor } from './index.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const PROBE = join(repo, 'src/progs/kernel/helper-probe.c');
const BPF_F_SLEEPABLE = 1 << 4;

/**
 * Helpers ebee allows (as a kernel built with the option and not locked down does)
 * that this kernel refuses, and why. Only this direction is excused, only for these.
 */
const CONFIG_DIFFERENCES: Readonly<Record<string, string>> = {
  override_return: 'needs CONFIG_BPF_KPROBE_OVERRIDE',
  probe_write_user: 'refused while the kernel is locked down (LOCKDOWN_BPF_WRITE_USER)',
};

/** Attach types that change a type's helpers (or that the kernel demands); 0 for the rest. */
const ATTACH: Readonly<Record<number, readonly number[]>> = {
  [T.CGROUP_SKB]: [A.CGROUP_INET_INGRESS, A.CGROUP_INET_EGRESS],
  [T.CGROUP_SOCK]: [A.CGROUP_INET_SOCK_CREATE, A.CGROUP_INET4_POST_BIND, A.CGROUP_INET6_POST_BIND, A.CGROUP_INET_SOCK_RELEASE],
  [T.CGROUP_SOCK_ADDR]: [A.CGROUP_INET4_BIND, A.CGROUP_INET6_BIND, A.CGROUP_INET4_CONNECT, A.CGROUP_INET6_CONNECT,
    A.CGROUP_UDP4_SENDMSG, A.CGROUP_UDP6_SENDMSG, A.CGROUP_UDP4_RECVMSG, A.CGROUP_UDP6_RECVMSG,
    A.CGROUP_INET4_GETPEERNAME, A.CGROUP_INET6_GETPEERNAME, A.CGROUP_INET4_GETSOCKNAME, A.CGROUP_INET6_GETSOCKNAME,
    A.CGROUP_UNIX_CONNECT, A.CGROUP_UNIX_SENDMSG, A.CGROUP_UNIX_RECVMSG, A.CGROUP_UNIX_GETPEERNAME,
    A.CGROUP_UNIX_GETSOCKNAME],
  [T.CGROUP_DEVICE]: [0, A.CGROUP_DEVICE],
  [T.CGROUP_SYSCTL]: [0, A.CGROUP_SYSCTL],
  [T.CGROUP_SOCKOPT]: [A.CGROUP_GETSOCKOPT, A.CGROUP_SETSOCKOPT],
  [T.SK_SKB]: [A.SK_SKB_STREAM_PARSER, A.SK_SKB_STREAM_VERDICT, A.SK_SKB_VERDICT],
  [T.SK_MSG]: [A.SK_MSG_VERDICT],
  [T.FLOW_DISSECTOR]: [A.FLOW_DISSECTOR],
  [T.TRACING]: [A.TRACE_RAW_TP, A.TRACE_FENTRY, A.TRACE_FEXIT, A.MODIFY_RETURN],
};

/** Kernel functions and tracepoints the TRACING jobs attach to (by vmlinux BTF id). */
const TRACING_TARGET: Readonly<Record<number, string>> = {
  [A.TRACE_RAW_TP]: 'btf_trace_sched_switch',
  [A.TRACE_FENTRY]: 'bpf_fentry_test1',
  [A.TRACE_FEXIT]: 'bpf_fentry_test1',
  [A.MODIFY_RETURN]: 'bpf_modify_return_test',
};

function whyNot(): string | false {
  if (process.getuid?.() !== 0) return 'needs root for bpf()';
  if (spawnSync('gcc', ['--version']).status !== 0) return 'needs gcc to build the probe';
  return false;
}

test('helper lists: ebee\'s per-type helpers against the running kernel\'s', { skip: whyNot(), timeout: 300_000 }, (ctx) => {
  const dir = mkdtempSync(join(tmpdir(), 'ebee-helpers-'));
  try {
    const exe = join(dir, 'probe');
    assert.equal(spawnSync('gcc', ['-O2', '-o', exe, PROBE]).status, 0, 'the probe builds');
    const probe = spawnSync(exe, [], { input: 'probe\n', encoding: 'utf8' }).stdout.trim();
    if (probe !== 'probe ok') {
      ctx.skip(`bpf() unavailable: ${probe}`);
      return;
    }
    const vmlinux = '/sys/kernel/btf/vmlinux';
    const btf = existsSync(vmlinux) ? parseBtf(readFileSync(vmlinux)) : undefined;
    const jobs: { type: number; attach: number; line: string; label: string }[] = [];
    const notes: string[] = [];
    for (const info of PROGRAM_TYPES) {
      for (const attach of ATTACH[info.type] ?? [0]) {
        let btfId = 0;
        if (info.type === T.TRACING) {
          const target = btf?.findByName(TRACING_TARGET[attach]!);
          if (!target) { notes.push(`tracing/${attach}: no ${TRACING_TARGET[attach]} in the kernel's BTF`); continue; }
          btfId = target.id;
        }
        const flags = info.type === T.SYSCALL ? BPF_F_SLEEPABLE : 0;
        jobs.push({ type: info.type, attach, label: `${info.name}/${attach}`, line: `${info.type} ${attach} ${btfId} ${flags} 1 ${MAX_HELPER_ID}` });
      }
    }
    const r = spawnSync(exe, [], { input: jobs.map((j) => j.line).join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 24 });
    assert.equal(r.status, 0, `probe failed: ${r.stderr}`);
    const answers = r.stdout.split('\n').filter((l) => l.startsWith('job ')).map((l) => l.split(' ')[3]!);
    const messages = r.stdout.split('\n').filter((l) => l.startsWith('msg '));
    assert.equal(answers.length, jobs.length, 'one answer per job');

    let compared = 0;
    let agree = 0;
    const excused: string[] = [];
    const wrong: string[] = [];
    jobs.forEach((job, j) => {
      const codes = answers[j]!;
      if (/^x+$/.test(codes)) {
        notes.push(`${job.label}: the kernel loads no such program here (e.g. no ftrace trampolines); not compared`);
        return;
      }
      const mine = programTypeFor(job.type, job.attach).helpers;
      for (let id = 1; id <= MAX_HELPER_ID; id++) {
        const kernel = codes[id - 1] === 'y';
        const ebee = mine.has(id);
        compared++;
        if (kernel === ebee) { agree++; continue; }
        const name = PROTOTYPES[id]?.name ?? `#${id}`;
        if (ebee && !kernel && CONFIG_DIFFERENCES[name]) excused.push(`${job.label} ${name}`);
        else wrong.push(`${job.label}: ${name}#${id} ${ebee ? 'ebee allows, the kernel refuses' : 'the kernel allows, ebee refuses'}`);
      }
    });
    console.log(`helper lists: ${agree}/${compared} (type, helper) pairs agree over ${jobs.length} type/attach jobs; ` +
      `${excused.length} differences from this kernel's configuration; ${wrong.length} others`);
    for (const [name, why] of Object.entries(CONFIG_DIFFERENCES)) {
      const where = excused.filter((e) => e.endsWith(` ${name}`)).map((e) => e.split(' ')[0]);
      if (where.length) console.log(`  excused: ${name} (${why}): ${where.join(', ')}`);
    }
    for (const n of notes) console.log(`  note: ${n}`);
    for (const m of new Set(messages.map((m) => m.replace(/^msg \d+ /, '').replace(/bpf_\w+#\d+/, 'bpf_x#N')))) console.log(`  kernel says: ${m}`);
    for (const w of wrong) console.log(`  differs: ${w}`);
    assert.deepEqual(wrong, [], 'ebee\'s helper lists match the kernel\'s but for configuration');
    assert.ok(compared > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
