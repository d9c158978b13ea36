# --chrome-trace on a failing seed writes the trace of its shrunk program,
# replayed, and tests/trace_check.js finds it well formed.
#   cmake -DSIM=nodeloop-sim -DCHECK=trace_check.js -DOUT=file.json
#         -P chrome_trace_failure.cmake
find_program(NODE node)
if(NOT NODE)
  message(STATUS "SKIP: node is not installed; it checks the trace")
  return()
endif()
file(REMOVE ${OUT})
execute_process(
  COMMAND ${SIM} --random --seed 11 --faults sim/plant_drop_byte=0.05
    --chrome-trace ${OUT}
  OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 1 OR NOT out MATCHES "chrome trace: ")
  message(FATAL_ERROR "seed 11 did not fail with a trace (exit ${rc})\n${out}")
endif()
execute_process(COMMAND ${NODE} ${CHECK} ${OUT}
  OUTPUT_VARIABLE check ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "trace_check.js: ${check}${err}")
endif()
message(STATUS "${check}")
