/**
 * PERF_EVENT (`struct bpf_perf_event_data`: the sampled registers, the sample period
 * and address) and TRACING (fentry, fexit, fmod_ret, tp_btf, iter: the traced
 * function's arguments as an array of u64). Linux test-runs neither (fentry only
 * through the kernel's own test functions); ebee gives them the plain harness.
 */
import { AttachType, ProgramType } from '../elf/index.js';
import type { ContextLayout } from '../verifier/context.js';
import { arrayFields, field } from './layout.js';
import { helpersFor } from './helpers.js';
import { plainSetup } from './plain.js';
import { PT_REGS_LAYOUTS, MAX_RAW_TP_ARGS } from './tracing.js';
import type { ProgramTypeInfo } from './types.js';

/** `struct bpf_perf_event_data` on x86-64: `bpf_user_pt_regs_t regs` (struct pt_regs), then two u64. */
export const BpfPerfEventData = {
  regs: 0,
  sample_period: 168,
  addr: 176,
  SIZE: 184,
} as const;

/**
 * pe_prog_is_valid_access: read-only; the registers are read as whole u64 (any
 * narrower load is refused), sample_period and addr also narrowly.
 */
function perfEventLayout(): ContextLayout {
  const regs = PT_REGS_LAYOUTS.x86_64.fields.map((f) => field(`regs.${f.name}`, f.offset, 8, { narrow: false }));
  return {
    name: 'bpf_perf_event_data', size: BpfPerfEventData.SIZE,
    fields: [...regs, field('sample_period', BpfPerfEventData.sample_period, 8), field('addr', BpfPerfEventData.addr, 8)],
  };
}

const PERF_EVENT_LAYOUT = perfEventLayout();

export const PERF_EVENT: ProgramTypeInfo = {
  type: ProgramType.PERF_EVENT, name: 'perf_event', names: ['perf_event'], context: PERF_EVENT_LAYOUT,
  helpers: helpersFor(ProgramType.PERF_EVENT), returnCodes: {}, linuxTestRun: false, repeatAllowed: true,
  setup: plainSetup(PERF_EVENT_LAYOUT, BpfPerfEventData.SIZE, false),
};

/**
 * The context of BTF-typed tracing programs: the traced function's (or tracepoint's)
 * arguments, one u64 slot each. The kernel types each slot from the attach target's
 * BTF (`btf_ctx_access`): a pointer argument loads as a typed kernel pointer, a slot
 * past the function's arguments is refused, fexit's slot after the arguments is the
 * return value. ebee verifies without the target's BTF, so it allows 8-byte reads of
 * the first MAX_BPF_FUNC_ARGS (12) slots as scalars, read-only: a program that
 * dereferences an argument directly (rather than with a probe read) is rejected, one
 * that reads past the real arguments is not.
 */
export const TRACING_ARGS_LAYOUT: ContextLayout = {
  name: 'tracing_args', size: MAX_RAW_TP_ARGS * 8, fields: arrayFields('args', 0, 8, MAX_RAW_TP_ARGS, { narrow: false }),
};

/** check_return_code for TRACING: fentry and fexit must return 0; fmod_ret and tp_btf anything; iterators 0 or 1. */
function tracingRange(attach: number): readonly [number, number] | undefined {
  if (attach === AttachType.TRACE_FENTRY || attach === AttachType.TRACE_FEXIT) return [0, 0];
  if (attach === AttachType.TRACE_ITER) return [0, 1];
  return undefined;
}

function tracing(attach: number): ProgramTypeInfo {
  const range = tracingRange(attach);
  return {
    type: ProgramType.TRACING, name: 'tracing', names: ['tracing', 'fentry'],
    context: TRACING_ARGS_LAYOUT, helpers: helpersFor(ProgramType.TRACING, attach), returnCodes: {},
    ...(range ? { returnRange: range } : {}),
    linuxTestRun: false, repeatAllowed: true, setup: plainSetup(TRACING_ARGS_LAYOUT, TRACING_ARGS_LAYOUT.size, false),
  };
}

/** Without an attach type (the kernel demands one): as fentry. */
export const TRACING: ProgramTypeInfo = { ...tracing(AttachType.TRACE_FENTRY), forAttach: tracing };
