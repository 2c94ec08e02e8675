/* cmd_faults.c - `campaign faults [--json]`: the fault catalogue. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "faults.h"
#include "log.h"

struct faults_args {
	int json;
};

static const struct option_spec faults_options[] = {
	OPT_FLAG(0, "json", struct faults_args, json,
		 "the catalogue as JSON (each parameter's type, bounds, default)"),
	OPT_END(),
};

static const struct options_cmd faults_cmd = {
	"faults", "faults [options]", faults_options, 0, 0,
};

static int cmd_faults(int argc, char **argv)
{
	struct faults_args a = { 0 };
	struct err e = { "" };
	json_t *cat, *f, *p;
	size_t i, k;
	int status;

	if (command_options(&faults_cmd, &argc, argv, &a, &status) < 0)
		return status;
	if (!(cat = faults_catalogue(&e))) {
		log_error("%s", e.msg);
		return EXIT_INFRA;
	}
	if (a.json) {
		char *text = json_dumps(cat, JSON_INDENT(2));

		puts(text);
		free(text);
	} else {
		json_array_foreach(cat, i, f) {
			printf("%-18s %-10s %s\n",
			       json_string_value(json_object_get(f, "name")),
			       json_string_value(json_object_get(f, "side")),
			       json_string_value(json_object_get(f, "summary")));
			json_array_foreach(json_object_get(f, "params"), k, p)
				printf("%-18s %-10s   %s: %s\n", "", "",
				       json_string_value(json_object_get(p, "name")),
				       json_string_value(json_object_get(p, "help")));
			printf("%-18s %-10s   undo: %s\n", "", "",
			       json_string_value(json_object_get(f, "undo")));
		}
	}
	json_decref(cat);
	return EXIT_OK;
}

static const struct options_cmd *const faults_forms[] = { &faults_cmd, NULL };

const struct command command_faults = {
	"faults", cmd_faults, "list the fault catalogue", faults_forms,
};
