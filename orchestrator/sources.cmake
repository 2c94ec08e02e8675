# The core library's sources: every .c under orchestrator/<part>/ and
# reports/ except the program's main, the report's assets embedded at
# build time, and the include folders (one per part). Used by the program
# and unit tests (orchestrator/CMakeLists.txt) and by the fuzz build.
set(CAMPAIGN_PARTS checkers cmd config engine faults oracles results ssh testbed util)
set(CAMPAIGN_CORE_INCLUDES ${PROJECT_SOURCE_DIR}/reports)
set(CAMPAIGN_CORE_SOURCES)
foreach(part ${CAMPAIGN_PARTS})
  list(APPEND CAMPAIGN_CORE_INCLUDES ${PROJECT_SOURCE_DIR}/orchestrator/${part})
  file(GLOB part_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/orchestrator/${part}/*.c)
  list(APPEND CAMPAIGN_CORE_SOURCES ${part_sources})
endforeach()
file(GLOB report_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/reports/*.c)
list(APPEND CAMPAIGN_CORE_SOURCES ${report_sources})
list(REMOVE_ITEM CAMPAIGN_CORE_SOURCES ${PROJECT_SOURCE_DIR}/orchestrator/cmd/main.c)

# The report's assets, as files, embedded at build time.
file(GLOB REPORT_ASSETS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/reports/assets/*)
set(REPORT_ASSETS_C ${CMAKE_CURRENT_BINARY_DIR}/report_assets.c)
string(REPLACE ";" "|" REPORT_ASSETS_ARG "${REPORT_ASSETS}")
add_custom_command(OUTPUT ${REPORT_ASSETS_C}
  COMMAND ${CMAKE_COMMAND} -DOUT=${REPORT_ASSETS_C} "-DASSETS=${REPORT_ASSETS_ARG}"
          -P ${PROJECT_SOURCE_DIR}/reports/embed.cmake
  DEPENDS ${REPORT_ASSETS} ${PROJECT_SOURCE_DIR}/reports/embed.cmake
  COMMENT "embedding the report's assets" VERBATIM)
list(APPEND CAMPAIGN_CORE_SOURCES ${REPORT_ASSETS_C})
