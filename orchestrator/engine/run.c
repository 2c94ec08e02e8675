/* run.c - what every phase of a run uses: the timeline, the template
 * variables, and letting go of the run's state. */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "nodevars.h"
#include "run.h"

void run_event(struct run_ctx *r, const char *event, json_t *fields)
{
	run_event_at(r, run_now(r), event, fields);
}

void run_event_at(struct run_ctx *r, int64_t t_ms, const char *event,
		  json_t *fields)
{
	json_t *ev = fields ? fields : json_object();
	char wall[32];

	clock_format_wall(clock_wall_ns() - (run_now(r) - t_ms) * 1000000, wall);
	json_object_set_new(ev, "t_ms", json_integer(t_ms));
	json_object_set_new(ev, "wall", json_string(wall));
	json_object_set_new(ev, "event", json_string(event));
	json_array_append_new(r->timeline, ev);
}

const char *run_lookup(void *arg, const char *name)
{
	struct run_ctx *r = arg;

	buf_reset(&r->scratch);
	if (!strcmp(name, "run.dir"))
		buf_adds(&r->scratch, r->run_dir);
	else if (!strcmp(name, "run.n"))
		buf_addf(&r->scratch, "%d", r->plan->run);
	else if (!strcmp(name, "seed"))
		buf_addf(&r->scratch, "%llu", (unsigned long long)r->plan->seed);
	else if (nodevars_lookup_nodes(&r->cfg->testbed, r->h->nodes, r->n_nodes,
				       r->cur_node, name, &r->scratch) < 0)
		return NULL;
	return r->scratch.data;
}

void run_ctx_release(struct run_ctx *r)
{
	if (r->probing || r->n_targets)
		r->h->ops->probes_free(r->h);
	for (int i = 0; i < r->n_targets; i++)
		free(r->target_text[i]);
	free(r->target_text);
	free(r->targets);
	for (int k = 0; r->faults && k < r->plan->n_faults; k++) {
		fault_applied_release(&r->faults[k].applied);
		json_decref(r->faults[k].undo_evidence);
		free(r->faults[k].target_how);
		free(r->faults[k].why);
		json_decref(r->faults[k].target_answers);
	}
	free(r->faults);
	free(r->nodes);
	free(r->restored);
	for (int i = 0; r->alive_detail && i < r->n_nodes; i++)
		free(r->alive_detail[i]);
	free(r->alive_detail);
	free(r->alive);
	free(r->vanished);
	json_decref(r->timeline);
	json_decref(r->phases);
	json_decref(r->resets);
	buf_release(&r->scratch);
	memset(r, 0, sizeof(*r));
}
