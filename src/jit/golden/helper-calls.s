# Helper 1 has a typed fast path (u32, u32 -> u32): the call checks that both
# argument registers fit in 32 bits and passes i32s; helper 2 has none and takes the
# generic import (five i64s).
  r6 = r1
  r2 = 1000
  call 1
  r7 = r0
  r1 = r6
  call 2
  r0 += r7
  exit
