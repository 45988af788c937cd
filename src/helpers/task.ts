/**
 * Time, random numbers, the current CPU, NUMA node and task (ids, comm, cgroups): all read from the env,
 * so a test decides them.
 */
import { writable, sizeArg } from './access.js';
import { mapArg, type ImplTable } from './impl.js';
import { HelperError, HelperErrorCode } from './errors.js';
import { CgroupArrayMap } from '../maps/index.js';

/** TASK_COMM_LEN: comm holds 15 bytes and a NUL. */
const TASK_COMM_LEN = 16;

export const TASK_IMPLS: ImplTable = {
  ktime_get_ns: (env) => env.clock.monotonicNs(),
  ktime_get_boot_ns: (env) => env.clock.bootNs(),
  ktime_get_coarse_ns: (env) => env.clock.coarseNs(),
  ktime_get_tai_ns: (env) => env.clock.taiNs(),
  jiffies64: (env) => env.clock.jiffies64(),
  get_prandom_u32: (env) => env.random.nextU32() >>> 0,
  get_smp_processor_id: (env) => env.maps.currentCpu,
  get_numa_node_id: (env) => env.numaNode,
  get_current_pid_tgid: (env) => (BigInt(env.task.tgid >>> 0) << 32n) | BigInt(env.task.pid >>> 0),
  get_current_uid_gid: (env) => (BigInt(env.task.gid >>> 0) << 32n) | BigInt(env.task.uid >>> 0),
  get_current_cgroup_id: (env) => BigInt(env.task.cgroups[env.task.cgroups.length - 1]!),
  get_current_ancestor_cgroup_id(env, _ctx, level) {
    const l = BigInt.asIntN(32, level);
    return l >= 0n && l < BigInt(env.task.cgroups.length) ? BigInt(env.task.cgroups[Number(l)]!) : 0;
  },
  current_task_under_cgroup(env, _ctx, map, index) {
    const m = mapArg(env, map, 'current_task_under_cgroup');
    if (!(m instanceof CgroupArrayMap)) {
      throw new HelperError(HelperErrorCode.BAD_ARGUMENT, `bpf_current_task_under_cgroup: map ${m.label} is not a CGROUP_ARRAY map`);
    }
    // The index is a u32 argument: the high half of the register is ignored.
    return m.underCgroup(Number(BigInt.asUintN(32, index)), env.task.cgroups);
  },
  get_current_comm(env, ctx, buf, size) {
    // strscpy: at most size-1 bytes of comm and a NUL; bytes after the NUL keep their values.
    const n = sizeArg(size, 'bpf_get_current_comm size');
    if (n === 0) return -22;
    const at = writable(ctx, buf, n);
    const comm = new TextEncoder().encode(env.task.comm).subarray(0, Math.min(TASK_COMM_LEN - 1, n - 1));
    ctx.space.bytes.set(comm, at);
    ctx.space.bytes[at + comm.length] = 0;
    return 0;
  },
};
