# `make install` (cmake --install): GNU directories, DESTDIR honoured.
#
#   sbin/mip4d                  the daemon (root's tool, PATH of root only)
#   bin/mip4ctl                 the client: `decode` reads captures as any
#                               user, and members of group mip4d may use
#                               the control socket
#   share/man/man5, man8        the manual pages
#   share/doc/mip4d/examples    the example configurations (with their
#                               example keys, so never under /etc)
#   MIP4_SYSTEMD_UNITDIR        mip4d.service, mip4d@.service
#   MIP4_BASH_COMPLETIONDIR     mip4ctl's completion
#   MIP4_SYSUSERSDIR            the system user mip4d, for systemd-sysusers
include(GNUInstallDirs)

# mip4_dir(VAR DEFAULT PCMODULE PCVARIABLE): where another package's files
# go.  With prefix /usr, what that package's pkg-config file says (on
# Debian 12 /lib/systemd/system for units); otherwise DEFAULT, below the
# prefix (systemd also reads /usr/local/lib/systemd/system).  -DVAR=...
# overrides; VAR is not cached otherwise, so a new prefix moves it too.
function(mip4_dir var default module variable)
  if(DEFINED ${var})
    return()
  endif()
  set(dir ${default})
  if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    pkg_get_variable(pc ${module} ${variable})
    if(pc)
      set(dir ${pc})
    endif()
  endif()
  set(${var} ${dir} PARENT_SCOPE)
endfunction()

mip4_dir(MIP4_SYSTEMD_UNITDIR ${CMAKE_INSTALL_PREFIX}/lib/systemd/system
  systemd systemdsystemunitdir)
mip4_dir(MIP4_BASH_COMPLETIONDIR
  ${CMAKE_INSTALL_FULL_DATADIR}/bash-completion/completions
  bash-completion completionsdir)
mip4_dir(MIP4_SYSUSERSDIR ${CMAKE_INSTALL_PREFIX}/lib/sysusers.d
  systemd sysusersdir)

# The units name the installed daemon and configuration directory.
set(MIP4_SBINDIR ${CMAKE_INSTALL_FULL_SBINDIR})
set(MIP4_SYSCONFDIR ${CMAKE_INSTALL_FULL_SYSCONFDIR})
foreach(unit mip4d.service mip4d@.service)
  configure_file(${CMAKE_SOURCE_DIR}/systemd/${unit}.in
    ${CMAKE_BINARY_DIR}/systemd/${unit} @ONLY)
  install(FILES ${CMAKE_BINARY_DIR}/systemd/${unit}
    DESTINATION ${MIP4_SYSTEMD_UNITDIR})
endforeach()

install(TARGETS mip4d RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
install(TARGETS mip4ctl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES docs/mip4d.conf.5 DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)
install(FILES docs/mip4d.8 docs/mip4ctl.8 DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
install(FILES etc/mip4d-ha.conf etc/mip4d-iha.conf etc/mip4d-fa.conf
  etc/mip4d-mn.conf etc/mip4d-vpnmn.conf
  DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(FILES ctl/mip4ctl.bash RENAME mip4ctl
  DESTINATION ${MIP4_BASH_COMPLETIONDIR})
# The user the units run as (the Debian package's postinst uses adduser
# instead and leaves this file out).
install(FILES systemd/mip4d.sysusers RENAME mip4d.conf
  DESTINATION ${MIP4_SYSUSERSDIR})
