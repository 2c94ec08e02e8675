/* faults_hv.c - hypervisor-side faults: libvirt, the QEMU monitor, and
 * QEMU's gdbstub for bit flips in vCPU registers and guest memory. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "faults.h"
#include "gdbstub.h"

static json_t *state_evidence(struct testbed *tb, const char *node,
			      const char *action)
{
	char *state = NULL;
	json_t *ev;

	testbed_domain_state(tb, node, &state, NULL);
	ev = json_pack("{s:s, s:s, s:s, s:I}", "action", action, "node", node,
		       "state_after", state ? state : "unknown",
		       "wall_ns", (json_int_t)clock_wall_ns());
	free(state);
	return ev;
}

/* A fault that leaves the node broken: restored from the golden snapshot
 * (default), or with "recover": "boot" power-cycled and booted from the
 * disk as the fault left it, as after a real power cut: a restore would
 * roll a stateful SUT's disk back (etcd refuses a rolled-back raft log). */
static void needs_recovery(const struct fault_env *env, struct fault_applied *ret)
{
	const char *how = json_string_value(json_object_get(env->pf->params, "recover"));

	if (how && !strcmp(how, "boot"))
		ret->needs_boot = 1;
	else
		ret->needs_reset = 1;
}

static int vm_crash(const struct fault_env *env, struct fault_applied *ret,
		    struct err *e)
{
	if (testbed_destroy_node(env->tb, env->node->name, e) < 0)
		return -1;
	ret->evidence = state_evidence(env->tb, env->node->name,
				       "virDomainDestroy");
	needs_recovery(env, ret);
	return 0;
}

static int vm_pause(const struct fault_env *env, struct fault_applied *ret,
		    struct err *e)
{
	if (testbed_suspend_node(env->tb, env->node->name, e) < 0)
		return -1;
	ret->evidence = state_evidence(env->tb, env->node->name,
				       "virDomainSuspend");
	ret->undo_token = xstrdup("resume");
	return 0;
}

static int vm_pause_undo(const struct fault_env *env, struct fault_applied *a,
			 json_t **ret_evidence, struct err *e)
{
	(void)a;
	if (testbed_resume_node(env->tb, env->node->name, e) < 0)
		return -1;
	*ret_evidence = state_evidence(env->tb, env->node->name, "virDomainResume");
	return 0;
}

static int vm_reset(const struct fault_env *env, struct fault_applied *ret,
		    struct err *e)
{
	if (testbed_monitor(env->tb, env->node->name, "system_reset", NULL, e) < 0)
		return -1;
	ret->evidence = state_evidence(env->tb, env->node->name,
				       "system_reset");
	needs_recovery(env, ret);	/* the guest reboots without its SUT */
	return 0;
}

static int set_link(const struct fault_env *env, const char *how,
		    json_t **ret_evidence, struct err *e)
{
	char *cmd = xasprintf("set_link cl %s", how);
	char *reply = NULL;
	int r = testbed_monitor(env->tb, env->node->name, cmd, &reply, e);

	if (r == 0 && reply && reply[strspn(reply, " \r\n")])
		r = err_set(e, "cannot set the cluster link of '%s' %s: %s",
			    env->node->name, how, reply);
	if (r == 0)
		*ret_evidence = json_pack("{s:s, s:s, s:s, s:I}", "action", cmd,
					  "node", env->node->name, "link", how,
					  "wall_ns", (json_int_t)clock_wall_ns());
	free(reply);
	free(cmd);
	return r;
}

static int link_down(const struct fault_env *env, struct fault_applied *ret,
		     struct err *e)
{
	if (set_link(env, "off", &ret->evidence, e) < 0)
		return -1;
	ret->undo_token = xstrdup("on");
	return 0;
}

static int link_up(const struct fault_env *env, struct fault_applied *a,
		   json_t **ret_evidence, struct err *e)
{
	(void)a;
	return set_link(env, "on", ret_evidence, e);
}


/* ---- bit flips through QEMU's gdbstub (Gigan) ---- */

#define GDBSTUB_DEADLINE_MS 30000

/* Drawn when no register is named: the general-purpose ones and rip. */
static const char *const random_registers[] = {
	"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9",
	"r10", "r11", "r12", "r13", "r14", "r15", "rip",
};

/* An integer parameter in [min, max], or -1 when absent. */
static int int_param(const struct fault_env *env, const char *name,
		     int64_t min, int64_t max, int64_t *ret, struct err *e)
{
	const json_t *v = json_object_get(env->pf->params, name);

	*ret = -1;
	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max)
		return err_set(e, "parameter '%s' must be an integer in [%" PRId64
			       ", %" PRId64 "]", name, min, max);
	*ret = json_integer_value(v);
	return 0;
}

