# Shows that fuzz_ids catches the chapter's id bug: builds fuzz_ids with the
# chapter's generator (core/ids_chapter_bug.c in place of core/ids.c) and runs it
# from an empty corpus with a fixed seed and the smoke budget of ci/fuzz; it
# must crash, naming a live id handed out twice. Then the fixed code, run as
# long, must find nothing (within CONTROL_RUNS), so the crash is the bug's
# and not the harness's.
#
#   cmake -DCLANG=clang -DSRC=repo -DWORK=scratch [-DSECONDS=30] -P planted_bug.cmake
if(NOT CLANG OR NOT SRC OR NOT WORK)
  message(FATAL_ERROR "usage: cmake -DCLANG=clang -DSRC=repo -DWORK=dir -P ${CMAKE_CURRENT_LIST_FILE}")
endif()
if(NOT SECONDS)
  set(SECONDS 30)
endif()
# The fixed code gets a fixed number of runs rather than the whole budget:
# enough to show the harness is quiet, short enough for ctest.
if(NOT CONTROL_RUNS)
  set(CONTROL_RUNS 50000)
endif()
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/with_bug ${WORK}/fixed)

foreach(variant with_bug fixed)
  set(ids ${SRC}/core/ids.c)
  if(variant STREQUAL "with_bug")
    set(ids ${SRC}/core/ids_chapter_bug.c)
  endif()
  execute_process(
    COMMAND ${CLANG} -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined
      -I${SRC} -I${SRC}/include
      ${SRC}/fuzz/fuzz_ids.c ${ids} ${SRC}/core/idmap.c
      ${SRC}/core/alloc.c -o ${WORK}/${variant}/fuzz_ids
    RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "building fuzz_ids (${variant}) failed:\n${err}")
  endif()
  file(MAKE_DIRECTORY ${WORK}/${variant}/corpus)
  set(runs 100000000)
  if(variant STREQUAL "fixed")
    set(runs ${CONTROL_RUNS})
  endif()
  execute_process(
    COMMAND ${WORK}/${variant}/fuzz_ids -seed=1 -runs=${runs}
      -max_total_time=${SECONDS} -artifact_prefix=${WORK}/${variant}/
      ${WORK}/${variant}/corpus
    RESULT_VARIABLE rc_${variant} OUTPUT_VARIABLE out ERROR_VARIABLE log_${variant})
  file(GLOB crashes_${variant} ${WORK}/${variant}/crash-*)
endforeach()

if(rc_with_bug EQUAL 0 OR NOT crashes_with_bug)
  message(FATAL_ERROR "fuzz_ids did not find the seeded id bug within ${SECONDS} s "
    "(exit ${rc_with_bug}):\n${log_with_bug}")
endif()
if(NOT log_with_bug MATCHES "handed out twice")
  message(FATAL_ERROR "fuzz_ids crashed, but not on a duplicate id:\n${log_with_bug}")
endif()
if(NOT rc_fixed EQUAL 0 OR crashes_fixed)
  message(FATAL_ERROR "fuzz_ids crashed on the fixed code:\n${log_fixed}")
endif()
list(GET crashes_with_bug 0 crash)
message(STATUS "fuzz_ids found the seeded bug: ${crash}")
