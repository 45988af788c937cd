/**
 * Tracing program types: KPROBE (`struct pt_regs`, x86-64 or arm64, registers and
 * arguments by name), TRACEPOINT (the tracepoint's raw record, which starts with the
 * 8-byte common header programs may not read), RAW_TRACEPOINT (u64 arguments) and
 * SYSCALL (a context of user bytes the program may also write, copied back after the
 * run). Linux test-runs only raw tracepoints and syscall programs; ebee runs kprobes
 * and tracepoints too, with the context given as bytes or by name.
 */
import type { AddressSpace } from '../vm/index.js';
import { ProgramType } from '../elf/index.js';
import type { ContextField, ContextLayout } from '../verifier/context.js';
import { ProgError, ProgErrorCode } from './errors.js';
import { arrayFields, encodeNamed, field } from './layout.js';
import { contextBytes } from './xdp.js';
import { contextSetup, noData } from './plain.js';
import { helpersFor } from './helpers.js';
import type { HarnessEnv, ProgramTypeInfo, PtRegsArch, RunSetup, TestRunInput } from './types.js';

/** x86-64 `struct pt_regs` (arch/x86/include/asm/ptrace.h), in order, u64 each. */
const X86_64_REGS = ['r15', 'r14', 'r13', 'r12', 'bp', 'bx', 'r11', 'r10', 'r9', 'r8', 'ax', 'cx', 'dx', 'si', 'di',
  'orig_ax', 'ip', 'cs', 'flags', 'sp', 'ss'] as const;

/** libbpf's PT_REGS_* names (bpf_tracing.h) and the usual register spellings, per architecture. */
export const PT_REGS_ALIASES: Readonly<Record<PtRegsArch, Readonly<Record<string, string>>>> = {
  x86_64: {
    PARM1: 'di', PARM2: 'si', PARM3: 'dx', PARM4: 'cx', PARM5: 'r8', PARM6: 'r9',
    RC: 'ax', SP: 'sp', FP: 'bp', IP: 'ip',
    rdi: 'di', rsi: 'si', rdx: 'dx', rcx: 'cx', rax: 'ax', rbx: 'bx', rsp: 'sp', rbp: 'bp', rip: 'ip',
  },
  arm64: {
    PARM1: 'x0', PARM2: 'x1', PARM3: 'x2', PARM4: 'x3', PARM5: 'x4', PARM6: 'x5', PARM7: 'x6', PARM8: 'x7',
    RC: 'x0', SP: 'sp', FP: 'x29', LR: 'x30', IP: 'pc',
  },
};

function x86Layout(): ContextLayout {
  return { name: 'pt_regs', size: X86_64_REGS.length * 8, fields: X86_64_REGS.map((r, i) => field(r, i * 8, 8)) };
}

/** arm64 `struct pt_regs`: user_pt_regs (x0-x30, sp, pc, pstate) and the kernel's fields after it. */
function arm64Layout(): ContextLayout {
  const fields: ContextField[] = [];
  for (let i = 0; i < 31; i++) fields.push(field(`x${i}`, i * 8, 8));
  fields.push(field('sp', 248, 8), field('pc', 256, 8), field('pstate', 264, 8), field('orig_x0', 272, 8),
    field('syscallno', 280, 4), field('unused2', 284, 4), field('sdei_ttbr1', 288, 8), field('pmr_save', 296, 8),
    ...arrayFields('stackframe', 304, 8, 2), field('lockdep_hardirqs', 320, 8), field('exit_rcu', 328, 8));
  return { name: 'pt_regs', size: 336, fields };
}

/** `pt_regs` per architecture: read-only, any aligned load (kprobe_prog_is_valid_access). */
export const PT_REGS_LAYOUTS: Readonly<Record<PtRegsArch, ContextLayout>> = { x86_64: x86Layout(), arm64: arm64Layout() };

