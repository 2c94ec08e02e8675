# Hypervisor faults (vm-crash, vm-pause, vm-reset, link-down, vcpu-bitflip,
# guest-mem-bitflip) on a 2-node testbed the test brings up and down itself.
integration_test(faults_hv faults_hv.sh RESOURCE_LOCK vms)
