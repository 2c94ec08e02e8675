/* completion.c - the bash completion script: the tables as shell data
 * (every word through shell_quote), then one fixed function that reads
 * them. */
#include "completion.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "ssh.h"

#define MAX_SLOTS 8

/* The positional arguments of a form: each slot's kind ("c", or "w:" and
 * words separated by ','), and the kind of those after them (a "DIR..."). */
struct slots {
	struct buf slot[MAX_SLOTS];
	char rest;
};

/* What a value named name is: c a config, f a file, d a directory, m a
 * command, '-' anything else. */
static char kind_of(const char *name, size_t len)
{
	static const struct { const char *name; char kind; } kinds[] = {
		{ "CONFIG", 'c' }, { "FILE", 'f' }, { "HISTORY", 'f' },
		{ "OUT", 'd' }, { "COMMAND", 'm' },
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strlen(kinds[i].name) == len && !strncmp(name, kinds[i].name, len))
			return kinds[i].kind;
	return len >= 3 && !strncmp(name + len - 3, "DIR", 3) ? 'd' : '-';
}

/* "up|status": words to type, not a placeholder. */
static int is_words(const char *s, size_t len)
{
	return len && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789|-") >= len &&
	       s[0] != '-' && s[0] != '|';
}

static void slot_add(struct buf *slot, const char *tok, size_t len)
{
	if (is_words(tok, len)) {
		if (strncmp(slot->data, "w:", 2)) {
			buf_reset(slot);
			buf_adds(slot, "w:");
		} else {
			buf_addch(slot, ',');
		}
		for (size_t i = 0; i < len; i++)
			buf_addch(slot, tok[i] == '|' ? ',' : tok[i]);
	} else if (!slot->len || !strcmp(slot->data, "-")) {
		buf_reset(slot);
		buf_addch(slot, kind_of(tok, len));
	}
}

/* The option of cmd written as the len bytes of word, if it takes a value. */
static const struct option_spec *value_option(const struct options_cmd *cmd,
					      const char *word, size_t len)
{
	for (const struct option_spec *o = cmd->options; o->type != OPTION_END; o++)
		if (o->arg_name && o->long_name && len == strlen(o->long_name) + 2 &&
		    !strncmp(word + 2, o->long_name, len - 2))
			return o;
	return NULL;
}

/* The next word of a usage line at *p ("[...]" is one), its length in
 * *len; NULL at the end. */
static const char *next_word(const char **p, size_t *len)
{
	const char *w = *p + strspn(*p, " "), *close;

	if (!*w)
		return NULL;
	close = *w == '[' ? strchr(w, ']') : NULL;
	*len = close ? (size_t)(close - w + 1) : strcspn(w, " ");
	*p = w + *len;
	return w;
}

/* The positional arguments of one usage line of cmd. */
static void usage_slots(const struct options_cmd *cmd, const char *line,
			struct slots *s)
{
	const char *p = line, *w;
	size_t len, k = 0, skip = 1;

	for (const char *c = cmd->name; *c; c++)
		skip += *c == ' ';
	while ((w = next_word(&p, &len))) {
		if (skip) {
			skip--;
			continue;
		}
		if (*w == '[') {
			w++;
			len -= 2;
			if (*w == '-' || (len == 7 && !strncmp(w, "options", 7)))
				continue;
		} else if (*w == '-') {
			if (value_option(cmd, w, len))
				next_word(&p, &len);
			continue;
		}
		if (len > 3 && !strncmp(w + len - 3, "...", 3)) {
			len -= 3;
			s->rest = kind_of(w, len);
		}
		if (k < MAX_SLOTS)
			slot_add(&s->slot[k++], w, len);
	}
}

static void quoted(struct buf *out, const char *var, const char *value)
{
	buf_addf(out, " %s=", var);
	shell_quote(out, value);
}

static void add_option(struct buf *words, struct buf *values,
		       const struct option_spec *o)
{
	char name[80];

	for (int pass = 0; pass < 2; pass++) {
		if (pass ? !o->long_name : !o->short_name)
			continue;
		if (pass)
			snprintf(name, sizeof(name), "--%s", o->long_name);
		else
			snprintf(name, sizeof(name), "-%c", o->short_name);
		buf_addf(words, "%s%s", words->len ? " " : "", name);
		if (o->arg_name)
			buf_addf(values, "%s%s=%c", values->len ? " " : "", name,
				 kind_of(o->arg_name, strlen(o->arg_name)));
	}
}

