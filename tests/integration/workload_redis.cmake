# The Redis Sentinel workload: its campaign on a real 3-node testbed.
integration_test(workload_redis workload_redis.sh RESOURCE_LOCK vms)
