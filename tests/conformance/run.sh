#!/usr/bin/env bash
# Conformance with real Node.js: runs every scenario's .js under node several
# times and its C twin (conformance-c) on the linux, io_uring and sim backends
# (TCP scenarios on the sim's simulated network), and compares the lines.
#
#   run.sh CONFORMANCE_C SOURCE_DIR [SCENARIO...]
#
# Expected output is never written by hand: it is what node prints, and node
# must print the same thing on every run. Two sidecar files change that:
#   <name>.allowed  Node's own order is not fixed; the file lists every
#                   allowed output, each after an "[alternative]" line. Each
#                   node run and each C run must be one of them.
#   <name>.differs  nodeloop differs from Node here; "[node]" and
#                   "[nodeloop]" sections pin both outputs, and a
#                   "status: deliberate" or "status: open" line says whether
#                   the difference is a decision or a reported bug. Node must
#                   still print the first, nodeloop the second. A line
#                   "node_order: as node" says that with Node's timer order
#                   (NDL_TIMER_ORDER_NODE) nodeloop prints Node's lines.
# Every C twin also runs with Node's timer order (conformance-c's
# "node-order"), and must print what it prints without it, except where a
# .differs file says "node_order: as node": then node's lines.
# Lines starting with "#" in a sidecar are comments.
#
# A scenario whose node runs disagree with each other (and that has no
# sidecar allowing it) has no oracle on this run: node's own timing decided
# its order, as on a heavily loaded machine where node's loop starts after
# every timer of a 20/40/60 ms scenario is due and node fires them per
# duration list (docs/semantics.md). It is reported as "unstable", with
# node's two outputs, and nodeloop is not compared on it; more than a
# quarter of the scenarios unstable fails the run, since node is then no
# oracle at all. (The same rule as generated programs: unstable in node,
# discarded and counted.)
#
# Environment: NDL_CONFORMANCE_RUNS (node runs per scenario, default 5).
# Exit status: 0 when every scenario conforms, 1 otherwise, 77 (skip) when
# node is missing and cannot be installed.
set -u

