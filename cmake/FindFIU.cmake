# libfiu, for the fault points of nodeloop's fault-injecting build: defines
# the imported target FIU::fiu. Used by nodeloop's own build, and installed
# next to nodeloopConfig.cmake for the nodeloop::faults component.
find_path(FIU_INCLUDE_DIR fiu.h)
find_library(FIU_LIBRARY fiu)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(FIU REQUIRED_VARS FIU_LIBRARY FIU_INCLUDE_DIR)
mark_as_advanced(FIU_INCLUDE_DIR FIU_LIBRARY)
if(FIU_FOUND AND NOT TARGET FIU::fiu)
  add_library(FIU::fiu UNKNOWN IMPORTED)
  set_target_properties(FIU::fiu PROPERTIES IMPORTED_LOCATION "${FIU_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${FIU_INCLUDE_DIR}")
endif()
