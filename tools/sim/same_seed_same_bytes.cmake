# Runs nodeloop-sim --random twice for each case and checks that the two runs
# print the same bytes, on stdout and in the --trace file: a seed must replay
# exactly. The seeds_per_s figure, the one wall-clock number, is masked.
#
#   cmake -DSIM=path/to/nodeloop-sim -DWORK=scratch/dir -P same_seed_same_bytes.cmake
if(NOT SIM OR NOT WORK)
  message(FATAL_ERROR "usage: cmake -DSIM=nodeloop-sim -DWORK=dir -P ${CMAKE_CURRENT_LIST_FILE}")
endif()
file(MAKE_DIRECTORY ${WORK})

# Each case: the arguments after --random, and the exit code it must have.
set(cases
  "--seed 42|0"
  "--seed 1 --runs 300|0"
  "--seed 95395|0"
  "--seed 1 --runs 12 --plant-max-timers 2|1")

set(n 0)
foreach(case IN LISTS cases)
  string(REPLACE "|" ";" parts "${case}")
  list(GET parts 0 args)
  list(GET parts 1 want_rc)
  separate_arguments(args)
  foreach(run a b)
    execute_process(COMMAND ${SIM} --random ${args} --trace ${WORK}/${n}${run}.trace
      OUTPUT_VARIABLE out_${run} ERROR_VARIABLE err_${run}
      RESULT_VARIABLE rc_${run})
    string(REGEX REPLACE "seeds_per_s=[0-9]+" "seeds_per_s=R" out_${run} "${out_${run}}")
  endforeach()
  if(NOT rc_a EQUAL want_rc OR NOT rc_b EQUAL want_rc)
    message(FATAL_ERROR "--random ${args}: exit codes ${rc_a} and ${rc_b}, want ${want_rc}\n${out_a}${err_a}")
  endif()
  if(NOT out_a STREQUAL out_b)
    file(WRITE ${WORK}/${n}a.out "${out_a}")
    file(WRITE ${WORK}/${n}b.out "${out_b}")
    message(FATAL_ERROR "--random ${args}: two runs printed different output; see ${WORK}/${n}a.out and ${n}b.out")
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${WORK}/${n}a.trace ${WORK}/${n}b.trace
    RESULT_VARIABLE same)
  if(NOT same EQUAL 0)
    message(FATAL_ERROR "--random ${args}: two runs wrote different traces: ${WORK}/${n}a.trace, ${n}b.trace")
  endif()
  # Exactly one summary line, last; a failure names its replay command.
  string(REGEX MATCHALL "runs=[0-9]+ failures=[0-9]+ seeds_per_s=R\n" summaries "${out_a}")
  list(LENGTH summaries nsum)
  if(NOT nsum EQUAL 1 OR NOT out_a MATCHES "runs=[0-9]+ failures=[0-9]+ seeds_per_s=R\n$")
    message(FATAL_ERROR "--random ${args}: want one summary line at the end:\n${out_a}")
  endif()
  if(want_rc EQUAL 1 AND NOT out_a MATCHES "\nreplay: nodeloop-sim --random --seed [0-9]+ --runs 1 --plant-max-timers 2  # build [^\n]+\n")
    message(FATAL_ERROR "--random ${args}: a failure must print its replay command:\n${out_a}")
  endif()
  math(EXPR n "${n} + 1")
endforeach()
message(STATUS "${n} cases: same seed, same bytes")
