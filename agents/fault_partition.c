/* fault_partition.c - cut this node off from peers with nftables: a table
 * campaign_ID of family inet whose input and output chains drop traffic
 * from and to the peers. One `nft -f` transaction adds it; the undo
 * deletes that table and nothing else. */
#include "fault.h"
#include "tool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NFT_MS 10000

static const char *const directions[] = { "both", "in", "out", NULL };

static const struct param_spec params[] = {
	P_LIST("peers", &fmt_ip, 1, 256, "addresses (or prefixes) to cut off", REQ),
	P_ENUM("direction", directions, "both", "drop traffic from the peers (in), "
	       "to them (out), or both"),
	P_NUM("duration_s", 0, 86400, "0", "remove the partition after this long; "
	      "0: until undone"),
	P_END
};

/* "{ a, b }" of the peers of one family, or "" if none. */
static void peer_set(json_t *peers, int v6, char *buf, size_t size)
{
	json_t *p;
	size_t i, len = 0;

	buf[0] = '\0';
	json_array_foreach(peers, i, p) {
		const char *s = json_string_value(p);

		if ((strchr(s, ':') != NULL) != v6)
			continue;
		len += snprintf(buf + len, size > len ? size - len : 0, "%s%s",
				len ? ", " : "{ ", s);
	}
	if (len && len + 3 < size)
		strcat(buf, " }");
}

static void add_rules(char *script, size_t size, const char *dir, const char *v4,
		      const char *v6)
{
	const char *which = !strcmp(dir, "input") ? "saddr" : "daddr";
	size_t len = strlen(script);

	len += snprintf(script + len, size - len,
			"  chain %s {\n    type filter hook %s priority -10; policy accept;\n",
			dir, dir);
	if (v4[0])
		len += snprintf(script + len, size - len, "    ip %s %s counter drop\n", which, v4);
	if (v6[0])
		len += snprintf(script + len, size - len, "    ip6 %s %s counter drop\n", which, v6);
	snprintf(script + len, size - len, "  }\n");
}

/* Rules with their handles, from `nft -a list table`. */
static json_t *parse_rules(const char *listing)
{
	json_t *rules = json_array();
	char chain[64] = "";
	const char *line = listing;

	while (line && *line) {
		const char *end = strchr(line, '\n'), *h;
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char buf[1024];

		snprintf(buf, sizeof(buf), "%.*s", (int)len, line);
		if (sscanf(buf, " chain %63s", chain) == 1) {
			/* chain NAME { # handle N */
		} else if ((h = strstr(buf, " # handle ")) && strstr(buf, "drop")) {
			char *rule = buf + strspn(buf, " \t");

			rule[h - rule] = '\0';
			json_array_append_new(rules, json_pack("{s:s, s:i, s:s}", "chain", chain,
					      "handle", atoi(h + 10), "rule", rule));
		}
		line = end ? end + 1 : NULL;
	}
	return rules;
}

static int list_table(const char *table, char **ret_out, struct agent_err *e)
{
	const char *argv[] = { "nft", "-a", "list", "table", "inet", table, NULL };
	int rc = tool_run(argv, NULL, ret_out, NFT_MS, e);

	if (rc > 0)
		return agent_err_set(e, "nft cannot list table '%s': %s", table,
				     *ret_out ? *ret_out : "");
	return rc;
}

static int apply(struct fault_ctx *c, struct agent_err *e)
{
	const char *dir = param_str(c->params, "direction");
	json_t *peers = json_object_get(c->params, "peers");
	const char *argv[] = { "nft", "-f", "-", NULL };
	char table[64], v4[8192], v6[12288], script[48000], *out = NULL;
	int rc;

	snprintf(table, sizeof(table), "campaign_%s", c->id);
	peer_set(peers, 0, v4, sizeof(v4));
	peer_set(peers, 1, v6, sizeof(v6));
	snprintf(script, sizeof(script), "table inet %s {\n", table);
	if (strcmp(dir, "out"))
		add_rules(script, sizeof(script), "input", v4, v6);
	if (strcmp(dir, "in"))
		add_rules(script, sizeof(script), "output", v4, v6);
	strcat(script, "}\n");
	rc = tool_run(argv, script, &out, NFT_MS, e);
	if (rc != 0) {
		if (rc > 0)
			agent_err_set(e, "nft refused table '%s': %s", table, out ? out : "");
		free(out);
		return -1;
	}
	free(out);
	json_object_set_new(c->state, "table", json_string(table));
	agent_stamp(c->evidence);
	json_object_set_new(c->evidence, "table", json_string(table));
	json_object_set_new(c->evidence, "family", json_string("inet"));
	json_object_set_new(c->evidence, "script", json_string(script));
	if (list_table(table, &out, e) == 0) {
		json_object_set_new(c->evidence, "rules", parse_rules(out));
		json_object_set_new(c->evidence, "listing", json_string(out));
	}
	free(out);
	return 0;
}

static int verify(struct fault_ctx *c, struct agent_err *e)
{
	json_t *rules = json_object_get(c->evidence, "rules");

	if (!json_is_array(rules) || json_array_size(rules) == 0)
		return agent_err_set(e, "table '%s' lists no drop rule",
				     json_string_value(json_object_get(c->state, "table")));
	return 0;
}

static int undo(struct fault_ctx *c, struct agent_err *e)
{
	const char *table = json_string_value(json_object_get(c->state, "table"));
	char want[64], *out = NULL;
	const char *del[] = { "nft", "delete", "table", "inet", table, NULL };
	int rc;

	snprintf(want, sizeof(want), "campaign_%s", c->id);
	if (!table || strcmp(table, want))
		return agent_err_set(e, "undo state names table '%s', not '%s'",
				     table ? table : "", want);
	if (list_table(table, &out, NULL) != 0) {
		free(out);
		json_object_set_new(c->evidence, "action", json_string("none: table absent"));
		return 0;
	}
	free(out);
	out = NULL;
	rc = tool_run(del, NULL, &out, NFT_MS, e);
	if (rc > 0)
		agent_err_set(e, "nft cannot delete table '%s': %s", table, out ? out : "");
	free(out);
	if (rc != 0)
		return -1;
	json_object_set_new(c->evidence, "action", json_string("deleted table"));
	json_object_set_new(c->evidence, "table", json_string(table));
	return 0;
}

const struct fault fault_partition = {
	.name = "partition",
	.summary = "drop traffic to and/or from peer addresses with an nftables "
		   "table of its own (inet family, input and output hooks)",
	.undo_help = "deletes exactly the table campaign_ID it added",
	.params = params,
	.apply = apply,
	.verify = verify,
	.undo = undo,
};