static char *hex64(uint64_t v)
{
	return xasprintf("0x%016" PRIx64, v);
}

struct flip_times {
	int64_t t0, attached, flipped, released;
};

static void add_times(json_t *ev, const struct flip_times *t, int port)
{
	json_object_set_new(ev, "port", json_integer(port));
	json_object_set_new(ev, "attach_us", json_integer((t->attached - t->t0) / 1000));
	json_object_set_new(ev, "flip_us", json_integer((t->flipped - t->attached) / 1000));
	json_object_set_new(ev, "release_us", json_integer((t->released - t->flipped) / 1000));
	json_object_set_new(ev, "wall_ns", json_integer((json_int_t)clock_wall_ns()));
}

/* Pick the register: named, or drawn among random_registers present. */
static const struct gdbstub_reg *pick_register(const struct gdbstub_regs *regs,
					       const char *name, uint64_t *rng,
					       struct err *e)
{
	const struct gdbstub_reg *cand[sizeof(random_registers) / sizeof(*random_registers)];
	uint64_t draw = plan_next(rng);
	int n = 0;

	if (name && strcmp(name, "random")) {
		const struct gdbstub_reg *r = gdbstub_regs_find(regs, name);

		if (!r)
			err_set(e, "the target has no register '%s'", name);
		return r;
	}
	for (size_t i = 0; i < sizeof(cand) / sizeof(*cand); i++) {
		const struct gdbstub_reg *r = gdbstub_regs_find(regs, random_registers[i]);

		if (r)
			cand[n++] = r;
	}
	if (!n)
		err_set(e, "the target has none of the general-purpose registers");
	return n ? cand[draw % (uint64_t)n] : NULL;
}

/* Flip one bit of one register of one vCPU; fills ev. The stub is attached. */
static int flip_register(const struct fault_env *env, struct gdbstub *g,
			 json_t *ev, struct err *e)
{
	const json_t *rv = json_object_get(env->pf->params, "register");
	const struct gdbstub_reg *reg;
	uint64_t rng = env->pf->seed, before, after, want, draw_vcpu, draw_bit;
	int64_t vcpu, bit;
	long *threads = NULL;
	int n_threads = 0, ret = -1;

	if (rv && !json_is_string(rv))
		return err_set(e, "parameter 'register' must be a register name");
	if (int_param(env, "vcpu", 0, 1023, &vcpu, e) < 0 ||
	    int_param(env, "bit", 0, 63, &bit, e) < 0)
		return -1;
	/* always three draws, in one order: a named value keeps the others */
	draw_vcpu = plan_next(&rng);
	reg = pick_register(gdbstub_registers(g), json_string_value(rv), &rng, e);
	draw_bit = plan_next(&rng);
	if (!reg || gdbstub_threads(g, &threads, &n_threads, e) < 0)
		goto cleanup;
	if (vcpu < 0)
		vcpu = (int64_t)(draw_vcpu % (uint64_t)n_threads);
	if (vcpu >= n_threads) {
		err_set(e, "vcpu %" PRId64 " does not exist: the VM has %d", vcpu, n_threads);
		goto cleanup;
	}
	if (reg->bitsize > 64 || reg->bitsize % 8) {
		err_set(e, "register '%s' has %d bits; only 8..64-bit registers are flipped",
			reg->name, reg->bitsize);
		goto cleanup;
	}
	if (bit < 0)
		bit = (int64_t)(draw_bit % (uint64_t)reg->bitsize);
	if (bit >= reg->bitsize) {
		err_set(e, "register '%s' has %d bits, no bit %" PRId64, reg->name,
			reg->bitsize, bit);
		goto cleanup;
	}
	if (gdbstub_select_thread(g, threads[vcpu], e) < 0 ||
	    gdbstub_read_reg_u64(g, reg, &before, e) < 0)
		goto cleanup;
	want = before ^ (UINT64_C(1) << bit);
	if (gdbstub_write_reg_u64(g, reg, want, e) < 0 ||
	    gdbstub_read_reg_u64(g, reg, &after, e) < 0)
		goto cleanup;
	json_object_set_new(ev, "vcpu", json_integer(vcpu));
	json_object_set_new(ev, "thread", json_integer(threads[vcpu]));
	json_object_set_new(ev, "register", json_string(reg->name));
	json_object_set_new(ev, "regnum", json_integer(reg->regnum));
	json_object_set_new(ev, "bitsize", json_integer(reg->bitsize));
	json_object_set_new(ev, "bit", json_integer(bit));
	json_object_set_new(ev, "before", json_string_nocheck(hex64(before)));
	json_object_set_new(ev, "after", json_string_nocheck(hex64(after)));
	if (after != want) {
		char *a = hex64(after), *w = hex64(want);

		err_set(e, "register '%s' reads back %s after writing %s", reg->name, a, w);
		free(a);
		free(w);
		goto cleanup;
	}
	ret = 0;
cleanup:
	free(threads);
	return ret;
}

