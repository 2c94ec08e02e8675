# The manual pages campaign(1) and campaign.json(5) and the bash
# completion, written by the program from its own command, option and
# config tables (`campaign man`, `campaign completion`), so that they
# cannot drift from it: <build>/man/ (man -l build/man/campaign.1) and
# <build>/completion/campaign. Included by orchestrator/CMakeLists.txt
# after the campaign target.
set(CAMPAIGN_MAN_DIR ${PROJECT_BINARY_DIR}/man)
set(CAMPAIGN_COMPLETION_DIR ${PROJECT_BINARY_DIR}/completion)
set(CAMPAIGN_DOCS
  ${CAMPAIGN_MAN_DIR}/campaign.1
  ${CAMPAIGN_MAN_DIR}/campaign.json.5
  ${CAMPAIGN_COMPLETION_DIR}/campaign)
add_custom_command(OUTPUT ${CAMPAIGN_DOCS}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CAMPAIGN_MAN_DIR} ${CAMPAIGN_COMPLETION_DIR}
  COMMAND campaign man 1 --out ${CAMPAIGN_MAN_DIR}/campaign.1
  COMMAND campaign man 5 --out ${CAMPAIGN_MAN_DIR}/campaign.json.5
  COMMAND campaign completion bash --out ${CAMPAIGN_COMPLETION_DIR}/campaign
  DEPENDS campaign
  COMMENT "writing the manual pages and the bash completion"
  VERBATIM)
add_custom_target(campaign_docs ALL DEPENDS ${CAMPAIGN_DOCS})

# ---- install: the manual pages and the bash completion only -------------
# (the program's own install rules are elsewhere; keep these together)
include(GNUInstallDirs)
install(FILES ${CAMPAIGN_MAN_DIR}/campaign.1
        DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${CAMPAIGN_MAN_DIR}/campaign.json.5
        DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)
install(FILES ${CAMPAIGN_COMPLETION_DIR}/campaign
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
# ---- end of the man-pages install block ---------------------------------
