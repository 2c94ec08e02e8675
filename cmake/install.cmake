# Installation and the Debian package (issue 14).
#
# Installed, the program finds its companions from its own location
# (orchestrator/util/paths.c): PREFIX/bin/campaign, the programs it runs
# or uploads under PREFIX/lib/campaign in the build tree's layout (what a
# config's "{build}" names), and the image-build scripts, stock recipes
# and example configs under PREFIX/share/campaign.
include(GNUInstallDirs)
set(CAMPAIGN_PROGRAMS_DIR lib/campaign)
set(CAMPAIGN_DATA_DIR ${CMAKE_INSTALL_DATADIR}/campaign)

install(TARGETS campaign RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS campaign-agent RUNTIME DESTINATION ${CAMPAIGN_PROGRAMS_DIR}/agents)
install(TARGETS counterd RUNTIME DESTINATION ${CAMPAIGN_PROGRAMS_DIR}/tests/sut)
install(TARGETS etcd-client-campaign
        RUNTIME DESTINATION ${CAMPAIGN_PROGRAMS_DIR}/workloads/etcd)
if(TARGET redis-sentinel-client)
  install(TARGETS redis-sentinel-client
          RUNTIME DESTINATION ${CAMPAIGN_PROGRAMS_DIR}/workloads/redis-sentinel)
endif()
# Configs run "{build}/orchestrator/campaign check ...": the program itself.
install(CODE "
  set(d \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CAMPAIGN_PROGRAMS_DIR}/orchestrator\")
  file(MAKE_DIRECTORY \"\${d}\")
  file(CREATE_LINK ../../../${CMAKE_INSTALL_BINDIR}/campaign \"\${d}/campaign\" SYMBOLIC)
  message(STATUS \"Installing: \${d}/campaign -> ../../../${CMAKE_INSTALL_BINDIR}/campaign\")
")

install(PROGRAMS scripts/image-build DESTINATION ${CAMPAIGN_DATA_DIR}/scripts)
install(DIRECTORY scripts/image-lib DESTINATION ${CAMPAIGN_DATA_DIR}/scripts
        USE_SOURCE_PERMISSIONS)
install(DIRECTORY workloads/ DESTINATION ${CAMPAIGN_DATA_DIR}/workloads
        USE_SOURCE_PERMISSIONS
        PATTERN CMakeLists.txt EXCLUDE PATTERN "*.c" EXCLUDE)
install(PROGRAMS tests/sut/counterd-supervise DESTINATION ${CAMPAIGN_DATA_DIR}/tests/sut)
install(DIRECTORY configs/ DESTINATION ${CAMPAIGN_DATA_DIR}/configs
        USE_SOURCE_PERMISSIONS)
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)

# cpack -G DEB in a Release build: `scripts/package` (tests/package/).
set(CPACK_PACKAGE_NAME campaign)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "campaign developers <campaign@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "autonomous fault-injection campaigns for distributed systems in QEMU/KVM VMs")
set(CPACK_PACKAGE_DESCRIPTION
    "campaign boots a system under test in QEMU/KVM virtual machines through\n\
libvirt, drives a workload, injects faults, judges each run with oracles,\n\
resets faulty nodes from snapshots and keeps going unattended. It reports\n\
flaws as deduplicated JSON traces, an HTML report, and JUnit for CI.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)   # libvirt0, libssh2-1, libcurl4, ...
# What image-build and the testbeds run on this host. The hypervisor side
# (libvirtd, QEMU) may be another host (testbed.uri), so it is recommended.
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "qemu-utils, jq, busybox-static, dropbear-bin, openssh-client, cpio, kmod, zstd, xz-utils, e2fsprogs")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS
    "libvirt-daemon-system, qemu-system-x86, vde2, mmdebstrap, nftables, iproute2")
set(CPACK_GENERATOR DEB)
include(CPack)