/** Bytes of the trace_entry header every tracepoint record starts with. */
export const TRACE_COMMON_HEADER = 8;
/** PERF_MAX_TRACE_SIZE: tracepoint records a program may read. */
export const PERF_MAX_TRACE_SIZE = 2048;
/** MAX_BPF_FUNC_ARGS: raw tracepoint arguments. */
export const MAX_RAW_TP_ARGS = 12;
/** Largest syscall program context (U16_MAX). */
export const MAX_SYSCALL_CTX = 65535;

/**
 * A tracepoint record: the common header (not readable by programs) and u64 slots
 * after it. A specific tracepoint's fields come from its format file; `tracepointLayout`
 * builds the layout from them.
 */
export function tracepointLayout(fields: ReadonlyArray<{ name: string; offset: number; size: number }> = []): ContextLayout {
  const header = [
    field('common_type', 0, 2, { read: false }), field('common_flags', 2, 1, { read: false }),
    field('common_preempt_count', 3, 1, { read: false }), field('common_pid', 4, 4, { read: false }),
  ];
  const body = fields.length > 0
    ? fields.map((f) => field(f.name, f.offset, f.size))
    : Array.from({ length: (PERF_MAX_TRACE_SIZE - TRACE_COMMON_HEADER) / 8 }, (_, i) =>
      field(`u64@${TRACE_COMMON_HEADER + i * 8}`, TRACE_COMMON_HEADER + i * 8, 8));
  return { name: 'trace_event_raw', size: PERF_MAX_TRACE_SIZE, fields: [...header, ...body] };
}

const RAW_TP_LAYOUT: ContextLayout = {
  name: 'bpf_raw_tracepoint_args', size: MAX_RAW_TP_ARGS * 8, fields: arrayFields('args', 0, 8, MAX_RAW_TP_ARGS),
};

let syscallLayout: ContextLayout | undefined;
/** A syscall program's context is plain memory: any aligned access, read or write, below U16_MAX. */
function syscallContext(): ContextLayout {
  syscallLayout ??= {
    name: 'syscall_ctx', size: MAX_SYSCALL_CTX,
    fields: Array.from({ length: Math.floor(MAX_SYSCALL_CTX / 8) }, (_, i) => field(`u64@${i * 8}`, i * 8, 8, { write: true })),
  };
  return syscallLayout;
}

function setupKprobe(space: AddressSpace, input: TestRunInput, env: HarnessEnv): RunSetup {
  noData(input, 'kprobe');
  const layout = PT_REGS_LAYOUTS[env.arch];
  const bytes = contextBytes(input.ctx, layout, layout.size, PT_REGS_ALIASES[env.arch]) ?? new Uint8Array(layout.size);
  return contextSetup(space, bytes, 'ctx:pt_regs', false, false);
}

function setupTracepoint(space: AddressSpace, input: TestRunInput): RunSetup {
  noData(input, 'tracepoint');
  let bytes: Uint8Array;
  if (input.ctx instanceof Uint8Array) {
    if (input.ctx.length > PERF_MAX_TRACE_SIZE) {
      throw new ProgError(ProgErrorCode.BAD_CTX, `a tracepoint record is at most ${PERF_MAX_TRACE_SIZE} bytes, not ${input.ctx.length}`);
    }
    bytes = input.ctx.length >= TRACE_COMMON_HEADER ? input.ctx : padded(input.ctx, TRACE_COMMON_HEADER);
  } else if (input.ctx) {
    // Named: the generic layout's slots (`u64@8`) or the common header; the record ends after the last one set.
    const full = encodeNamed(tracepointLayout(), input.ctx, PERF_MAX_TRACE_SIZE);
    let end = full.length;
    while (end > TRACE_COMMON_HEADER && full[end - 1] === 0) end--;
    bytes = full.slice(0, Math.ceil(end / 8) * 8);
  } else {
    bytes = new Uint8Array(TRACE_COMMON_HEADER);
  }
  return contextSetup(space, bytes, 'ctx:tracepoint', false, false);
}

function padded(bytes: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  out.set(bytes);
  return out;
}

