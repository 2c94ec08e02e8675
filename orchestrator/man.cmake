# The manual pages campaign(1) and campaign.json(5), written by the
# program from its own command, option and config tables (`campaign
# man`), so that they cannot drift from it: <build>/man/ (man -l
# build/man/campaign.1). Included by orchestrator/CMakeLists.txt after
# the campaign target.
set(CAMPAIGN_MAN_DIR ${PROJECT_BINARY_DIR}/man)
set(CAMPAIGN_DOCS
  ${CAMPAIGN_MAN_DIR}/campaign.1
  ${CAMPAIGN_MAN_DIR}/campaign.json.5)
add_custom_command(OUTPUT ${CAMPAIGN_DOCS}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CAMPAIGN_MAN_DIR}
  COMMAND campaign man 1 --out ${CAMPAIGN_MAN_DIR}/campaign.1
  COMMAND campaign man 5 --out ${CAMPAIGN_MAN_DIR}/campaign.json.5
  DEPENDS campaign
  COMMENT "writing the manual pages"
  VERBATIM)
add_custom_target(campaign_docs ALL DEPENDS ${CAMPAIGN_DOCS})

# ---- install: the manual pages only -------------------------------------
# (the program's own install rules are elsewhere; keep these together)
include(GNUInstallDirs)
install(FILES ${CAMPAIGN_MAN_DIR}/campaign.1
        DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${CAMPAIGN_MAN_DIR}/campaign.json.5
        DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)
# ---- end of the man-pages install block ---------------------------------