/* The guest's RAM in bytes, from the monitor. */
static int memory_size(const struct fault_env *env, uint64_t *ret, struct err *e)
{
	char *reply = NULL, *p;
	unsigned long long n = 0;
	int r;

	r = testbed_monitor(env->tb, env->node->name, "info memory_size_summary",
			    &reply, e);
	if (r == 0) {
		p = strstr(reply, "base memory: ");
		if (!p || sscanf(p + 13, "%llu", &n) != 1 || !n)
			r = err_set(e, "cannot read the memory size of '%s': '%.60s'",
				    env->node->name, reply);
	}
	free(reply);
	*ret = n;
	return r;
}

/* Random addresses avoid the legacy VGA/BIOS hole below 1 MiB and stay
 * in the RAM below 2 GiB that every PC machine type maps at its address. */
#define LOW_RAM_START 0x100000ULL
#define LOW_RAM_END 0x80000000ULL

static int flip_memory(const struct fault_env *env, struct gdbstub *g,
		       uint64_t mem, json_t *ev, struct err *e)
{
	uint64_t rng = env->pf->seed, draw_addr = plan_next(&rng),
		 draw_bit = plan_next(&rng), addr, top = mem < LOW_RAM_END ? mem : LOW_RAM_END;
	int64_t a, bit;
	uint8_t before, after, want;
	int ret = -1;

	if (int_param(env, "address", 0, (int64_t)mem - 1, &a, e) < 0 ||
	    int_param(env, "bit", 0, 7, &bit, e) < 0)
		return -1;
	if (a < 0 && top <= LOW_RAM_START)
		return err_set(e, "the VM has only %" PRIu64 " bytes of memory", mem);
	addr = a >= 0 ? (uint64_t)a : LOW_RAM_START + draw_addr % (top - LOW_RAM_START);
	if (bit < 0)
		bit = (int64_t)(draw_bit % 8);
	if (gdbstub_phys_mode(g, 1, e) < 0)
		return -1;
	if (gdbstub_read_mem(g, addr, &before, 1, e) < 0)
		goto cleanup;
	want = (uint8_t)(before ^ (1u << bit));
	if (gdbstub_write_mem(g, addr, &want, 1, e) < 0 ||
	    gdbstub_read_mem(g, addr, &after, 1, e) < 0)
		goto cleanup;
	json_object_set_new(ev, "address", json_string_nocheck(hex64(addr)));
	json_object_set_new(ev, "bit", json_integer(bit));
	json_object_set_new(ev, "before", json_string_nocheck(xasprintf("0x%02x", before)));
	json_object_set_new(ev, "after", json_string_nocheck(xasprintf("0x%02x", after)));
	json_object_set_new(ev, "memory_bytes", json_integer((json_int_t)mem));
	if (after != want) {
		err_set(e, "byte at 0x%" PRIx64 " reads back 0x%02x after writing 0x%02x",
			addr, after, want);
		goto cleanup;
	}
	ret = 0;
cleanup:
	/* the mode is global in QEMU and outlives this connection */
	if (gdbstub_phys_mode(g, 0, ret < 0 ? NULL : e) < 0)
		ret = -1;
	return ret;
}

/* Attach, flip (register or memory), release whatever happened; the
 * evidence is made only when the flip was read back and the VM runs. */
static int gdb_flip(const struct fault_env *env, struct fault_applied *ret,
		    const char *action, struct err *e)
{
	const char *node = env->node->name;
	int is_mem = !strcmp(action, "guest-mem-bitflip");
	struct flip_times t = { clock_mono_ns(), 0, 0, 0 };
	json_t *ev = json_pack("{s:s, s:s}", "action", action, "node", node);
	struct gdbstub *g = NULL;
	struct err rel = { "" };
	uint64_t mem = 0;
	int port = 0, r;

	r = is_mem ? memory_size(env, &mem, e) : 0;
	if (r == 0)
		r = gdbstub_qemu_attach(env->tb, node, deadline_in_ms(GDBSTUB_DEADLINE_MS),
					&g, &port, e);
	if (r < 0) {
		json_decref(ev);
		return -1;
	}
	t.attached = clock_mono_ns();
	r = is_mem ? flip_memory(env, g, mem, ev, e) : flip_register(env, g, ev, e);
	t.flipped = clock_mono_ns();
	if (gdbstub_qemu_release(env->tb, node, g, &rel) < 0 && r == 0)
		r = err_set(e, "%s", rel.msg);
	t.released = clock_mono_ns();
	if (r < 0) {
		json_decref(ev);
		return -1;
	}
	add_times(ev, &t, port);
	ret->evidence = ev;
	needs_recovery(env, ret);	/* the flipped state stays until then */
	return 0;
}

