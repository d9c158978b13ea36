#!/bin/bash -eu
# Builds every fuzz target (fuzz/fuzz_<target>.c) for ClusterFuzzLite under
# OSS-Fuzz's build contract: $CC and $CFLAGS (sanitizers and
# -fsanitize=fuzzer-no-link) compile, $LIB_FUZZING_ENGINE links the engine,
# binaries and fuzz/corpus/<target>/ as <target>_seed_corpus.zip go to
# $OUT, scratch to $WORK. The targets and their sources come from
# fuzz/CMakeLists.txt (NDL_FUZZ=ON with NDL_FUZZ_ENGINE), as ci/fuzz builds
# them. The image runs it as $SRC/build.sh from its WORKDIR, the source
# tree's root ($SRC/nodeloop); ci/clusterfuzzlite-build does the same here.
src=$PWD
if [ ! -f "$src/fuzz/CMakeLists.txt" ]; then
  echo "build.sh: run me from nodeloop's root (the Dockerfile's WORKDIR), not $src" >&2
  exit 1
fi
build=$WORK/nodeloop-build

# Only the fuzz targets are built: no fault points (libfiu), no docs, and
# CRITERION_LIBRARY set so that configuring the tests (which the fuzz
# folder is part of) does not require Criterion, which the builder image
# may lack; no test is built.
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE= \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_C_FLAGS="$CFLAGS" \
  -DNDL_FUZZ=ON -DNDL_FUZZ_ENGINE="$LIB_FUZZING_ENGINE" \
  -DNDL_FAULTS=OFF -DNDL_BUILD_DOCS=OFF -DCRITERION_LIBRARY=criterion
cmake --build "$build" -j"$(nproc)" --target fuzz_targets

while read -r target; do
  cp "$build/bin/$target" "$OUT/$target"
  rm -f "$OUT/${target}_seed_corpus.zip"
  (cd "$src/fuzz/corpus/$target" && zip -q -j "$OUT/${target}_seed_corpus.zip" ./*)
done <"$build/fuzz/fuzz_targets.txt"
