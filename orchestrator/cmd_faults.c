/* cmd_faults.c - `campaign faults [--json]`: the fault catalogue. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "faults.h"
#include "log.h"

int cmd_faults(int argc, char **argv)
{
	int json = argc > 1 && !strcmp(argv[1], "--json");
	struct err e = { "" };
	json_t *cat = faults_catalogue(&e), *f, *p;
	size_t i, k;

	if (!cat) {
		log_error("%s", e.msg);
		return EXIT_INFRA;
	}
	if (json) {
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
