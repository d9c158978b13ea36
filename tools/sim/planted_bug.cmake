# A bug planted in the sim's network (a fault point named sim/plant_*) must
# be caught by the random programs and shrunk to a short program.
#   cmake -DSIM=nodeloop-sim -DPLAN=sim/plant_drop_byte=0.05 -DPROP=net
#         -DMAX_OPS=3 -P planted_bug.cmake
execute_process(
  COMMAND ${SIM} --random --seed 1 --runs 400 --faults ${PLAN}
  OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 1)
  message(FATAL_ERROR "nodeloop-sim exited ${rc}, not 1: the planted bug "
    "(${PLAN}) was not caught\n${out}")
endif()
string(REGEX MATCH "shrunk in [0-9]+ runs: property=${PROP}[^\n]*\n[^\n]*\nmain: \\(([0-9]+) ops\\)"
  shrunk "${out}")
if(shrunk STREQUAL "")
  message(FATAL_ERROR "no failure of property ${PROP} was shrunk\n${out}")
endif()
if(CMAKE_MATCH_1 GREATER ${MAX_OPS})
  message(FATAL_ERROR "shrunk to ${CMAKE_MATCH_1} ops, more than ${MAX_OPS}\n"
    "${shrunk}")
endif()
message(STATUS "${PLAN}: caught, shrunk to ${CMAKE_MATCH_1} ops")
