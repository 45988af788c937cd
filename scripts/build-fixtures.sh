#!/bin/sh
# Compiles every BPF C fixture, src/*/fixtures/*.bpf.c, into .o files beside it.
#
# Usage: scripts/build-fixtures.sh [FILE.bpf.c ...]   (default: every fixture)
#
# Each source is compiled with Debian's clang-19 as
#     clang-19 -target bpf -O2 -g -mcpu=v4 -c NAME.bpf.c -o NAME.o
# A fixture changes that with directive lines at the very top of the file (the
# leading run of lines starting with "// ebee-fixture"):
#
#     // ebee-fixture: FLAGS            extra flags for NAME.o
#     // ebee-fixture.SUFFIX: FLAGS     one more object, NAME.SUFFIX.o, built with FLAGS
#
# FLAGS are passed to clang after the defaults, so a later -mcpu wins. Two flags
# are taken by this script instead of clang:
#     --cc=COMPILER   use another compiler (e.g. --cc=clang-14 for older LLVM output;
#                     it then gets no default -mcpu)
#     --no-base       (only on the "// ebee-fixture:" line) do not build NAME.o at all
#
# Example: one program at every ISA level and from LLVM 14:
#     // ebee-fixture: --no-base
#     // ebee-fixture.v1: -mcpu=v1
#     // ebee-fixture.v2: -mcpu=v2
#     // ebee-fixture.v3: -mcpu=v3
#     // ebee-fixture.v4: -mcpu=v4
#     // ebee-fixture.clang14: --cc=clang-14 -mcpu=v3
#
# Objects are reproducible: compilation runs in the fixture's folder on the bare file
# name, with the folder mapped to "." in debug info, so no absolute path gets in.
# Headers: <linux/bpf.h> and <bpf/bpf_helpers.h> from linux-libc-dev and libbpf-dev.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
arch_inc=/usr/include/$(gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)
[ -f /usr/include/bpf/bpf_helpers.h ] || { echo "missing /usr/include/bpf/bpf_helpers.h: apt-get install libbpf-dev" >&2; exit 1; }

compile() { # dir src out cc flags...
  dir=$1 src=$2 out=$3 cc=$4; shift 4
  command -v "$cc" >/dev/null 2>&1 || { echo "missing $cc: apt-get install -y $cc" >&2; exit 1; }
  mcpu=
  case "$cc" in clang-19|clang) mcpu=-mcpu=v4 ;; esac
  echo "  $cc $src -> $out $*"
  # shellcheck disable=SC2086
  (cd "$dir" && "$cc" -target bpf -O2 -g $mcpu -I"$arch_inc" -fdebug-prefix-map="$dir"=. \
     -fno-ident -Wall -Wno-unused-function -c "$src" -o "$out" "$@")
}

build() { # path/to/NAME.bpf.c
  file=$1
  dir=$(cd "$(dirname "$file")" && pwd)
  src=$(basename "$file")
  name=${src%.bpf.c}
  base=yes
  base_flags=
  variants=
  while IFS= read -r line; do
    case "$line" in
      "// ebee-fixture:"*) base_flags=${line#// ebee-fixture:} ;;
      "// ebee-fixture."*) variants="$variants
${line#// ebee-fixture.}" ;;
      *) break ;;
    esac
  done < "$file"
  run() { # out flags
    out=$1; shift
    cc=clang-19
    flags=
    for f in "$@"; do
      case "$f" in
        --cc=*) cc=${f#--cc=} ;;
        --no-base) ;;
        *) flags="$flags $f" ;;
      esac
    done
    # shellcheck disable=SC2086
    compile "$dir" "$src" "$out" "$cc" $flags
  }
  case " $base_flags " in *" --no-base "*) base=no ;; esac
  # shellcheck disable=SC2086
  [ "$base" = yes ] && run "$name.o" $base_flags
  printf '%s\n' "$variants" | while IFS= read -r v; do
    [ -n "$v" ] || continue
    suffix=${v%%:*}
    # shellcheck disable=SC2086
    run "$name.$suffix.o" ${v#*:}
  done
}

if [ $# -gt 0 ]; then
  for f in "$@"; do build "$f"; done
else
  for f in "$root"/src/*/fixtures/*.bpf.c; do
    [ -e "$f" ] || continue
    echo "$f"
    build "$f"
  done
fi
