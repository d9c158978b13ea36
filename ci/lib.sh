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
# ndl_need PKG...: installs the packages that dpkg does not list as installed.
ndl_need() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
      missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "ci: missing Debian packages: ${missing[*]} (run as root to install)" >&2
    return 1
  fi
  if [ $ndl_apt_updated = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    ndl_apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# The packages every build needs.
ndl_need_build() {
  ndl_need build-essential cmake pkg-config libcriterion-dev libfiu-dev fiu-utils valgrind
}

# ndl_configure [extra cmake args...]: configures and builds $BUILD_DIR.
ndl_build() {
  local werror=OFF
  [ "${CI:-}" = true ] && werror=ON
  cmake -S "$ROOT_DIR" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DNDL_WERROR=$werror "$@" >/dev/null
  cmake --build "$BUILD_DIR" -j"$(nproc)"
}
