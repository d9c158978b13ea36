# A saved program (tests/programs/) is a regression test both ways: with
# what plants its bug (the file's own fault plan, or FAIL_ARGS) the run must
# fail, with property PROP; without (PASS_ARGS, e.g. --faults '') it must
# pass.
#   cmake -DSIM=nodeloop-sim -DPROGRAM=file -DPROP=net
#         -DPASS_ARGS=--faults= -P saved_program.cmake
execute_process(COMMAND ${SIM} --program ${PROGRAM} ${FAIL_ARGS}
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 1 OR NOT out MATCHES "FAIL seed=[0-9]+ property=${PROP}:")
  message(FATAL_ERROR "${PROGRAM} ${FAIL_ARGS}: exit ${rc}, not a failure "
    "of ${PROP}\n${out}${err}")
endif()
execute_process(COMMAND ${SIM} --program ${PROGRAM} ${PASS_ARGS}
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${PROGRAM} ${PASS_ARGS}: exit ${rc}, not a pass\n"
    "${out}${err}")
endif()
message(STATUS "${PROGRAM}: fails with ${PROP}, passes without the plant")
