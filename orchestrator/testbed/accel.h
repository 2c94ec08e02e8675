/* accel.h - choose between KVM and TCG. */
#ifndef CAMPAIGN_ACCEL_H
#define CAMPAIGN_ACCEL_H

#include <stddef.h>

#include "config.h"

/* Decide the accelerator for a wish (auto, kvm, tcg). KVM only when
 * /dev/kvm opens read-write *and* the CPU flags show vmx or svm: on a
 * nested paravirtual KVM without them, guests hang in early boot.
 * Returns 1 for KVM, 0 for TCG; reason (size >= 128) says why. */
int accel_choose(enum accel wish, const char *kvm_dev, const char *cpuinfo,
		 char *reason, size_t reason_size);

#endif