/* One "case" branch: what the completion knows of cmd; subs: the words
 * of its subcommands, "" for none. */
static void form(struct buf *out, const struct options_cmd *cmd, const char *subs)
{
	struct buf opts = BUF_INIT, values = BUF_INIT, args = BUF_INIT;
	struct slots s = { .rest = 0 };
	char *line = xstrdup(cmd->usage), *next, rest[2] = { 0, 0 };

	for (int k = 0; k < MAX_SLOTS; k++)
		buf_init(&s.slot[k]);
	for (const struct option_spec *o = cmd->options; o->type != OPTION_END; o++)
		add_option(&opts, &values, o);
	add_option(&opts, &values, &options_help);
	for (char *l = line; l; l = next) {
		next = strchr(l, '\n');
		if (next)
			*next++ = '\0';
		usage_slots(cmd, l, &s);
	}
	for (int k = 0; k < MAX_SLOTS && s.slot[k].len; k++)
		buf_addf(&args, "%s%s", k ? " " : "", s.slot[k].data);
	rest[0] = s.rest;
	buf_adds(out, "\t");
	shell_quote(out, cmd->name);
	buf_adds(out, ")");
	quoted(out, "o", opts.data);
	quoted(out, "v", values.data);
	quoted(out, "a", args.data);
	quoted(out, "r", rest);
	buf_addf(out, " s=%d", cmd->stop_after);
	quoted(out, "u", subs);
	buf_adds(out, " ;;\n");
	for (int k = 0; k < MAX_SLOTS; k++)
		buf_release(&s.slot[k]);
	buf_release(&opts);
	buf_release(&values);
	buf_release(&args);
	free(line);
}

/* The command c: one branch, or one for c with its subcommands as words
 * and one for each of them ("image build"). */
static void command_forms(struct buf *out, const struct command *c)
{
	static const struct option_spec no_options[] = { OPT_END() };
	struct buf subs = BUF_INIT;
	struct options_cmd top = { c->name, c->name, no_options, 0, -1 };

	if (!strcmp(c->forms[0]->name, c->name)) {
		form(out, c->forms[0], "");
		return;
	}
	for (const struct options_cmd *const *f = c->forms; *f; f++)
		buf_addf(&subs, "%s%s", subs.len ? " " : "",
			 (*f)->name + strlen(c->name) + 1);
	form(out, &top, subs.data);
	for (const struct options_cmd *const *f = c->forms; *f; f++)
		form(out, *f, "");
	buf_release(&subs);
}

