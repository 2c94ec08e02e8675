# The etcd workload (workloads/etcd, configs/etcd.json): a short campaign on
# a real 3-member etcd cluster, and a fault-free history the checker accepts.
integration_test(workload_etcd workload_etcd.sh RESOURCE_LOCK vms)
