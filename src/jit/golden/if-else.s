// An if/else chain: r1 classified as negative (0), zero (1), below 10 (2), below 100
// (3) or larger (4). Forward branches only: nested blocks, no loop.
  if r1 s< 0 goto negative
  if r1 == 0 goto zero
  if r1 < 10 goto small
  if r1 < 100 goto medium
  r0 = 4
  goto out
negative:
  r0 = 0
  goto out
zero:
  r0 = 1
  goto out
small:
  r0 = 2
  goto out
medium:
  r0 = 3
out:
  exit
