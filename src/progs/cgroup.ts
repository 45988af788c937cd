/**
 * Cgroup hooks without a packet or socket address: CGROUP_DEVICE (`struct
 * bpf_cgroup_dev_ctx`), CGROUP_SYSCTL (`struct bpf_sysctl`) and CGROUP_SOCKOPT
 * (`struct bpf_sockopt`), laid out as include/uapi/linux/bpf.h has them. Which fields
 * a program may read or write follows `cgroup_dev_is_valid_access`,
 * `sysctl_is_valid_access` and `cg_sockopt_is_valid_access` (kernel/bpf/cgroup.c);
 * all three must return 0 (reject) or 1 (allow), as check_return_code demands.
 *
 * Linux cannot test-run them (their prog_ops have no test_run: -ENOTSUPP); ebee gives
 * them the plain harness (plain.ts). A sockopt program there sees no option buffer:
 * optval and optval_end are both zero.
 */
import { AttachType, ProgramType } from '../elf/index.js';
import { ContextPointer, type ContextLayout } from '../verifier/context.js';
import { field } from './layout.js';
import { helpersFor } from './helpers.js';
import { plainSetup } from './plain.js';
import { CgroupReturnCode } from './sock.js';
import type { ProgramTypeInfo } from './types.js';

/** `struct bpf_cgroup_dev_ctx`: `access_type` is `(BPF_DEVCG_ACC_* << 16) | BPF_DEVCG_DEV_*`. */
export const BpfCgroupDevCtx = { access_type: 0, major: 4, minor: 8, SIZE: 12 } as const;

/** `struct bpf_sysctl`: whether the access writes, and the file position (which the program may move). */
export const BpfSysctl = { write: 0, file_pos: 4, SIZE: 8 } as const;

/** `struct bpf_sockopt` offsets; the three pointers are 8-byte `__bpf_md_ptr`s. */
export const BpfSockopt = {
  sk: 0, optval: 8, optval_end: 16, level: 24, optname: 28, optlen: 32, retval: 36,
  SIZE: 40,
} as const;

/** Every access is read-only; access_type may be loaded in part, major and minor only whole. */
function devLayout(): ContextLayout {
  const D = BpfCgroupDevCtx;
  return {
    name: 'bpf_cgroup_dev_ctx', size: D.SIZE,
    fields: [
      field('access_type', D.access_type, 4),
      field('major', D.major, 4, { narrow: false }),
      field('minor', D.minor, 4, { narrow: false }),
    ],
  };
}

/** `write` is read-only; `file_pos` may be read in part and written whole (to move the position). */
function sysctlLayout(): ContextLayout {
  const S = BpfSysctl;
  return {
    name: 'bpf_sysctl', size: S.SIZE,
    fields: [field('write', S.write, 4), field('file_pos', S.file_pos, 4, { write: true })],
  };
}

/**
 * `bpf_sockopt` at `attach`: the socket (never NULL) and the option buffer's bounds as
 * packet pointers, 8-byte loads; the ints are whole loads. A getsockopt program may
 * read and set `retval`; a setsockopt one may rewrite `level` and `optname`; both may
 * set `optlen`.
 */
function sockoptLayout(attach: number): ContextLayout {
  const S = BpfSockopt;
  const get = attach === AttachType.CGROUP_GETSOCKOPT;
  const set = attach === AttachType.CGROUP_SETSOCKOPT;
  return {
    name: 'bpf_sockopt', size: S.SIZE,
    fields: [
      field('sk', S.sk, 8, { pointer: ContextPointer.SOCKET }),
      field('optval', S.optval, 8, { pointer: ContextPointer.PACKET }),
      field('optval_end', S.optval_end, 8, { pointer: ContextPointer.PACKET_END }),
      field('level', S.level, 4, { narrow: false, write: set }),
      field('optname', S.optname, 4, { narrow: false, write: set }),
      field('optlen', S.optlen, 4, { narrow: false, write: true }),
      field('retval', S.retval, 4, { narrow: false, read: get, write: get }),
    ],
  };
}

const DEV_LAYOUT = devLayout();
const SYSCTL_LAYOUT = sysctlLayout();

function cgroupDevice(attach: number): ProgramTypeInfo {
  return {
    type: ProgramType.CGROUP_DEVICE, name: 'cgroup_device', names: ['cgroup_device', 'cgroup_dev'], context: DEV_LAYOUT,
    helpers: helpersFor(ProgramType.CGROUP_DEVICE, attach), returnCodes: CgroupReturnCode, returnRange: [0, 1],
    linuxTestRun: false, repeatAllowed: true, setup: plainSetup(DEV_LAYOUT, BpfCgroupDevCtx.SIZE, false),
  };
}

/**
 * The layouts do not depend on the attach type, the helpers do: loaded without one
 * (0, which is BPF_CGROUP_INET_INGRESS) a program may not call get/set_retval.
 * Unnamed, the type is taken at its own hook (BPF_CGROUP_DEVICE, BPF_CGROUP_SYSCTL).
 */
export const CGROUP_DEVICE: ProgramTypeInfo = { ...cgroupDevice(AttachType.CGROUP_DEVICE), forAttach: cgroupDevice };

function cgroupSysctl(attach: number): ProgramTypeInfo {
  return {
    type: ProgramType.CGROUP_SYSCTL, name: 'cgroup_sysctl', names: ['cgroup_sysctl', 'sysctl'], context: SYSCTL_LAYOUT,
    helpers: helpersFor(ProgramType.CGROUP_SYSCTL, attach), returnCodes: CgroupReturnCode, returnRange: [0, 1],
    linuxTestRun: false, repeatAllowed: true, setup: plainSetup(SYSCTL_LAYOUT, BpfSysctl.SIZE, true),
  };
}

export const CGROUP_SYSCTL: ProgramTypeInfo = { ...cgroupSysctl(AttachType.CGROUP_SYSCTL), forAttach: cgroupSysctl };

function cgroupSockopt(attach: number): ProgramTypeInfo {
  const layout = sockoptLayout(attach);
  return {
    type: ProgramType.CGROUP_SOCKOPT, name: 'cgroup_sockopt', names: ['cgroup_sockopt', 'sockopt'], context: layout,
    helpers: helpersFor(ProgramType.CGROUP_SOCKOPT, attach), returnCodes: CgroupReturnCode, returnRange: [0, 1],
    linuxTestRun: false, repeatAllowed: true, setup: plainSetup(layout, BpfSockopt.SIZE, true),
  };
}

/**
 * Without an attach type (the kernel demands getsockopt or setsockopt for this type):
 * neither hook's fields, so only optlen is writable and retval is not readable.
 */
export const CGROUP_SOCKOPT: ProgramTypeInfo = { ...cgroupSockopt(0), forAttach: cgroupSockopt };
