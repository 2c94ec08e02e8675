#include "accel.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int cpu_has_virt_flags(const char *cpuinfo)
{
	char line[4096];
	int found = 0;
	FILE *f = fopen(cpuinfo, "re");

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		found = strstr(line, " vmx") || strstr(line, " svm");
	}
	fclose(f);
	return found;
}

static int kvm_opens(const char *kvm_dev)
{
	int fd = open(kvm_dev, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

int accel_choose(enum accel wish, const char *kvm_dev, const char *cpuinfo,
		 char *reason, size_t reason_size)
{
	int opens, flags;

	if (wish == ACCEL_TCG) {
		snprintf(reason, reason_size, "tcg requested by the config");
		return 0;
	}
	opens = kvm_opens(kvm_dev);
	flags = cpu_has_virt_flags(cpuinfo);
	if (wish == ACCEL_KVM) {
		snprintf(reason, reason_size, "kvm requested by the config%s",
			 opens ? "" : " (warning: cannot open /dev/kvm)");
		return 1;
	}
	if (opens && flags) {
		snprintf(reason, reason_size,
			 "kvm: %s opens and the cpu has vmx/svm", kvm_dev);
		return 1;
	}
	snprintf(reason, reason_size, "tcg: %s",
		 !opens ? "kvm device does not open"
			: "kvm device opens but the cpu shows no vmx/svm "
			  "(nested paravirtual kvm, guests would hang)");
	return 0;
}
