#!/usr/bin/env bash
# Installs the built tree into a scratch prefix, then builds a tiny outside
# project against it twice: with find_package(nodeloop), and with
# pkg-config. Both must build and run.
#   check.sh BUILD_DIR SCRATCH_DIR
set -euo pipefail
build=$1
scratch=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$scratch"
mkdir -p "$scratch"
cmake --install "$build" --prefix "$scratch/prefix" > "$scratch/install.log"

cmake -S "$here" -B "$scratch/cmake" -DCMAKE_PREFIX_PATH="$scratch/prefix" > /dev/null
cmake --build "$scratch/cmake" > /dev/null
"$scratch/cmake/consumer"

pc_dir=$(dirname "$(find "$scratch/prefix" -name nodeloop.pc | head -n 1)")
flags=$(PKG_CONFIG_PATH="$pc_dir" pkg-config --cflags --libs --static nodeloop)
cc -std=c11 -o "$scratch/consumer-pc" "$here/consumer.c" $flags
"$scratch/consumer-pc"
