# Shared by the ci/ scripts: --help, the build directory, and installing
# Debian packages that are missing (only as root; otherwise say what is
# missing).

# ndl_help_if_asked ARG...: with -h or --help among the arguments (before a
# "--"), prints the calling script's leading comment block on stdout and
# exits 0. It runs as this file is sourced, with the script's arguments, so
# that --help returns before a script installs or builds anything.
ndl_help_if_asked() {
  local arg
  for arg in "$@"; do
    case $arg in
    --) return 0 ;;
    -h | --help)
      awk 'NR == 1 { next } !/^#/ { exit } { sub(/^# ?/, ""); print }' "$0"
      exit 0
      ;;
    esac
  done
}
ndl_help_if_asked "$@"

BUILD_DIR=${BUILD_DIR:-build}
ROOT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT_DIR"

ndl_apt_updated=0
# Full output of package installs and builds goes to a log; the terminal
# gets one status line each, and on failure the log's tail and its name.
NDL_LOG_DIR=${NDL_LOG_DIR:-$ROOT_DIR/build-logs}

# ndl_logged LOG CMD...: runs CMD with its output in LOG; on failure shows
# the last lines of LOG and names it.
ndl_logged() {
  local log=$1
  shift
  mkdir -p "$(dirname "$log")"
  echo "== $* ($(date +%T))" >>"$log"
  if ! "$@" >>"$log" 2>&1; then
    echo "ci: failed: $* (last lines below; whole log: $log)" >&2
    tail -n 30 "$log" >&2
    return 1
  fi
}

# ndl_need PKG...: installs the packages that dpkg does not list as installed.
ndl_need() {
  local missing=() p log="$NDL_LOG_DIR/apt.log"
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
      missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "ci: missing Debian packages: ${missing[*]} (run as root to install)" >&2
    return 1
  fi
  echo "ci: installing ${missing[*]} (log: $log)" >&2
  if [ $ndl_apt_updated = 0 ]; then
    ndl_logged "$log" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    ndl_apt_updated=1
  fi
  ndl_logged "$log" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# The packages every build needs.
ndl_need_build() {
  ndl_need build-essential cmake pkg-config libcriterion-dev libfiu-dev fiu-utils valgrind liburing-dev
}

# ndl_build [extra cmake args...]: configures and builds $BUILD_DIR, with
# one status line and the output in a log (NDL_VERBOSE=1 shows it all).
ndl_build() {
  local werror=OFF log="$NDL_LOG_DIR/build-$(basename "$BUILD_DIR").log"
  [ "${CI:-}" = true ] && werror=ON
  if [ "${NDL_VERBOSE:-0}" = 1 ]; then
    cmake -S "$ROOT_DIR" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DNDL_WERROR=$werror "$@"
    cmake --build "$BUILD_DIR" -j"$(nproc)"
    return
  fi
  echo "ci: building $BUILD_DIR (log: $log)" >&2
  mkdir -p "$NDL_LOG_DIR" && : >"$log"
  ndl_logged "$log" cmake -S "$ROOT_DIR" -B "$BUILD_DIR" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNDL_WERROR=$werror "$@"
  ndl_logged "$log" cmake --build "$BUILD_DIR" -j"$(nproc)"
}
