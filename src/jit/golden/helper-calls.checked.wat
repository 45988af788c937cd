(module $ebee
  (type (;0;) (func (param i32 i32 i64 i64 i64 i64 i64) (result i64)))
  (type (;1;) (func (param i32 i32 i32 i32 i32 i32 i32)))
  (type (;2;) (func (param i32 i32 i64 i32)))
  (type (;3;) (func))
  (type (;4;) (func (param i32 i32 i32) (result i32)))
  (type (;5;) (func (param i64 i64 i64 i64 i64) (result i64)))
  (import "ebee" "helper" (func $helper (;0;) (type 0) (param i32 i32 i64 i64 i64 i64 i64) (result i64)))
  (import "ebee" "memory_check" (func $memory_check (;1;) (type 1) (param i32 i32 i32 i32 i32 i32 i32)))
  (import "ebee" "trap" (func $trap (;2;) (type 2) (param i32 i32 i64 i32)))
  (import "ebee" "abort" (func $abort (;3;) (type 3)))
  (import "ebee" "helper_1" (func $helper_1 (;4;) (type 4) (param i32 i32 i32) (result i32)))
  (import "ebee" "memory" (memory (;0;) 0))
  (func $f0 (;5;) (type 5) (param $r1 i64) (param $r2 i64) (param $r3 i64) (param $r4 i64) (param $r5 i64) (result i64)
    (local $r0 i64) (local $r6 i64) (local $r7 i64) (local $r8 i64) (local $r9 i64) (local $r10 i64) (local $t64 i64) (local $u64 i64) (local $t32 i32) (local $u32 i32) (local $label i32) (local $fuel i64)
    global.get 2
    local.set $fuel
    global.get 1
    global.get 0
    i32.const 512
    i32.mul
    i32.sub
    i64.extend_i32_u
    local.set $r10
    local.get $fuel
    i64.const 1
    i64.lt_s
    if  ;; label = @1
      local.get $fuel
      global.set 2
      i32.const 6
      i32.const 0
      local.get $fuel
      i32.const 0
      call $trap
      unreachable
    end
    local.get $fuel
    i64.const 3
    i64.sub
    local.set $fuel
    local.get $r1
    local.set $r6
    i64.const 1000
    local.set $r2
    local.get $fuel
    i64.const 0
    i64.lt_s
    if  ;; label = @1
      local.get $fuel
      global.set 2
      i32.const 6
      i32.const 2
      local.get $fuel
      i32.const 0
      call $trap
      unreachable
    end
    local.get $fuel
    global.set 2
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
    i32.const -1
    global.set 3
    i32.const -1
    global.set 4
    i32.const -1
    global.set 5
    i32.const -1
    global.set 6
    global.get 2
    local.set $fuel
    local.get $fuel
    i64.const 3
    i64.sub
    local.set $fuel
    local.get $r0
    local.set $r7
    local.get $r6
    local.set $r1
    local.get $fuel
    i64.const 0
    i64.lt_s
    if  ;; label = @1
      local.get $fuel
      global.set 2
      i32.const 6
      i32.const 5
      local.get $fuel
      i32.const 0
      call $trap
      unreachable
    end
    local.get $fuel
    global.set 2
    i32.const 2
    i32.const 5
    local.get $r1
    local.get $r2
    local.get $r3
    local.get $r4
    local.get $r5
    call $helper
    local.set $r0
    i32.const -1
    global.set 3
    i32.const -1
    global.set 4
    i32.const -1
    global.set 5
    i32.const -1
    global.set 6
    global.get 2
    local.set $fuel
    local.get $fuel
    i64.const 2
    i64.sub
    local.set $fuel
    local.get $r0
    local.get $r7
    i64.add
    local.set $r0
    local.get $fuel
    global.set 2
    local.get $r0
    return
    unreachable)
  (global (;0;) (mut i32) (i32.const 0))
  (global (;1;) (mut i32) (i32.const 0))
  (global (;2;) (mut i64) (i64.const 0))
  (global (;3;) (mut i32) (i32.const -1))
  (global (;4;) (mut i32) (i32.const -1))
  (global (;5;) (mut i32) (i32.const -1))
  (global (;6;) (mut i32) (i32.const -1))
  (global (;7;) (mut i32) (i32.const 0))
  (global (;8;) (mut i32) (i32.const 0))
  (global (;9;) (mut i32) (i32.const 0))
  (export "depth" (global 0))
  (export "stack_end" (global 1))
  (export "fuel" (global 2))
  (export "read_start" (global 3))
  (export "read_end" (global 4))
  (export "write_start" (global 5))
  (export "write_end" (global 6))
  (export "packet_present" (global 7))
  (export "packet_address" (global 8))
  (export "packet_length" (global 9))
  (export "f0" (func $f0)))
