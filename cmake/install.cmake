# cmake --install: the library, the public headers, nodeloopConfig.cmake
# with the namespaced target nodeloop::nodeloop, and nodeloop.pc.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS nodeloop ndl_faults EXPORT nodeloopTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES include/nodeloop.h include/nodeloop_net.h
  include/nodeloop_faults.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT nodeloopTargets NAMESPACE nodeloop::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/nodeloop)

configure_package_config_file(cmake/nodeloopConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/nodeloopConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/nodeloop)
write_basic_package_version_file(
  ${CMAKE_CURRENT_BINARY_DIR}/nodeloopConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/nodeloopConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/nodeloopConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/nodeloop)

# From <prefix>/<libdir>/pkgconfig back up to <prefix>.
file(RELATIVE_PATH NDL_PC_UP
  /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
if(NDL_FAULTS)
  set(NDL_PC_FIU "-lfiu")
endif()
configure_file(cmake/nodeloop.pc.in ${CMAKE_CURRENT_BINARY_DIR}/nodeloop.pc
  @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/nodeloop.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
