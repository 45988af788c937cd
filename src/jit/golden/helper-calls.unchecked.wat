(module $ebee
  (type (;0;) (func (param i32 i32 i64 i64 i64 i64 i64) (result i64)))
  (type (;1;) (func (param i32 i32 i64 i32)))
  (type (;2;) (func))
  (type (;3;) (func (param i32 i32 i32) (result i32)))
  (type (;4;) (func (param i64 i64 i64 i64 i64) (result i64)))
  (import "ebee" "helper" (func $helper (;0;) (type 0) (param i32 i32 i64 i64 i64 i64 i64) (result i64)))
  (import "ebee" "trap" (func $trap (;1;) (type 1) (param i32 i32 i64 i32)))
  (import "ebee" "abort" (func $abort (;2;) (type 2)))
  (import "ebee" "helper_1" (func $helper_1 (;3;) (type 3) (param i32 i32 i32) (result i32)))
  (import "ebee" "memory" (memory (;0;) 0))
  (func $f0 (;4;) (type 4) (param $r1 i64) (param $r2 i64) (param $r3 i64) (param $r4 i64) (param $r5 i64) (result i64)
    (local $r0 i64) (local $r6 i64) (local $r7 i64) (local $r8 i64) (local $r9 i64) (local $r10 i64) (local $t64 i64) (local $u64 i64) (local $t32 i32) (local $u32 i32) (local $label i32)
    global.get 1
    global.get 0
    i32.const 512
    i32.mul
    i32.sub
    i64.extend_i32_u
    local.set $r10
    local.get $r1
    local.set $r6
    i64.const 1000
    local.set $r2
    local.get $r1
    local.get $r2
    i64.or
    i64.const 32
    i64.shr_u
    i64.eqz
    if (result i64)  ;; label = @1
      i32.const 2
      local.get $r1
      i32.wrap_i64
      local.get $r2
      i32.wrap_i64
      call $helper_1
      i64.extend_i32_u
    else
      i32.const 1
      i32.const 2
      local.get $r1
      local.get $r2
      local.get $r3
      local.get $r4
      local.get $r5
      call $helper
    end
    local.set $r0
    local.get $r0
    local.set $r7
    local.get $r6
    local.set $r1
    i32.const 2
    i32.const 5
    local.get $r1
    local.get $r2
    local.get $r3
    local.get $r4
    local.get $r5
    call $helper
    local.set $r0
    local.get $r0
    local.get $r7
    i64.add
    local.set $r0
    local.get $r0
    return
    unreachable)
  (global (;0;) (mut i32) (i32.const 0))
  (global (;1;) (mut i32) (i32.const 0))
  (global (;2;) (mut i32) (i32.const 0))
  (global (;3;) (mut i32) (i32.const 0))
  (global (;4;) (mut i32) (i32.const 0))
  (export "depth" (global 0))
  (export "stack_end" (global 1))
  (export "packet_present" (global 2))
  (export "packet_address" (global 3))
  (export "packet_length" (global 4))
  (export "f0" (func $f0)))