if [ $# -lt 2 ]; then
  echo "usage: $0 CONFORMANCE_C SOURCE_DIR [SCENARIO...]" >&2
  exit 2
fi
bin=$1
dir=$(cd "$2" && pwd -P) || exit 2
shift 2
runs=${NDL_CONFORMANCE_RUNS:-5}

if ! command -v node >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    # shellcheck source=../../ci/lib.sh
    (. "$dir/../../ci/lib.sh" && ndl_need nodejs) >&2 ||
      { echo "SKIP: node is missing and installing Debian's nodejs failed"; exit 77; }
  fi
  if ! command -v node >/dev/null 2>&1; then
    echo "SKIP: node is not installed (Debian package nodejs; run as root to install it)"
    exit 77
  fi
fi

if ! "$bin" --list >/dev/null; then
  echo "cannot list the scenarios of $bin" >&2
  exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ndl-conformance.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
export NDL_CONFORMANCE_DIR=$dir
# Both sides run with the default pool of 4 threads.
unset NODELOOP_THREADPOOL_SIZE UV_THREADPOOL_SIZE

# section FILE NAME: the lines of section [NAME], comments dropped.
section() {
  awk -v want="[$2]" '
    /^#/ { next }
    /^\[.*\]$/ { on = ($0 == want); next }
    on { print }' "$1"
}

# alternatives FILE PREFIX: writes each [alternative] of FILE to PREFIX.N
# and prints how many there are.
alternatives() {
  awk -v prefix="$2" '
    /^#/ { next }
    /^\[alternative\]$/ { n++; out = prefix "." n; printf "" > out; next }
    n > 0 { print > out }
    END { print n + 0 }' "$1"
}

# one_of FILE PREFIX COUNT: whether FILE equals one of PREFIX.1..COUNT.
one_of() {
  local i
  for ((i = 1; i <= $3; i++)); do
    cmp -s "$1" "$2.$i" && return 0
  done
  return 1
}

failed=()
unstable=()
# fail NAME WHY [EXPECTED ACTUAL]: reports, with a diff when given files.
fail() {
  echo "FAIL $1: $2"
  if [ $# -ge 4 ]; then
    diff -u --label "expected" --label "actual" "$3" "$4" | sed 's/^/    /'
  fi
  failed+=("$1")
}

# run_c NAME BACKEND OUT: runs the C twin; returns its exit status.
run_c() {
  timeout 60 "$bin" "$1" "$2" ${4:+"$4"} </dev/null >"$3" 2>"$tmp/c.err"
  local rc=$?
  if [ $rc != 0 ]; then
    sed 's/^/    /' "$tmp/c.err"
  fi
  return $rc
}

# check_c NAME BACKEND WANT [node-order]: runs the C twin and compares its
# lines with WANT, or with the alternatives of NAME.allowed.
check_c() {
  local out=$tmp/c.$2${4:+.$4} how=${4:+ with Node\'s timer order}
  if ! run_c "$1" "$2" "$out" "${4:-}"; then
    fail "$1" "conformance-c $1 $2 ${4:-}failed"
    return 1
  fi
  if [ $kind = allowed ]; then
    one_of "$out" "$tmp/alt" "$nalt" && return 0
    fail "$1" "nodeloop ($2)$how printed an order $1.allowed does not list" \
      "$tmp/alt.1" "$out"
    return 1
  fi
  cmp -s "$3" "$out" && return 0
  if [ $kind = differs ] && [ "$3" = "$tmp/want.c" ]; then
    fail "$1" "nodeloop ($2)$how no longer prints what $1.differs pins" "$3" "$out"
  else
    fail "$1" "nodeloop ($2)$how differs from node" "$3" "$out"
  fi
  return 1
}

if [ $# -gt 0 ]; then
  wanted=" $* "
else
  wanted=""
fi

listed=()
checked=0
start=$(date +%s%N)
while read -r name backends; do
  listed+=("$name")
  [ -n "$wanted" ] && [[ $wanted != *" $name "* ]] && continue
  checked=$((checked + 1))
  js=$dir/$name.js
  if [ ! -f "$js" ]; then
    fail "$name" "no $name.js for this C scenario"
    continue
  fi

  # Node, several times, each run in the scenario's directory.
  ok=1
  for ((i = 1; i <= runs; i++)); do
    if ! (cd "$dir" && timeout 60 node "$name.js" </dev/null) >"$tmp/node.$i" 2>"$tmp/node.err"; then
      fail "$name" "node run $i failed"
      sed 's/^/    /' "$tmp/node.err"
      ok=0
      break
    fi
  done
  [ $ok = 1 ] || continue

  # What node must print, and what the C programs must print.
  nalt=0
  kind=plain
  node_order=
  if [ -f "$dir/$name.differs" ]; then
    kind=differs
    section "$dir/$name.differs" node >"$tmp/want.node"
    section "$dir/$name.differs" nodeloop >"$tmp/want.c"
    status=$(awk '/^status:/ { print $2 }' "$dir/$name.differs")
    node_order=$(awk '/^node_order:/ { print $2 }' "$dir/$name.differs")
    for ((i = 1; i <= runs; i++)); do
      if ! cmp -s "$tmp/want.node" "$tmp/node.$i"; then
        fail "$name" "node no longer prints what $name.differs pins (run $i)" \
          "$tmp/want.node" "$tmp/node.$i"
        ok=0
        break
      fi
    done
  elif [ -f "$dir/$name.allowed" ]; then
    kind=allowed
    nalt=$(alternatives "$dir/$name.allowed" "$tmp/alt")
    for ((i = 1; i <= runs; i++)); do
      if ! one_of "$tmp/node.$i" "$tmp/alt" "$nalt"; then
        fail "$name" "node run $i printed an order $name.allowed does not list" \
          "$tmp/alt.1" "$tmp/node.$i"
        ok=0
        break
      fi
    done
  else
    cp "$tmp/node.1" "$tmp/want.c"
    for ((i = 2; i <= runs; i++)); do
      if ! cmp -s "$tmp/node.1" "$tmp/node.$i"; then
        echo "UNSTABLE $name: node printed two orders (run 1 against run $i); not compared this run"
        diff -u --label "node run 1" --label "node run $i" "$tmp/node.1" \
          "$tmp/node.$i" | sed 's/^/    /'
        unstable+=("$name")
        ok=0
        break
      fi
    done
  fi
  [ $ok = 1 ] || continue

  # The C twin on each backend it supports, as it is and with Node's timer
  # order: what is wanted without it, or node's lines where the .differs
  # file says so.
  want_node_order=$tmp/want.c
  [ "$node_order" = as ] && want_node_order=$tmp/want.node
  done_on=()
  for backend in ${backends//,/ }; do
    if check_c "$name" "$backend" "$tmp/want.c" &&
      check_c "$name" "$backend" "$want_node_order" node-order; then
      done_on+=("$backend")
    else
      ok=0
    fi
  done
  [ $ok = 1 ] || continue
  case $kind in
  differs)
    if [ "$node_order" = as ]; then
      echo "ok   $name (${done_on[*]}; differs from node: $status; with Node's timer order as node)"
    else
      echo "ok   $name (${done_on[*]}; differs from node: $status)"
    fi
    ;;
  allowed) echo "ok   $name (${done_on[*]}; one of $nalt allowed orders)" ;;
  *) echo "ok   $name (${done_on[*]})" ;;
  esac
done < <("$bin" --list)

# Every .js needs a C twin, and a name on the command line must exist.
# A sidecar a .js file names must exist.
for js in "$dir"/*.js; do
  name=$(basename "$js" .js)
  [[ " ${listed[*]} " == *" $name "* ]] ||
    fail "$name" "$name.js has no C scenario in conformance-c"
  for sidecar in $(grep -o '[a-z0-9_]*\.\(differs\|allowed\)' "$js" || true); do
    [ -f "$dir/$sidecar" ] || fail "$name" "$name.js names $sidecar, which does not exist"
  done
done
for name in "$@"; do
  [[ " ${listed[*]} " == *" $name "* ]] || fail "$name" "no such scenario"
done

ms=$((($(date +%s%N) - start) / 1000000))
if [ $((4 * ${#unstable[@]})) -gt "$checked" ]; then
  echo "node was unstable on ${#unstable[@]} of $checked scenarios: too loaded a machine to use node as the oracle"
  failed+=("${unstable[@]}")
fi
if [ ${#unstable[@]} -ne 0 ]; then
  echo "${#unstable[@]} scenarios not compared, node unstable: ${unstable[*]}"
fi
if [ ${#failed[@]} -ne 0 ]; then
  mapfile -t failed < <(printf '%s\n' "${failed[@]}" | sort -u)
  echo "${#failed[@]} scenarios failed (${ms} ms): ${failed[*]}"
  exit 1
fi
echo "all $((checked - ${#unstable[@]})) compared scenarios of $checked conform (${ms} ms, $runs node runs each)"
