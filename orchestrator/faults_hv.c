/* faults_hv.c - hypervisor-side faults: libvirt and the QEMU monitor. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "faults.h"

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

static int vm_crash(const struct fault_env *env, struct fault_applied *ret,
		    struct err *e)
{
	if (testbed_destroy_node(env->tb, env->node->name, e) < 0)
		return -1;
	ret->evidence = state_evidence(env->tb, env->node->name,
				       "virDomainDestroy");
	ret->needs_reset = 1;
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
	ret->needs_reset = 1;	/* the guest reboots without its SUT */
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

const struct fault_type faults_hypervisor[] = {
	{ "vm-crash", FAULT_HYPERVISOR,
	  "destroy the node's VM (virDomainDestroy), as a power cut",
	  "the node is restored from its golden snapshot", "[]",
	  vm_crash, NULL },
	{ "vm-pause", FAULT_HYPERVISOR,
	  "suspend the node's VM for duration_s (virDomainSuspend)",
	  "virDomainResume at the end of duration_s", "[]",
	  vm_pause, vm_pause_undo },
	{ "vm-reset", FAULT_HYPERVISOR,
	  "hard-reset the node's VM (QEMU system_reset)",
	  "the node is restored from its golden snapshot", "[]",
	  vm_reset, NULL },
	{ "link-down", FAULT_HYPERVISOR,
	  "take the node's cluster NIC link down for duration_s (QEMU set_link)",
	  "set_link on at the end of duration_s", "[]",
	  link_down, link_up },
	{ NULL, 0, NULL, NULL, NULL, NULL, NULL },
};
