/* faults.c - the fault registry. A new fault is one fault_NAME.c file
 * defining `const struct fault fault_NAME` plus one line here. */
#include "fault.h"

#include <string.h>

extern const struct fault fault_process_kill, fault_process_hang,
	fault_reg_bitflip, fault_mem_bitflip, fault_partition, fault_netem,
	fault_disk_full, fault_io_error, fault_syscall_error, fault_clock_skew,
	fault_cpu_hog, fault_mem_pressure, fault_fd_exhaustion;

static const struct fault *const registry[] = {
	&fault_process_kill,
	&fault_process_hang,
	&fault_reg_bitflip,
	&fault_mem_bitflip,
	&fault_partition,
	&fault_netem,
	&fault_disk_full,
	&fault_io_error,
	&fault_syscall_error,
	&fault_clock_skew,
	&fault_cpu_hog,
	&fault_mem_pressure,
	&fault_fd_exhaustion,
	NULL
};

const struct fault *fault_find(const char *name)
{
	for (const struct fault *const *f = registry; *f; f++)
		if (!strcmp((*f)->name, name))
			return *f;
	return NULL;
}

const struct fault *const *fault_all(void)
{
	return registry;
}
