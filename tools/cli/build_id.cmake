# Writes OUT, a header defining NDL_BUILD_ID: the git commit of SOURCE_DIR
# (git describe --always --dirty --abbrev=12), or "unknown" outside a git
# checkout. Runs on every build (the ndl_build_id target) and rewrites OUT
# only when the value changes, so nothing recompiles or relinks otherwise.
#
#   cmake -DSOURCE_DIR=... -DOUT=.../build_id.h -P build_id.cmake
set(id unknown)
find_package(Git QUIET)
if(GIT_FOUND)
  execute_process(
    COMMAND ${GIT_EXECUTABLE} -C ${SOURCE_DIR} describe --always --dirty
      --abbrev=12
    OUTPUT_VARIABLE described OUTPUT_STRIP_TRAILING_WHITESPACE
    RESULT_VARIABLE rc ERROR_QUIET)
  if(rc EQUAL 0 AND NOT described STREQUAL "")
    set(id ${described})
  endif()
endif()
set(text "#define NDL_BUILD_ID \"${id}\"\n")
set(old "")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT old STREQUAL text)
  file(WRITE ${OUT} "${text}")
endif()
