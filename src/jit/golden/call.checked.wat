(module $ebee
  (type (;0;) (func (param i32 i32 i64 i64 i64 i64 i64) (result i64)))
  (type (;1;) (func (param i32 i32 i32 i32 i32 i32 i32)))
  (type (;2;) (func (param i32 i32 i64 i32)))
  (type (;3;) (func))
  (type (;4;) (func (param i64 i64 i64 i64 i64) (result i64)))
  (import "ebee" "helper" (func $helper (;0;) (type 0) (param i32 i32 i64 i64 i64 i64 i64) (result i64)))
  (import "ebee" "memory_check" (func $memory_check (;1;) (type 1) (param i32 i32 i32 i32 i32 i32 i32)))
  (import "ebee" "trap" (func $trap (;2;) (type 2) (param i32 i32 i64 i32)))
  (import "ebee" "abort" (func $abort (;3;) (type 3)))
  (import "ebee" "memory" (memory (;0;) 0))
  (func $f0 (;4;) (type 4) (param $r1 i64) (param $r2 i64) (param $r3 i64) (param $r4 i64) (param $r5 i64) (result i64)
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
    i64.const 5
    local.set $r1
    local.get $fuel
    global.set 2
    global.get 0
    i32.const 7
    i32.ge_s
    if  ;; label = @1
      local.get $fuel
      global.set 2
      i32.const 5
      i32.const 2
      i64.const 0
      i32.const 0
      call $trap
      unreachable
    end
    global.get 0
    i32.const 1
    i32.add
    global.set 0
    local.get $r1
    local.get $r2
    local.get $r3
    local.get $r4
    local.get $r5
    call $f5
    local.set $r0
    global.get 0
    i32.const -1
    i32.add
    global.set 0
    global.get 2
    local.set $fuel
    local.get $fuel
    i64.const 2
    i64.sub
    local.set $fuel
    local.get $r0
    local.get $r6
    i64.add
    local.set $r0
    local.get $fuel
    global.set 2
    local.get $r0
    return
    unreachable)
  (func $f5 (;5;) (type 4) (param $r1 i64) (param $r2 i64) (param $r3 i64) (param $r4 i64) (param $r5 i64) (result i64)
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
    block  ;; label = @1
      local.get $fuel
      i64.const 1
      i64.lt_s
      if  ;; label = @2
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
      i64.const 3
      i64.sub
      local.set $fuel
      local.get $r10
      i32.wrap_i64
      i32.const -8
      i32.add
      local.get $r1
      i64.store align=1
      i64.const 1
      local.set $r0
      local.get $r1
      i64.const 0
      i64.eq
      br_if 0 (;@1;)
      local.get $fuel
      i64.const 2
      i64.sub
      local.set $fuel
      local.get $r1
      i64.const -1
      i64.add
      local.set $r1
      local.get $fuel
      global.set 2
      global.get 0
      i32.const 7
      i32.ge_s
      if  ;; label = @2
        local.get $fuel
        global.set 2
        i32.const 5
        i32.const 9
        i64.const 0
        i32.const 0
        call $trap
        unreachable
      end
      global.get 0
      i32.const 1
      i32.add
      global.set 0
      local.get $r1
      local.get $r2
      local.get $r3
      local.get $r4
      local.get $r5
      call $f5
      local.set $r0
      global.get 0
      i32.const -1
      i32.add
      global.set 0
      global.get 2
      local.set $fuel
      local.get $fuel
      i64.const 2
      i64.sub
      local.set $fuel
      local.get $r10
      i32.wrap_i64
      i32.const -8
      i32.add
      i64.load align=1
      local.set $r1
      local.get $r0
      local.get $r1
      i64.mul
      local.set $r0
    end
    local.get $fuel
    i64.const 1
    i64.sub
    local.set $fuel
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
  (export "f0" (func $f0))
  (export "f5" (func $f5)))
