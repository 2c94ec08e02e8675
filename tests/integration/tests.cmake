# Integration tests: real libvirt, real QEMU, real SSH. Run from the
# repository root with the built program; one shared testbed fixture.
set(IT ${CMAKE_CURRENT_LIST_DIR})
set(IT_ENV "CAMPAIGN=$<TARGET_FILE:campaign>;CAMPAIGN_AGENT=$<TARGET_FILE:campaign-agent>")

function(integration_test name script)
  add_test(NAME integration.${name} COMMAND sh ${IT}/${script}
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  set_tests_properties(integration.${name} PROPERTIES
    LABELS integration ENVIRONMENT "${IT_ENV}" TIMEOUT 900 ${ARGN})
endfunction()

integration_test(config_errors config_errors.sh)
integration_test(testbed_up testbed_up.sh FIXTURES_SETUP tb3 RESOURCE_LOCK vms)
integration_test(testbed_reset testbed_reset.sh FIXTURES_REQUIRED tb3 RESOURCE_LOCK vms)
integration_test(testbed_hostkey testbed_hostkey.sh FIXTURES_REQUIRED tb3 RESOURCE_LOCK vms)
integration_test(testbed_existing testbed_existing.sh FIXTURES_REQUIRED tb3 RESOURCE_LOCK vms)
integration_test(testbed_down testbed_down.sh FIXTURES_CLEANUP tb3 RESOURCE_LOCK vms)

# The engine on the project's own SUT, sharing one kept testbed.
integration_test(campaign_counter campaign_counter.sh FIXTURES_SETUP counter RESOURCE_LOCK vms)
integration_test(campaign_resume campaign_resume.sh FIXTURES_REQUIRED counter RESOURCE_LOCK vms)
integration_test(campaign_continuous campaign_continuous.sh FIXTURES_REQUIRED counter RESOURCE_LOCK vms)
integration_test(campaign_unattended campaign_unattended.sh FIXTURES_REQUIRED counter RESOURCE_LOCK vms)
integration_test(campaign_shrink campaign_shrink.sh FIXTURES_REQUIRED counter RESOURCE_LOCK vms)
# Scale-out: its own two 2-node testbeds, taken down at its end.
integration_test(campaign_scale campaign_scale.sh RESOURCE_LOCK vms TIMEOUT 1500)
integration_test(counter_down counter_down.sh FIXTURES_CLEANUP counter RESOURCE_LOCK vms)

# docs/own-sut.md followed literally: its files, its commands, what it says
# the reader sees (its own 1-node testbed, up and down by its commands).
integration_test(own_sut own_sut.sh RESOURCE_LOCK vms)

# More integration tests, one .cmake file per area (faults, workloads...),
# each using integration_test() above.
file(GLOB IT_MORE CONFIGURE_DEPENDS ${IT}/*.cmake)
list(REMOVE_ITEM IT_MORE ${IT}/tests.cmake)
foreach(f ${IT_MORE})
  include(${f})
endforeach()
