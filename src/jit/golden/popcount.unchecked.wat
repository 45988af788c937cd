(module $ebee
  (type (;0;) (func (param i32 i32 i64 i64 i64 i64 i64) (result i64)))
  (type (;1;) (func (param i32 i32 i64 i32)))
  (type (;2;) (func))
  (type (;3;) (func (param i64 i64 i64 i64 i64) (result i64)))
  (import "ebee" "helper" (func $helper (;0;) (type 0) (param i32 i32 i64 i64 i64 i64 i64) (result i64)))
  (import "ebee" "trap" (func $trap (;1;) (type 1) (param i32 i32 i64 i32)))
  (import "ebee" "abort" (func $abort (;2;) (type 2)))
  (import "ebee" "memory" (memory (;0;) 0))
  (func $f0 (;3;) (type 3) (param $r1 i64) (param $r2 i64) (param $r3 i64) (param $r4 i64) (param $r5 i64) (result i64)
    (local $r0 i64) (local $r6 i64) (local $r7 i64) (local $r8 i64) (local $r9 i64) (local $r10 i64) (local $t64 i64) (local $u64 i64) (local $t32 i32) (local $u32 i32) (local $label i32)
    global.get 1
    global.get 0
    i32.const 512
    i32.mul
    i32.sub
    i64.extend_i32_u
    local.set $r10
    i64.const 0
    local.set $r0
    loop  ;; label = @1
      local.get $r1
      i64.const 0
      i64.eq
      if  ;; label = @2
        local.get $r0
        return
      else
        block  ;; label = @3
          local.get $r1
          local.set $r2
          local.get $r2
          i64.const 1
          i64.and
          local.set $r2
          local.get $r2
          i64.const 0
          i64.eq
          br_if 0 (;@3;)
          local.get $r0
          i64.const 1
          i64.add
          local.set $r0
        end
        local.get $r1
        i64.const 1
        i64.shr_u
        local.set $r1
        br 1 (;@1;)
      end
    end
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
