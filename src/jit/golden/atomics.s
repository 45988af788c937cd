// Atomics on the buffer at r1: add, fetch-or, and a 32-bit compare-and-exchange that
// hits (the word holds 7).
  r2 = 1
  lock *(u64 *)(r1 + 0) += r2
  r3 = 2
  r3 = atomic_fetch_or((u64 *)(r1 + 8), r3)
  w0 = 7
  r4 = 9
  w0 = cmpxchg32_32(r1 + 16, w0, w4)
  r0 += r3
  exit
