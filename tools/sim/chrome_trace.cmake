# A tool's --chrome-trace writes a trace that tests/trace_check.js finds
# well formed, and the tool exits as expected (1 for a failing seed).
#   cmake "-DRUN=nodeloop-sim;--random;--seed;11;..." -DRC=1
#         -DCHECK=trace_check.js -DOUT=file.json -P chrome_trace.cmake
find_program(NODE node)
if(NOT NODE)
  message(STATUS "SKIP: node is not installed; it checks the trace")
  return()
endif()
file(REMOVE ${OUT})
execute_process(COMMAND ${RUN} --chrome-trace ${OUT}
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL ${RC} OR NOT EXISTS ${OUT})
  message(FATAL_ERROR "exit ${rc}, not ${RC}, or no trace\n${out}${err}")
endif()
execute_process(COMMAND ${NODE} ${CHECK} ${OUT}
  OUTPUT_VARIABLE check ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "trace_check.js: ${check}${err}")
endif()
message(STATUS "${check}")