/** bpf_prog_test_run_raw_tp: only ctx_in, at most 12 u64 arguments. */
function setupRawTp(space: AddressSpace, input: TestRunInput): RunSetup {
  noData(input, 'raw tracepoint');
  let bytes: Uint8Array | undefined;
  if (input.ctx instanceof Uint8Array) {
    if (input.ctx.length > MAX_RAW_TP_ARGS * 8) {
      throw new ProgError(ProgErrorCode.BAD_CTX, `raw tracepoint ctx is ${input.ctx.length} bytes; at most ${MAX_RAW_TP_ARGS * 8} (12 u64 arguments)`);
    }
    bytes = input.ctx;
  } else if (input.ctx) {
    const named = input.ctx;
    const full = encodeNamed(RAW_TP_LAYOUT, named, RAW_TP_LAYOUT.size);
    const used = Object.keys(named).flatMap((k) => {
      const v = named[k];
      return Array.isArray(v) ? v.map((_, i) => `${k}[${i}]`) : [k];
    }).map((n) => (RAW_TP_LAYOUT.fields.find((f) => f.name === n)?.offset ?? 0) + 8);
    bytes = full.slice(0, Math.max(0, ...used));
  }
  return contextSetup(space, bytes, 'ctx:raw_tp', false, false);
}

/** bpf_prog_test_run_syscall: ctx_in is user memory, read and written, copied back. */
function setupSyscall(space: AddressSpace, input: TestRunInput): RunSetup {
  noData(input, 'syscall');
  const bytes = input.ctx === undefined ? undefined
    : input.ctx instanceof Uint8Array ? input.ctx : encodeNamed(syscallContext(), input.ctx, namedSize(input.ctx));
  if (bytes && bytes.length > MAX_SYSCALL_CTX) {
    throw new ProgError(ProgErrorCode.BAD_CTX, `syscall ctx is ${bytes.length} bytes; at most ${MAX_SYSCALL_CTX}`);
  }
  return contextSetup(space, bytes, 'ctx:syscall', true, true);
}

/** Bytes a named syscall context needs: up to the end of the highest slot named. */
function namedSize(values: Readonly<Record<string, unknown>>): number {
  let end = 0;
  for (const k of Object.keys(values)) {
    const m = /^u64@(\d+)$/.exec(k);
    if (m) end = Math.max(end, Number(m[1]) + 8);
  }
  return Math.min(end, MAX_SYSCALL_CTX);
}

export const KPROBE: ProgramTypeInfo = {
  type: ProgramType.KPROBE, helpers: helpersFor(ProgramType.KPROBE), name: 'kprobe', names: ['kprobe', 'uprobe'], context: PT_REGS_LAYOUTS.x86_64,
  returnCodes: {}, linuxTestRun: false, repeatAllowed: true, setup: setupKprobe,
};

export const TRACEPOINT: ProgramTypeInfo = {
  type: ProgramType.TRACEPOINT, helpers: helpersFor(ProgramType.TRACEPOINT), name: 'tracepoint', names: ['tracepoint', 'tp'], context: tracepointLayout(),
  returnCodes: {}, linuxTestRun: false, repeatAllowed: true, setup: (space, input) => setupTracepoint(space, input),
};

export const RAW_TRACEPOINT: ProgramTypeInfo = {
  type: ProgramType.RAW_TRACEPOINT, helpers: helpersFor(ProgramType.RAW_TRACEPOINT), name: 'raw_tp', names: ['raw_tp', 'raw_tracepoint'], context: RAW_TP_LAYOUT,
  returnCodes: {}, linuxTestRun: true, repeatAllowed: false, setup: (space, input) => setupRawTp(space, input),
};

export const SYSCALL: ProgramTypeInfo = {
  type: ProgramType.SYSCALL, helpers: helpersFor(ProgramType.SYSCALL), name: 'syscall', names: ['syscall'],
  get context() { return syscallContext(); },
  returnCodes: {}, linuxTestRun: true, repeatAllowed: false, setup: (space, input) => setupSyscall(space, input),
};
