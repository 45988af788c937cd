import { EbeeError, type EbeeErrorOptions } from '../errors.js';
import { Errno, errnoName } from './constants.js';

/** Stable codes for map failures. Every `MapError` also carries Linux's `errno`. */
export const MapErrorCode = {
  /** The map spec was rejected at creation (the errno says how Linux rejects it). */
  BAD_SPEC: 'EBEE_MAP_BAD_SPEC',
  /** A map type ebee does not implement (Linux numbers it, ebee cannot create it). */
  UNSUPPORTED_TYPE: 'EBEE_MAP_UNSUPPORTED_TYPE',
  /** ENOENT: no such element (or the end of iteration). */
  NOT_FOUND: 'EBEE_MAP_NOT_FOUND',
  /** EEXIST: BPF_NOEXIST and the element exists. */
  EXISTS: 'EBEE_MAP_EXISTS',
  /** E2BIG / ENOSPC: the map is full, or an index is out of range. */
  FULL: 'EBEE_MAP_FULL',
  /** EINVAL: bad flags, key or value. */
  INVALID: 'EBEE_MAP_INVALID',
  /** ENOTSUPP / EOPNOTSUPP: the map type does not support the operation. */
  NOT_SUPPORTED: 'EBEE_MAP_NOT_SUPPORTED',
  /** EPERM / EBUSY: read-only, write-only or frozen map. */
  PERMISSION: 'EBEE_MAP_PERMISSION',
  /** EBADF: a value names no map or program. */
  BAD_FD: 'EBEE_MAP_BAD_FD',
  /** ENOMEM: the address space cannot hold the map. */
  NO_MEMORY: 'EBEE_MAP_NO_MEMORY',
  /** Any other errno (EINTR, EFAULT, ENODEV, EOVERFLOW...). */
  FAILED: 'EBEE_MAP_FAILED',
  /** A JavaScript argument of the wrong shape (key of the wrong length...). */
  BAD_ARGUMENT: 'EBEE_MAP_BAD_ARGUMENT',
} as const;
export type MapErrorCodeValue = (typeof MapErrorCode)[keyof typeof MapErrorCode];

/** The stable code for a (positive) errno. */
export function codeForErrno(errno: number): MapErrorCodeValue {
  switch (errno) {
    case Errno.ENOENT: return MapErrorCode.NOT_FOUND;
    case Errno.EEXIST: return MapErrorCode.EXISTS;
    case Errno.E2BIG: case Errno.ENOSPC: return MapErrorCode.FULL;
    case Errno.EINVAL: return MapErrorCode.INVALID;
    case Errno.ENOTSUPP: case Errno.EOPNOTSUPP: return MapErrorCode.NOT_SUPPORTED;
    case Errno.EPERM: case Errno.EBUSY: return MapErrorCode.PERMISSION;
    case Errno.EBADF: return MapErrorCode.BAD_FD;
    case Errno.ENOMEM: return MapErrorCode.NO_MEMORY;
    default: return MapErrorCode.FAILED;
  }
}

export interface MapErrorOptions extends EbeeErrorOptions {
  /** Name of the map the error is about. */
  map?: string;
  /** Batch operations: how many elements were processed before the failure. */
  count?: number;
}

/**
 * A map operation failed. `errno` is the positive errno Linux's bpf syscall sets for
 * the same failure (`Errno.ENOENT`...), so code can branch on either.
 */
export class MapError extends EbeeError {
  readonly errno: number;
  /** The map's name, when the error is about one map. */
  readonly map: string | undefined;
  /** Batch operations: elements processed before the failure. */
  readonly count: number | undefined;

  constructor(code: MapErrorCodeValue, errno: number, message: string, options: MapErrorOptions = {}) {
    super(code, `${options.map ? `map ${options.map}: ` : ''}${message} (${errnoName(errno)})`, options);
    this.errno = errno;
    this.map = options.map;
    this.count = options.count;
  }

  /** An error for a (positive or negative) errno with the code that belongs to it. */
  static fromErrno(errno: number, message: string, options: MapErrorOptions = {}): MapError {
    const e = Math.abs(errno);
    return new MapError(codeForErrno(e), e, message, options);
  }
}

/** True when `err` is a MapError with this errno. */
export function isMapErrno(err: unknown, errno: number): err is MapError {
  return err instanceof MapError && err.errno === errno;
}
