# cmake --install: the shared and static libraries without fault points
# (nodeloop::nodeloop, nodeloop::nodeloop_static, nodeloop.pc), with
# NDL_FAULTS also the static library with them (the component faults:
# nodeloop::faults, nodeloop-faults.pc), the public headers and
# nodeloopConfig.cmake.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)
set(NDL_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/nodeloop)

# ndl_install_targets(EXPORT TARGETS...)
function(ndl_install_targets export)
  install(TARGETS ${ARGN} EXPORT ${export}
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(EXPORT ${export} NAMESPACE nodeloop:: DESTINATION ${NDL_CMAKE_DIR})
endfunction()

# ndl_pkg_config(NAME DESCRIPTION REQUIRES LIBS LIBS_PRIVATE): NAME.pc,
# relocatable.
file(RELATIVE_PATH NDL_PC_UP
  /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
function(ndl_pkg_config NDL_PC_NAME NDL_PC_DESCRIPTION NDL_PC_REQUIRES
    NDL_PC_LIBS NDL_PC_LIBS_PRIVATE)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/nodeloop.pc.in
    ${PROJECT_BINARY_DIR}/${NDL_PC_NAME}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/${NDL_PC_NAME}.pc
    DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endfunction()

set(NDL_PC_ABOUT "Node.js's event loop in C11, with a simulated platform")
ndl_install_targets(nodeloopTargets nodeloop_shared nodeloop_static)
set(ndl_pc_uring_lib "")
set(ndl_pc_uring_pkg "")
if(NDL_IO_URING)
  set(ndl_pc_uring_lib " -luring")
  set(ndl_pc_uring_pkg " liburing")
endif()
ndl_pkg_config(nodeloop "${NDL_PC_ABOUT}" "" "-lnodeloop"
  "-pthread${ndl_pc_uring_lib}")
if(NDL_FAULTS)
  ndl_install_targets(nodeloopFaultsTargets nodeloop_faults)
  install(FILES cmake/FindFIU.cmake DESTINATION ${NDL_CMAKE_DIR})
  # Static only, so everything it needs is in Libs, and libfiu (its own
  # libfiu.pc says where it is) in Requires.
  ndl_pkg_config(nodeloop-faults "${NDL_PC_ABOUT}, and libfiu fault points"
    "libfiu${ndl_pc_uring_pkg}" "-lnodeloop-faults -pthread" "")
endif()
install(FILES include/nodeloop.h include/nodeloop_value.h include/nodeloop_trace.h
  include/nodeloop_sim.h include/nodeloop_net.h include/nodeloop_faults.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

configure_package_config_file(cmake/nodeloopConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/nodeloopConfig.cmake
  INSTALL_DESTINATION ${NDL_CMAKE_DIR})
write_basic_package_version_file(
  ${CMAKE_CURRENT_BINARY_DIR}/nodeloopConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/nodeloopConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/nodeloopConfigVersion.cmake
  DESTINATION ${NDL_CMAKE_DIR})