/* What reads the tables: the same for every program version. */
static const char script[] =
"# _campaign_value WORD: whether WORD is an option of the form that takes\n"
"# a value, and its kind in $kind.\n"
"_campaign_value() {\n"
"\tlocal x\n"
"\tfor x in $v; do\n"
"\t\tif [[ ${x%%=*} == \"$1\" ]]; then kind=${x#*=}; return 0; fi\n"
"\tdone\n"
"\treturn 1\n"
"}\n"
"\n"
"# _campaign_reply KIND WORD: what WORD may become, as a KIND is.\n"
"_campaign_reply() {\n"
"\tlocal IFS=$'\\n' words=\n"
"\tcase $1 in\n"
"\tc) COMPREPLY=($(compgen -f -X '!*.json' -- \"$2\") $(compgen -d -- \"$2\")) ;;\n"
"\tf) COMPREPLY=($(compgen -f -- \"$2\")) ;;\n"
"\td) COMPREPLY=($(compgen -d -- \"$2\")) ;;\n"
"\tm) words=$_campaign_commands ;;\n"
"\tw:*) words=${1#w:} ;;\n"
"\tesac\n"
"\tcase $1 in\n"
"\t[cfd]) compopt -o filenames 2>/dev/null ;;\n"
"\tm|w:*) IFS=$' \\n,'; COMPREPLY=($(compgen -W \"$words\" -- \"$2\")) ;;\n"
"\tesac\n"
"\treturn 0\n"
"}\n"
"\n"
"_campaign() {\n"
"\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev= o= v= a= r= s=0 u= kind= w dd= i=1 j n=0\n"
"\tlocal -a slots\n"
"\tCOMPREPLY=()\n"
"\t((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD-1]}\n"
"\twhile ((i < COMP_CWORD)) && [[ ${COMP_WORDS[i]} == -* ]]; do ((++i)); done\n"
"\tif ((i == COMP_CWORD)); then\n"
"\t\tif [[ $cur == -* ]]; then _campaign_reply \"w:$_campaign_top\" \"$cur\"\n"
"\t\telse _campaign_reply m \"$cur\"; fi\n"
"\t\treturn 0\n"
"\tfi\n"
"\t_campaign_form \"${COMP_WORDS[i]}\" || return 0\n"
"\tif [[ -n $u ]]; then\n"
"\t\tif ((i + 1 == COMP_CWORD)); then _campaign_reply \"w:$u\" \"$cur\"; return 0; fi\n"
"\t\t_campaign_form \"${COMP_WORDS[i]} ${COMP_WORDS[i+1]}\" || return 0\n"
"\t\t((++i))\n"
"\tfi\n"
"\t# bash splits \"--out=DIR\" into \"--out\", \"=\" and \"DIR\"\n"
"\tif [[ $cur == = ]]; then cur=\n"
"\telif [[ $prev == = ]] && ((COMP_CWORD - 2 > i)); then prev=${COMP_WORDS[COMP_CWORD-2]}; fi\n"
"\tfor ((j = i + 1; j < COMP_CWORD; j++)); do\n"
"\t\tw=${COMP_WORDS[j]}\n"
"\t\tif [[ -n $dd ]] || ((s && n >= s)); then ((++n)); continue; fi\n"
"\t\tcase $w in\n"
"\t\t--) dd=1 ;;\n"
"\t\t-?*) if _campaign_value \"$w\"; then\n"
"\t\t\t((++j)); [[ ${COMP_WORDS[j]} == = ]] && ((++j))\n"
"\t\t    fi ;;\n"
"\t\t*) ((++n)) ;;\n"
"\t\tesac\n"
"\tdone\n"
"\tif ((COMP_CWORD - 1 > i)) && [[ -z $dd ]] && _campaign_value \"$prev\"; then\n"
"\t\t_campaign_reply \"$kind\" \"$cur\"\n"
"\t\treturn 0\n"
"\tfi\n"
"\t((s && n >= s)) && return 0\n"
"\tif [[ $cur == -* && -z $dd ]]; then _campaign_reply \"w:$o\" \"$cur\"; return 0; fi\n"
"\tslots=($a)\n"
"\tkind=${slots[n]:-$r}\n"
"\t[[ -n $kind ]] && _campaign_reply \"$kind\" \"$cur\"\n"
"\treturn 0\n"
"}\n"
"\n"
"complete -F _campaign campaign\n";

void completion_bash(struct buf *out)
{
	struct buf words = BUF_INIT, values = BUF_INIT;

	buf_adds(out, "# bash completion for campaign(1), made by 'campaign "
		 "completion bash'\n# from the program's command and option "
		 "tables: do not edit.\n\n");
	for (const struct command *const *c = commands; *c; c++)
		buf_addf(&words, "%s%s", words.len ? " " : "", (*c)->name);
	buf_adds(out, "_campaign_commands=");
	shell_quote(out, words.data);
	buf_reset(&words);
	for (const struct option_spec *o = commands_top.options; o->type != OPTION_END; o++)
		add_option(&words, &values, o);
	add_option(&words, &values, &options_help);
	buf_adds(out, "\n_campaign_top=");
	shell_quote(out, words.data);
	buf_adds(out, "\n\n# _campaign_form FORM: of the command (or subcommand) "
		 "FORM, its options (o),\n# those that take a value with its kind "
		 "(v: OPTION=KIND), the kinds of its\n# arguments (a) and of any "
		 "after them (r), after how many arguments\n# no word is an option "
		 "(s; 0: never) and its subcommands (u). A kind is c a\n# config, f "
		 "a file, d a directory, m a command, w:A,B one of the words,\n# "
		 "- anything.\n_campaign_form() {\n\tcase $1 in\n");
	for (const struct command *const *c = commands; *c; c++)
		command_forms(out, *c);
	buf_adds(out, "\t*) return 1 ;;\n\tesac\n}\n\n");
	buf_adds(out, script);
	buf_release(&words);
	buf_release(&values);
}
