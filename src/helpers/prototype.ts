/**
 * Helper prototypes: what each argument register must hold and what r0 holds after
 * the call. These mirror Linux's `enum bpf_arg_type` / `enum bpf_return_type`
 * (include/linux/bpf.h), flattened: Linux composes a base type with flag bits
 * (`ARG_PTR_TO_MEM | MEM_RDONLY | PTR_MAYBE_NULL`), ebee names each combination a
 * helper actually uses, so a prototype reads like the kernel's `bpf_func_proto`.
 *
 * The verifier checks calls against these; the JIT uses `ArgKind` to pass arguments
 * as i32 where a kind can only hold a 32-bit value (pointers into the address space,
 * sizes, map pointers); the runtime's helper table pairs each prototype with an
 * implementation.
 */

/** What an argument register must hold at the call. */
export const ArgKind = {
  /** Unused argument (the helper takes fewer). */
  DONTCARE: 'dontcare',
  /** Any initialised value (ARG_ANYTHING). */
  ANYTHING: 'anything',
  /** A map pointer from `lddw src=1/5` or a map-in-map lookup (ARG_CONST_MAP_PTR). */
  CONST_MAP_PTR: 'const_map_ptr',
  /** Pointer to key_size initialised bytes (ARG_PTR_TO_MAP_KEY). */
  PTR_TO_MAP_KEY: 'ptr_to_map_key',
  /** Pointer to value_size initialised bytes (ARG_PTR_TO_MAP_VALUE). */
  PTR_TO_MAP_VALUE: 'ptr_to_map_value',
  /** Pointer to value_size bytes the helper writes (ARG_PTR_TO_MAP_VALUE | MEM_UNINIT). */
  PTR_TO_UNINIT_MAP_VALUE: 'ptr_to_uninit_map_value',
  /** Pointer to initialised memory of the size in the next argument (ARG_PTR_TO_MEM | MEM_RDONLY). */
  PTR_TO_MEM_RDONLY: 'ptr_to_mem_rdonly',
  /** Same, or NULL when the size is 0 (ARG_PTR_TO_MEM | MEM_RDONLY | PTR_MAYBE_NULL). */
  PTR_TO_MEM_RDONLY_OR_NULL: 'ptr_to_mem_rdonly_or_null',
  /** Pointer to writable memory of the size in the next argument, which the helper fills (ARG_PTR_TO_MEM | MEM_UNINIT). */
  PTR_TO_UNINIT_MEM: 'ptr_to_uninit_mem',
  /** Pointer to writable initialised memory of the size in the next argument (ARG_PTR_TO_MEM). */
  PTR_TO_MEM: 'ptr_to_mem',
  /** Size of the preceding memory argument, > 0 (ARG_CONST_SIZE). */
  CONST_SIZE: 'const_size',
  /** Size of the preceding memory argument, >= 0 (ARG_CONST_SIZE_OR_ZERO). */
  CONST_SIZE_OR_ZERO: 'const_size_or_zero',
  /** Size of a ring-buffer reservation, a known constant (ARG_CONST_ALLOC_SIZE_OR_ZERO). */
  CONST_ALLOC_SIZE_OR_ZERO: 'const_alloc_size_or_zero',
  /** The program's context pointer, unmodified (ARG_PTR_TO_CTX). */
  PTR_TO_CTX: 'ptr_to_ctx',
  /** Context pointer or NULL (ARG_PTR_TO_CTX_OR_NULL). */
  PTR_TO_CTX_OR_NULL: 'ptr_to_ctx_or_null',
  /** Ring-buffer memory from `bpf_ringbuf_reserve`, released by the call (ARG_PTR_TO_RINGBUF_MEM | OBJ_RELEASE). */
  PTR_TO_RINGBUF_MEM_RELEASE: 'ptr_to_ringbuf_mem_release',
  /** A `struct bpf_spin_lock` inside a map value (ARG_PTR_TO_SPIN_LOCK). */
  PTR_TO_SPIN_LOCK: 'ptr_to_spin_lock',
  /** A NUL-terminated string in a read-only map value (ARG_PTR_TO_CONST_STR). */
  PTR_TO_CONST_STR: 'ptr_to_const_str',
  /** A static function of the program, `lddw src=4` (ARG_PTR_TO_FUNC). */
  PTR_TO_FUNC: 'ptr_to_func',
  /** Pointer to the stack or NULL (ARG_PTR_TO_STACK_OR_NULL), e.g. bpf_loop's callback context. */
  PTR_TO_STACK_OR_NULL: 'ptr_to_stack_or_null',
  /** Pointer to 8 writable bytes (ARG_PTR_TO_LONG) / 4 bytes (ARG_PTR_TO_INT). */
  PTR_TO_LONG: 'ptr_to_long',
  PTR_TO_INT: 'ptr_to_int',
  /** A socket (ARG_PTR_TO_SOCK_COMMON / ARG_PTR_TO_SOCKET / ARG_PTR_TO_BTF_ID_SOCK_COMMON). */
  PTR_TO_SOCKET: 'ptr_to_socket',
  /** A kernel object described by BTF (ARG_PTR_TO_BTF_ID), e.g. a task_struct. */
  PTR_TO_BTF_ID: 'ptr_to_btf_id',
  /** Same, or NULL (ARG_PTR_TO_BTF_ID | PTR_MAYBE_NULL), e.g. bpf_kptr_xchg's new pointer. */
  PTR_TO_BTF_ID_OR_NULL: 'ptr_to_btf_id_or_null',
  /** Pointer to writable memory of the size in the next argument, or NULL when it is 0 (ARG_PTR_TO_MEM | PTR_MAYBE_NULL). */
  PTR_TO_MEM_OR_NULL: 'ptr_to_mem_or_null',
  /** A map value or NULL (ARG_PTR_TO_MAP_VALUE_OR_NULL): the initial value of the local-storage helpers. */
  PTR_TO_MAP_VALUE_OR_NULL: 'ptr_to_map_value_or_null',
  /** A `struct bpf_dynptr` on the stack (ARG_PTR_TO_DYNPTR). */
  PTR_TO_DYNPTR: 'ptr_to_dynptr',
  /** A `struct bpf_timer` inside a map value (ARG_PTR_TO_TIMER). */
  PTR_TO_TIMER: 'ptr_to_timer',
  /** A kptr field inside a map value (ARG_PTR_TO_KPTR). */
  PTR_TO_KPTR: 'ptr_to_kptr',
  /** A per-CPU kernel variable from `lddw src=3` (ARG_PTR_TO_PERCPU_BTF_ID). */
  PTR_TO_PERCPU_BTF_ID: 'ptr_to_percpu_btf_id',
} as const;
export type ArgKindValue = typeof ArgKind[keyof typeof ArgKind];

