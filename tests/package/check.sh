#!/usr/bin/env bash
# Installs the built tree into a scratch prefix, then builds consumer.c, a
# tiny outside program, against it every way a user can, runs each build and
# checks which libraries it loads:
#   cmake-shared  find_package(nodeloop): nodeloop::nodeloop
#   cmake-static  nodeloop::nodeloop_static
#   pc-shared     cc $(pkg-config --cflags --libs nodeloop)
#   pc-static     cc -static $(pkg-config --static --cflags --libs nodeloop)
# and when the tree has fault points (NDL_FAULTS), with them:
#   cmake-faults  find_package(nodeloop COMPONENTS faults): nodeloop::faults
#   pc-faults     cc $(pkg-config --cflags --libs nodeloop-faults)
# Also checks that libnodeloop.so exports only the public ndl_* functions.
#   check.sh BUILD_DIR SCRATCH_DIR
set -euo pipefail
build=$1
scratch=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$scratch"
mkdir -p "$scratch"

fail() {
  echo "package: $way: $*" >&2
  exit 1
}

way=install
cmake --install "$build" --prefix "$scratch/prefix" > "$scratch/install.log" 2>&1 ||
  fail "cmake --install failed: $(cat "$scratch/install.log")"
lib=$(dirname "$(find "$scratch/prefix" -name libnodeloop.so | head -n 1)")
[ -e "$lib/libnodeloop.a" ] || fail "libnodeloop.so or libnodeloop.a not installed"
# The SONAME: libnodeloop.so.MAJOR.MINOR before 1.0, whose minor releases
# may break the ABI (the CMake package's SameMinorVersion says the same).
soname=$(readelf -d "$lib/libnodeloop.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[[ $soname =~ ^libnodeloop\.so\.0\.[0-9]+$ || $soname =~ ^libnodeloop\.so\.[1-9][0-9]*$ ]] ||
  fail "SONAME $soname: not libnodeloop.so.0.MINOR (or .MAJOR from 1.0)"
[ -e "$lib/$soname" ] || fail "$soname not installed"
export PKG_CONFIG_PATH=$lib/pkgconfig
faults=OFF
[ -e "$lib/libnodeloop-faults.a" ] && faults=ON

# check WAY PROGRAM NEEDED...: the program runs and passes, and of
# the SONAME and libfiu it loads exactly the NEEDED ones.
check() {
  way=$1
  local out needed lib want has
  out=$("$2" 2>&1) || fail "the consumer failed: $out"
  needed=$(readelf -d "$2" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  for lib in "$soname" libfiu; do
    want=no has=no
    [[ " ${*:3} " == *" $lib "* ]] && want=yes
    grep -q "^$lib" <<<"$needed" && has=yes
    [ $want = $has ] || fail "loads $lib: $has, should: $want ($needed)"
  done
  echo "package: $way: ok (loads: $(paste -sd ' ' <<<"${needed:-nothing}"))"
}

# The shared library exports the public functions only: no ndl__ internals,
# no other names. (No linker symbols such as _init or _end show up there
# with this toolchain, so none are let through.)
way=exports
exports=$(nm -D --defined-only "$lib/libnodeloop.so" | awk '{print $3}')
bad=$(grep -v '^ndl_[^_]' <<<"$exports" | tr '\n' ' ' || true)
[ -z "$bad" ] || fail "libnodeloop.so exports $bad"
# ... and every one the headers declare with NDL_EXTERN.
declared=$(cat "$here"/../../include/*.h | tr '\n' ' ' |
  grep -o 'NDL_EXTERN [^(]*(' | grep -o 'ndl_[a-z0-9_]*($' | tr -d '(' | sort)
missing=$(comm -23 <(echo "$declared") <(sort <<<"$exports") | tr '\n' ' ')
[ -z "$missing" ] || fail "libnodeloop.so does not export $missing"
echo "package: exports: ok ($(wc -l <<<"$exports") ndl_ functions)"

way=cmake
if ! { cmake -S "$here" -B "$scratch/cmake" -DCMAKE_PREFIX_PATH="$scratch/prefix" \
  -DFAULTS=$faults && cmake --build "$scratch/cmake"; } > "$scratch/cmake.log" 2>&1; then
  fail "the build failed: $(tail -n 20 "$scratch/cmake.log")"
fi
check cmake-shared "$scratch/cmake/consumer-shared" "$soname"
check cmake-static "$scratch/cmake/consumer-static"
[ $faults = OFF ] || check cmake-faults "$scratch/cmake/consumer-faults" libfiu

# pc WAY PKG-CONFIG-ARGS CC-ARGS...: builds consumer.c as $scratch/WAY.
# shellcheck disable=SC2086 # PKG-CONFIG-ARGS and the flags are words
pc() {
  way=$1
  local flags
  flags=$(pkg-config --cflags --libs $2) || fail "pkg-config $2 failed"
  cc -std=c11 -o "$scratch/$way" "${@:3}" "$here/consumer.c" $flags \
    > "$scratch/$way.log" 2>&1 ||
    fail "cc ${*:3} \$(pkg-config --cflags --libs $2) failed: $(cat "$scratch/$way.log")"
}
pc pc-shared nodeloop -Wl,-rpath,"$lib"
check pc-shared "$scratch/pc-shared" "$soname"
# pkg-config --static is for a wholly static program (ld warns that
# getaddrinfo in it still needs glibc's shared libraries: see pc-static.log).
pc pc-static "--static nodeloop" -static
check pc-static "$scratch/pc-static"
if [ $faults = ON ]; then
  pc pc-faults nodeloop-faults -DNDL_CONSUMER_FAULTS
  check pc-faults "$scratch/pc-faults" libfiu
fi
