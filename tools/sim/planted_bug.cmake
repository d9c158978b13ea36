# A bug planted in the sim's network (a fault point named sim/plant_*) must
# be caught by the random programs, shrunk with its plan to a short program
# and a plan of few points, saved, and replayed from the file: failing
# under the saved plan, passing without it.
#   cmake -DSIM=nodeloop-sim -DPLAN=sim/plant_drop_byte=0.05 -DPROP=net
#         -DMAX_OPS=3 -DMAX_POINTS=1 -DWORK=dir -P planted_bug.cmake
file(MAKE_DIRECTORY ${WORK})
set(saved ${WORK}/shrunk.prog)
file(REMOVE ${saved})
execute_process(
  COMMAND ${SIM} --random --seed 1 --runs 400 --faults ${PLAN}
    --shrink-max 1 --save-program ${saved}
  OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 1)
  message(FATAL_ERROR "nodeloop-sim exited ${rc}, not 1: the planted bug "
    "(${PLAN}) was not caught\n${out}")
endif()
string(REGEX MATCH "shrunk in [0-9]+ runs: property=${PROP}[^\n]*\nconfig:[^\n]*\n(faults: ([^\n]*)\n)?main: \\(([0-9]+) ops\\)"
  shrunk "${out}")
if(shrunk STREQUAL "")
  message(FATAL_ERROR "no failure of property ${PROP} was shrunk\n${out}")
endif()
set(plan "${CMAKE_MATCH_2}")
set(ops ${CMAKE_MATCH_3})
if(ops GREATER ${MAX_OPS})
  message(FATAL_ERROR "shrunk to ${ops} ops, more than ${MAX_OPS}\n"
    "${shrunk}")
endif()
string(REPLACE "," ";" points "${plan}")
list(LENGTH points npoints)
if(npoints GREATER ${MAX_POINTS} OR npoints EQUAL 0)
  message(FATAL_ERROR "shrunk to a plan of ${npoints} points ('${plan}'), "
    "not 1 to ${MAX_POINTS}\n${shrunk}")
endif()
# The saved file replays the failure, and without the plan passes.
execute_process(COMMAND ${SIM} --program ${saved}
  OUTPUT_VARIABLE replay RESULT_VARIABLE rc)
if(NOT rc EQUAL 1 OR NOT replay MATCHES "property=${PROP}")
  message(FATAL_ERROR "the saved program did not fail with ${PROP} (exit "
    "${rc})\n${replay}")
endif()
execute_process(COMMAND ${SIM} --program ${saved} --faults ""
  OUTPUT_VARIABLE replay RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the saved program failed (exit ${rc}) without its "
    "plan\n${replay}")
endif()
message(STATUS "${PLAN}: caught, shrunk to ${ops} ops and plan '${plan}', "
  "saved and replayed")