/** What r0 holds after the call (r1-r5 are always clobbered). */
export const RetKind = {
  /** A scalar (RET_INTEGER). */
  INTEGER: 'integer',
  /** Nothing the program may read (RET_VOID): r0 is uninitialised. */
  VOID: 'void',
  /** Pointer to a value of the map passed in r1, or NULL (RET_PTR_TO_MAP_VALUE_OR_NULL). */
  PTR_TO_MAP_VALUE_OR_NULL: 'ptr_to_map_value_or_null',
  /** Pointer to ring-buffer memory of the size in r2, or NULL; a reference to release (RET_PTR_TO_RINGBUF_MEM_OR_NULL). */
  PTR_TO_RINGBUF_MEM_OR_NULL: 'ptr_to_ringbuf_mem_or_null',
  /** A socket reference or NULL (RET_PTR_TO_SOCKET_OR_NULL). */
  PTR_TO_SOCKET_OR_NULL: 'ptr_to_socket_or_null',
  /** Pointer to a kernel object by BTF id (RET_PTR_TO_BTF_ID), e.g. bpf_get_current_task_btf. */
  PTR_TO_BTF_ID: 'ptr_to_btf_id',
  /** Pointer to memory of a size known to the helper, or NULL (RET_PTR_TO_MEM_OR_BTF_ID | PTR_MAYBE_NULL). */
  PTR_TO_MEM_OR_NULL: 'ptr_to_mem_or_null',
  /** Same, never NULL (RET_PTR_TO_MEM_OR_BTF_ID), e.g. bpf_this_cpu_ptr. */
  PTR_TO_MEM: 'ptr_to_mem',
  /** Pointer to a value of the map passed in r1, never NULL (RET_PTR_TO_MAP_VALUE): bpf_get_local_storage. */
  PTR_TO_MAP_VALUE: 'ptr_to_map_value',
  /** A kernel object by BTF id, or NULL (RET_PTR_TO_BTF_ID_OR_NULL): the bpf_skc_to_* casts. */
  PTR_TO_BTF_ID_OR_NULL: 'ptr_to_btf_id_or_null',
  /** A `struct bpf_tcp_sock` or NULL (RET_PTR_TO_TCP_SOCK_OR_NULL). */
  PTR_TO_TCP_SOCK_OR_NULL: 'ptr_to_tcp_sock_or_null',
  /** A `struct bpf_sock` reference that may be a request or timewait socket, or NULL (RET_PTR_TO_SOCK_COMMON_OR_NULL). */
  PTR_TO_SOCK_COMMON_OR_NULL: 'ptr_to_sock_common_or_null',
} as const;
export type RetKindValue = typeof RetKind[keyof typeof RetKind];

/** A helper's signature, as Linux's `struct bpf_func_proto` has it. */
export interface HelperPrototype {
  /** Linux's helper number (`enum bpf_func_id`). */
  readonly id: number;
  /** Linux's name without the `bpf_` prefix, e.g. `map_lookup_elem`. */
  readonly name: string;
  readonly ret: RetKindValue;
  /** r1..r5 in order; trailing DONTCARE may be omitted. */
  readonly args: readonly ArgKindValue[];
  /** The helper may change packet data or its bounds: the verifier forgets packet pointers after it (bpf_helper_changes_pkt_data). */
  readonly changesPacketData?: boolean;
  /** Only for GPL-compatible programs (gpl_only). */
  readonly gplOnly?: boolean;
  /** The helper may sleep (might_sleep): only sleepable programs (BPF_F_SLEEPABLE) may call it. */
  readonly mightSleep?: boolean;
  /** Which `callbackArg`s take a callback, and what it receives (bpf_loop, for_each_map_elem...). */
  readonly callback?: {
    /** Index (0-based) of the PTR_TO_FUNC argument. */
    readonly arg: number;
    /** The callback's r1..r5 kinds, in the verifier's terms ('scalar', 'map_key', 'map_value', 'map_ptr', 'stack_or_null'...). */
    readonly params: readonly string[];
  };
}
