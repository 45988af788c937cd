/**
 * CGROUP_ARRAY: an fd array of cgroup v2 directories, for `bpf_skb_under_cgroup` and
 * `bpf_current_task_under_cgroup`.
 *
 * In Linux the syscall side stores the fd of an open cgroup directory. ebee has no
 * file system: a `CgroupRef` registered in the `MapRegistry` stands for that open fd
 * and carries the cgroup's id (the kernfs id `bpf_get_current_cgroup_id` reports).
 * Linux's rules (`cgroup_fd_array_get_ptr` -> `cgroup_get_from_fd`): an fd that names
 * nothing, or anything but a cgroup v2 directory, is EBADF. The syscall side cannot
 * read slots (ENOTSUPP, as for PERF_EVENT_ARRAY); the other rules are the fd array's.
 */
import { Errno, UpdateFlag } from './constants.js';
import { FdArrayMap } from './fd-array.js';
import { MapError, MapErrorCode } from './errors.js';
import type { MapRegistry, RegistryObject } from './registry.js';

/** An open cgroup directory: its `id` is the fd, `cgroupId` the cgroup it names. */
export class CgroupRef implements RegistryObject {
  readonly kind = 'cgroup';
  constructor(readonly id: number, readonly cgroupId: number) {}
}

/** Opens cgroup `cgroupId` (a positive id; the root cgroup is 1) and registers the fd. */
export function openCgroup(registry: MapRegistry, cgroupId: number): CgroupRef {
  if (!Number.isSafeInteger(cgroupId) || cgroupId <= 0) {
    throw new MapError(MapErrorCode.BAD_ARGUMENT, Errno.EINVAL, `cgroup id must be a positive integer, not ${String(cgroupId)}`);
  }
  return registry.registerObject((id) => new CgroupRef(id, cgroupId));
}

export class CgroupArrayMap extends FdArrayMap {
  protected override readonly sysReadable = false;

  protected resolveFd(fd: number): number {
    return this.registry.kindOf(fd) === 'cgroup' ? fd : -Errno.EBADF;
  }

  protected alive(id: number): boolean {
    return this.registry.object(id, 'cgroup') !== undefined;
  }

  /** The cgroup id in slot `index`, or undefined when the slot is empty or out of range. */
  cgroupAt(index: number): number | undefined {
    const id = this.idAt(index);
    return id === 0 ? undefined : this.registry.object<CgroupRef>(id, 'cgroup')?.cgroupId;
  }

  /** Syscall-side convenience: opens cgroup `cgroupId` and stores it in slot `index`. */
  setCgroup(index: number, cgroupId: number): CgroupRef {
    const ref = openCgroup(this.registry, cgroupId);
    this.update(index, ref.id, UpdateFlag.ANY);
    return ref;
  }

  /**
   * The test of `bpf_current_task_under_cgroup` / `bpf_skb_under_cgroup` against a
   * cgroup ancestry (ids from the root to the task's own cgroup): 1 when the slot's
   * cgroup is in it, 0 when not, -E2BIG for an index past the end, -EAGAIN for an
   * empty slot.
   */
  underCgroup(index: number, ancestry: readonly number[]): number {
    if (!(index >= 0 && index < this.maxEntries)) return -Errno.E2BIG;
    const cgroupId = this.cgroupAt(index);
    if (cgroupId === undefined) return -Errno.EAGAIN;
    return ancestry.includes(cgroupId) ? 1 : 0;
  }
}
