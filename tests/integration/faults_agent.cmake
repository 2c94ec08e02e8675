# Every agent fault on a real 3-node testbed of the tiny image: applied,
# checked from outside the agent, undone, checked restored. Brings its own
# testbed (tests/integration/configs/fa.json) up and down.
integration_test(faults_agent faults_agent.sh RESOURCE_LOCK vms)