static int vcpu_bitflip(const struct fault_env *env, struct fault_applied *ret,
			struct err *e)
{
	return gdb_flip(env, ret, "vcpu-bitflip", e);
}

static int guest_mem_bitflip(const struct fault_env *env,
			     struct fault_applied *ret, struct err *e)
{
	return gdb_flip(env, ret, "guest-mem-bitflip", e);
}

static const char *const recover_choices[] = { "snapshot", "boot", NULL };

#define RECOVER_PARAM \
	{ "recover", FAULT_PARAM_ENUM, 0, 0, "\"snapshot\"", recover_choices, \
	  "snapshot: restore the node from the golden snapshot; boot: power-cycle " \
	  "it and boot from its disk as the fault left it, then run testbed.on_boot" }
#define END_PARAMS { NULL, 0, 0, 0, NULL, NULL, NULL }

static const struct fault_param no_params[] = { END_PARAMS };

static const struct fault_param recover_params[] = { RECOVER_PARAM, END_PARAMS };

static const struct fault_param vcpu_bitflip_params[] = {
	RECOVER_PARAM,
	{ "register", FAULT_PARAM_STRING, 1, 32, "\"random\"", NULL,
	  "register name from QEMU's target description (rip, rsp, rax, eflags, "
	  "cr3...); random: one of rax..r15 and rip" },
	{ "bit", FAULT_PARAM_INTEGER, 0, 63, NULL, NULL,
	  "bit to flip, below the register's width; default: seeded random" },
	{ "vcpu", FAULT_PARAM_INTEGER, 0, 1023, NULL, NULL,
	  "vCPU index; default: seeded random among the VM's" },
	END_PARAMS
};

static const struct fault_param guest_mem_bitflip_params[] = {
	RECOVER_PARAM,
	{ "address", FAULT_PARAM_INTEGER, 0, 281474976710655.0, NULL, NULL,
	  "guest physical address, below the VM's memory size; default: seeded "
	  "random in RAM between 1 MiB and min(memory, 2 GiB)" },
	{ "bit", FAULT_PARAM_INTEGER, 0, 7, NULL, NULL,
	  "bit of the byte to flip; default: seeded random" },
	END_PARAMS
};

const struct fault_type faults_hypervisor[] = {
	{ .name = "vm-crash", .side = FAULT_HYPERVISOR,
	  .summary = "destroy the node's VM (virDomainDestroy), as a power cut",
	  .undo = "restored from its golden snapshot, or booted from its disk",
	  .params = recover_params,
	  .apply = vm_crash, .leaves = NODE_DOWN },
	{ .name = "vm-pause", .side = FAULT_HYPERVISOR,
	  .summary = "suspend the node's VM for duration_s (virDomainSuspend)",
	  .undo = "virDomainResume at the end of duration_s", .params = no_params,
	  .apply = vm_pause, .revert = vm_pause_undo, .leaves = NODE_PAUSED },
	{ .name = "vm-reset", .side = FAULT_HYPERVISOR,
	  .summary = "hard-reset the node's VM (QEMU system_reset)",
	  .undo = "restored from its golden snapshot, or booted from its disk",
	  .params = recover_params,
	  .apply = vm_reset, .leaves = NODE_BOOTING },
	{ .name = "link-down", .side = FAULT_HYPERVISOR,
	  .summary = "take the node's cluster NIC link down for duration_s (QEMU set_link)",
	  .undo = "set_link on at the end of duration_s", .params = no_params,
	  .apply = link_down, .revert = link_up, .leaves = NODE_LINK_DOWN },
	/* a flipped bit may wedge the guest or not: it stays "running", and a
	 * guest fault that then fails is recorded as not applied, not infra */
	{ .name = "vcpu-bitflip", .side = FAULT_HYPERVISOR,
	  .summary = "flip one bit of one vCPU register through QEMU's gdbstub (Gigan)",
	  .undo = "restored from its golden snapshot, or booted from its disk",
	  .params = vcpu_bitflip_params,
	  .apply = vcpu_bitflip, .leaves = NODE_RUNNING },
	{ .name = "guest-mem-bitflip", .side = FAULT_HYPERVISOR,
	  .summary = "flip one bit of guest physical memory through QEMU's gdbstub (Gigan)",
	  .undo = "restored from its golden snapshot, or booted from its disk",
	  .params = guest_mem_bitflip_params,
	  .apply = guest_mem_bitflip, .leaves = NODE_RUNNING },
	{ .name = NULL },
};
