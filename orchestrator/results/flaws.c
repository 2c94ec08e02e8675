#include "flaws.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "paths.h"

/* ---- signatures -------------------------------------------------------- */

static int is_word(int c)
{
	return isalnum(c) || c == '_';
}

/* Length of the run of hex digits at s. */
static size_t hex_run(const char *s)
{
	size_t n = 0;

	while (isxdigit((unsigned char)s[n]))
		n++;
	return n;
}

/* Length of a UUID (8-4-4-4-12 hex digits) at s, or 0. */
static size_t uuid_at(const char *s)
{
	static const size_t groups[] = { 8, 4, 4, 4, 12 };
	size_t n = 0;

	for (size_t g = 0; g < 5; g++) {
		if (hex_run(s + n) != groups[g])
			return 0;
		n += groups[g];
		if (g < 4 && s[n++] != '-')
			return 0;
	}
	return n;
}

/* Length of a word of 8+ hex digits with a digit and a letter, or 0. */
static size_t long_hex_at(const char *s)
{
	size_t n = hex_run(s), digits = 0;

	if (n < 8)
		return 0;
	for (size_t i = 0; i < n; i++)
		digits += isdigit((unsigned char)s[i]) != 0;
	return digits && digits < n ? n : 0;
}

/* The first non-blank line of s, lower-cased. */
static char *first_line(const char *s)
{
	size_t len;
	char *line;

	s = s ? s : "";
	for (;;) {
		size_t blank = strspn(s, " \t\r\f\v");

		if (s[blank] != '\n')
			break;
		s += blank + 1;
	}
	len = strcspn(s, "\n");
	line = xmalloc(len + 1);
	for (size_t i = 0; i < len; i++)
		line[i] = (char)tolower((unsigned char)s[i]);
	line[len] = '\0';
	return line;
}

char *flaws_normalise(const char *evidence)
{
	char *line = first_line(evidence);
	struct buf out = BUF_INIT;
	const char *s = line;

	while (*s) {
		unsigned char c = (unsigned char)*s;
		int at_word = s == line || !is_word((unsigned char)s[-1]);
		size_t n;

		if (isspace(c) || c < 0x20 || c == 0x7f) {
			if (out.len && out.data[out.len - 1] != ' ')
				buf_addch(&out, ' ');
			s++;
		} else if (at_word && c == '0' && s[1] == 'x' && hex_run(s + 2)) {
			buf_adds(&out, "0xX");
			s += 2 + hex_run(s + 2);
		} else if (at_word && ((n = uuid_at(s)) || (n = long_hex_at(s))) &&
			   !is_word((unsigned char)s[n])) {
			buf_addch(&out, 'H');
			s += n;
		} else if (isdigit(c)) {
			buf_addch(&out, 'N');
			while (isdigit((unsigned char)*s))
				s++;
		} else {
			buf_addch(&out, (char)c);
			s++;
		}
	}
	if (out.len > FLAWS_EVIDENCE_MAX) {
		size_t n = FLAWS_EVIDENCE_MAX;

		while (n > 0 && ((unsigned char)out.data[n] & 0xc0) == 0x80)
			n--;	/* do not split a UTF-8 character */
		out.len = n;
		out.data[n] = '\0';
	}
	buf_rtrim(&out);
	free(line);
	return buf_detach(&out);
}

static void add_name(struct buf *b, const char *name)
{
	if (!name || !*name) {
		buf_addch(b, '-');
		return;
	}
	for (; *name; name++) {
		unsigned char c = (unsigned char)*name;

		buf_addch(b, c == '|' || c < 0x20 || c == 0x7f ? '_' : (char)c);
	}
}

char *flaws_signature(const char *oracle, const char *fault, const char *role,
		      const char *evidence)
{
	struct buf b = BUF_INIT;
	char *norm = flaws_normalise(evidence);

	add_name(&b, oracle);
	buf_addch(&b, '|');
	add_name(&b, fault);
	buf_addch(&b, '|');
	add_name(&b, role);
	buf_addch(&b, '|');
	buf_adds(&b, norm);
	free(norm);
	return buf_detach(&b);
}

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

static int by_type_role(const void *a, const void *b)
{
	const struct flaws_fault *x = a, *y = b;
	int c = strcmp(or_dash(x->type), or_dash(y->type));

	return c ? c : strcmp(or_dash(x->role), or_dash(y->role));
}

static struct flaws_fault *sorted_set(const struct flaws_fault *f, int n)
{
	struct flaws_fault *s = xcalloc((size_t)n + 1, sizeof(*s));

	if (n > 0) {
		memcpy(s, f, (size_t)n * sizeof(*s));
		qsort(s, (size_t)n, sizeof(*s), by_type_role);
	}
	return s;
}

void flaws_set_names(const struct flaws_fault *f, int n, char **ret_types,
		     char **ret_roles)
{
	struct flaws_fault *s = sorted_set(f, n);
	struct buf types = BUF_INIT, roles = BUF_INIT;

	for (int i = 0; i < n; i++) {
		buf_addf(&types, "%s%s", i ? "+" : "", or_dash(s[i].type));
		buf_addf(&roles, "%s%s", i ? "+" : "", or_dash(s[i].role));
	}
	if (!n) {
		buf_adds(&types, "none");
		buf_adds(&roles, "-");
	}
	free(s);
	*ret_types = buf_detach(&types);
	*ret_roles = buf_detach(&roles);
}

json_t *flaws_set_json(const struct flaws_fault *f, int n)
{
	struct flaws_fault *s = sorted_set(f, n);
	json_t *set = json_array();

	for (int i = 0; i < n; i++)
		json_array_append_new(set, json_sprintf("%s@%s", or_dash(s[i].type),
							or_dash(s[i].role)));
	free(s);
	return set;
}

char *flaws_id(const char *signature)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a 64 offset basis */

	for (const unsigned char *p = (const unsigned char *)signature; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;		/* FNV 64 prime */
	}
	h = (h >> 48) ^ (h & 0xffffffffffffULL);
	return xasprintf("%012llx", (unsigned long long)h);
}

int flaws_id_valid(const char *s, size_t n)
{
	if (n != FLAWS_ID_LEN)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* ---- trace bounds ------------------------------------------------------ */

#define CUT_MIN 128		/* strings this long or shorter are never cut */
#define CUT_KEEP 64		/* a cut string keeps at least this much */
#define CUT_MARKER 40		/* room for "...[truncated N bytes]..." */

static size_t dumped_size(json_t *v)
{
	return json_dumpb(v, NULL, 0, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* Strings already cut are not cut again (their count would be lost). */
static int is_cut(json_t *v)
{
	return strstr(json_string_value(v), "...[truncated ") != NULL;
}

struct cand {
	json_t *v;
	size_t size;		/* bytes of its JSON form */
};

struct cands {
	struct cand *c;
	size_t n, cap;
};

static void cands_add(struct cands *cs, json_t *v, size_t size)
{
	if (cs->n == cs->cap) {
		cs->cap = cs->cap ? 2 * cs->cap : 64;
		cs->c = xrealloc(cs->c, cs->cap * sizeof(*cs->c));
	}
	cs->c[cs->n++] = (struct cand){ v, size };
}

static void collect_strings(json_t *v, struct cands *cs)
{
	const char *key;
	json_t *m;
	size_t i;

	if (json_is_string(v) && json_string_length(v) > CUT_MIN && !is_cut(v))
		cands_add(cs, v, dumped_size(v));
	else if (json_is_object(v))
		json_object_foreach(v, key, m)
			collect_strings(m, cs);
	else if (json_is_array(v))
		json_array_foreach(v, i, m)
			collect_strings(m, cs);
}

static int by_size_desc(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	return x->size < y->size ? 1 : x->size > y->size ? -1 : 0;
}

/* Cut string v to about level bytes of JSON, keeping head and tail. */
static void cut_string(json_t *v, size_t size, size_t level)
{
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);
	size_t keep = (size_t)((double)level * (double)len / (double)size);
	size_t head = keep / 2, tail = len - (keep - keep / 2);
	struct buf b = BUF_INIT;

	while (head > 0 && ((unsigned char)s[head] & 0xc0) == 0x80)
		head--;		/* never split a UTF-8 character */
	while (tail < len && ((unsigned char)s[tail] & 0xc0) == 0x80)
		tail++;
	buf_add(&b, s, head);
	buf_addf(&b, "...[truncated %zu bytes]...", tail - head);
	buf_add(&b, s + tail, len - tail);
	json_string_setn(v, b.data, b.len);
	buf_release(&b);
}

/* Cut the longest strings down to one common length (the lowest water
 * level that removes excess bytes), so that no single log is lost while
 * others stay whole. Returns the number of strings cut. */
static size_t cut_strings(json_t *trace, size_t excess)
{
	struct cands cs = { 0 };
	size_t sum = 0, level = CUT_KEEP, k;

	collect_strings(trace, &cs);
	if (!cs.n)
		return 0;
	qsort(cs.c, cs.n, sizeof(*cs.c), by_size_desc);
	for (k = 1; k <= cs.n; k++) {
		size_t next = k < cs.n ? cs.c[k].size : CUT_KEEP;

		sum += cs.c[k - 1].size;
		if (sum >= k * (next + CUT_MARKER) + excess) {
			level = (sum - excess) / k - CUT_MARKER;
			break;
		}
	}
	if (k > cs.n)
		k = cs.n;
	if (level < CUT_KEEP)
		level = CUT_KEEP;
	for (size_t i = 0; i < k; i++)
		if (cs.c[i].size > level + CUT_MARKER)
			cut_string(cs.c[i].v, cs.c[i].size, level);
	free(cs.c);
	return k;
}

static json_t *longest_array(json_t *v, json_t *best)
{
	const char *key;
	json_t *m;
	size_t i;

	if (json_is_array(v) && json_array_size(v) > 2 &&
	    (!best || json_array_size(v) > json_array_size(best)))
		best = v;
	if (json_is_object(v))
		json_object_foreach(v, key, m)
			best = longest_array(m, best);
	else if (json_is_array(v))
		json_array_foreach(v, i, m)
			best = longest_array(m, best);
	return best;
}

/* Replace the middle elements of array v (keeping the first and the last)
 * by one marker string, dropping about excess bytes. */
static void cut_array(json_t *v, size_t excess)
{
	size_t n = json_array_size(v), lo = n / 2, hi = n / 2, gone = 0;
	json_t *kept = json_array();
	char marker[64];

	while (gone < excess + CUT_MARKER && (lo > 1 || hi < n - 1)) {
		if (hi < n - 1)
			gone += dumped_size(json_array_get(v, hi++)) + 1;
		if (gone < excess + CUT_MARKER && lo > 1)
			gone += dumped_size(json_array_get(v, --lo)) + 1;
	}
	for (size_t i = 0; i < n; i++) {
		if (i == lo) {
			snprintf(marker, sizeof(marker),
				 "...[truncated %zu elements]...", hi - lo);
			json_array_append_new(kept, json_string(marker));
		}
		if (i < lo || i >= hi)
			json_array_append(kept, json_array_get(v, i));
	}
	json_array_clear(v);
	json_array_extend(v, kept);
	json_decref(kept);
}

json_t *flaws_bound_trace(json_t *trace, size_t max)
{
	size_t size = trace ? dumped_size(trace) : 0;
	char msg[96];
	json_t *a, *copy;

	if (size <= max)
		return trace;
	/* Parts of the trace may be shared with the caller (the run record
	 * that goes to the journal): cut a private copy. */
	copy = json_deep_copy(trace);
	json_decref(trace);
	trace = copy;
	if (!trace)
		return json_string("...[trace could not be copied]...");
	for (int i = 0; i < 4 && size > max && cut_strings(trace, size - max); i++)
		size = dumped_size(trace);
	for (int i = 0; i < 64 && size > max && (a = longest_array(trace, NULL)); i++) {
		cut_array(a, size - max);
		size = dumped_size(trace);
	}
	if (size <= max)
		return trace;
	snprintf(msg, sizeof(msg), "...[trace of %zu bytes]...", size);
	if (json_is_object(trace)) {
		json_object_clear(trace);
		json_object_set_new(trace, "truncated", json_string(msg));
		return trace;
	}
	json_decref(trace);
	return json_string(msg);
}

/* ---- the store --------------------------------------------------------- */

struct flaw {
	char *id;
	json_t *meta;		/* the file's object without "examples", plus
				 * "n_examples" */
};

struct flaw_store {
	char *dir;		/* DIR/flaws */
	struct flaw *flaws;
	int n, cap;
	int max_examples;
	size_t trace_max;
};

static const char *const flaw_classes[] = {
	"safety", "liveness", "containment", "recovery",
};

static char *flaw_path(const struct flaw_store *s, const char *id)
{
	return xasprintf("%s/%s.json", s->dir, id);
}

static int is_flaw_file(const char *name)
{
	return strlen(name) == FLAWS_ID_LEN + 5 && flaws_id_valid(name, FLAWS_ID_LEN) &&
	       !strcmp(name + FLAWS_ID_LEN, ".json");
}

static long long seen_run(json_t *meta, const char *which)
{
	return json_integer_value(json_object_get(json_object_get(meta, which),
						  "run"));
}

/* Check a loaded flaw file (path for messages) and turn it into meta. */
static int load_meta(json_t *doc, const char *path, const char *id,
		     struct err *e)
{
	json_t *examples = json_object_get(doc, "examples");
	const char *doc_id = json_string_value(json_object_get(doc, "id"));

	if (!json_is_object(doc) || !doc_id || strcmp(doc_id, id) ||
	    !json_is_string(json_object_get(doc, "signature")) ||
	    !json_is_integer(json_object_get(doc, "count")) ||
	    !json_is_integer(json_object_get(json_object_get(doc, "first_seen"), "run")) ||
	    !json_is_integer(json_object_get(json_object_get(doc, "last_seen"), "run")) ||
	    !json_is_array(json_object_get(doc, "runs")) ||
	    (examples && !json_is_array(examples)))
		return err_set(e, "cannot load flaw '%s': not a flaw file (it needs "
			       "\"id\" '%s', \"signature\", \"count\", "
			       "\"first_seen\", \"last_seen\", \"runs\")", path, id);
	json_object_set_new(doc, "n_examples",
			    json_integer((json_int_t)json_array_size(examples)));
	json_object_del(doc, "examples");
	return 0;
}

static void store_add(struct flaw_store *s, const char *id, json_t *meta)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->flaws = xrealloc(s->flaws, (size_t)s->cap * sizeof(*s->flaws));
	}
	s->flaws[s->n].id = xstrdup(id);
	s->flaws[s->n].meta = meta;
	s->n++;
}

static struct flaw *find_flaw(const struct flaw_store *s, const char *sig,
			      const char *id)
{
	for (int i = 0; i < s->n; i++) {
		json_t *m = s->flaws[i].meta;

		if ((sig && !strcmp(json_string_value(json_object_get(m, "signature")),
				   sig)) || (id && !strcmp(s->flaws[i].id, id)))
			return &s->flaws[i];
	}
	return NULL;
}

static int by_first_seen(const void *a, const void *b)
{
	const struct flaw *x = a, *y = b;
	long long rx = seen_run(x->meta, "first_seen");
	long long ry = seen_run(y->meta, "first_seen");

	return rx < ry ? -1 : rx > ry ? 1 : strcmp(x->id, y->id);
}

static int load_all(struct flaw_store *s, struct err *e)
{
	DIR *d = opendir(s->dir);
	struct dirent *de;
	int r = 0;

	if (!d)
		return err_errno(e, errno, "cannot open flaw directory '%s'", s->dir);
	while (r == 0 && (de = readdir(d))) {
		char id[FLAWS_ID_LEN + 1], *path;
		json_error_t jerr;
		json_t *doc;

		if (!is_flaw_file(de->d_name))
			continue;	/* also temporaries of paths_write_atomic() */
		memcpy(id, de->d_name, FLAWS_ID_LEN);
		id[FLAWS_ID_LEN] = '\0';
		path = flaw_path(s, id);
		doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
		if (!doc)
			r = err_set(e, "cannot load flaw '%s': line %d: %s", path,
				    jerr.line, jerr.text);
		else if ((r = load_meta(doc, path, id, e)) == 0 &&
			 find_flaw(s, json_string_value(json_object_get(doc,
						"signature")), NULL))
			r = err_set(e, "cannot load flaw '%s': another file has the "
				    "same signature", path);
		if (r == 0)
			store_add(s, id, doc);
		else
			json_decref(doc);
		free(path);
	}
	closedir(d);
	if (r == 0 && s->n)
		qsort(s->flaws, (size_t)s->n, sizeof(*s->flaws), by_first_seen);
	return r;
}

int flaws_open(const char *dir, struct flaw_store **ret, struct err *e)
{
	struct flaw_store *s = xcalloc(1, sizeof(*s));

	s->dir = xasprintf("%s/flaws", dir);
	s->max_examples = FLAWS_EXAMPLES_DEFAULT;
	s->trace_max = FLAWS_TRACE_MAX_DEFAULT;
	if (paths_mkdirs(s->dir, 0755, e) < 0 || load_all(s, e) < 0) {
		flaws_free(s);
		return -1;
	}
	*ret = s;
	return 0;
}

void flaws_free(struct flaw_store *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->n; i++) {
		free(s->flaws[i].id);
		json_decref(s->flaws[i].meta);
	}
	free(s->flaws);
	free(s->dir);
	free(s);
}

void flaws_set_max_examples(struct flaw_store *s, int k)
{
	s->max_examples = k < 0 ? 0 : k;
}

void flaws_set_trace_max(struct flaw_store *s, size_t bytes)
{
	s->trace_max = bytes ? bytes : FLAWS_TRACE_MAX_DEFAULT;
}

int flaws_count(const struct flaw_store *s)
{
	return s ? s->n : 0;
}

json_t *flaws_get(const struct flaw_store *s, int i)
{
	return i >= 0 && i < s->n ? s->flaws[i].meta : NULL;
}

json_t *flaws_find(const struct flaw_store *s, const char *signature)
{
	struct flaw *f = find_flaw(s, signature, NULL);

	return f ? f->meta : NULL;
}

static int check_hit(const struct flaw_hit *hit, struct err *e)
{
	size_t i;

	if (!hit->signature || !*hit->signature)
		return err_set(e, "cannot record a flaw without a signature");
	if (hit->run < 1)
		return err_set(e, "cannot record flaw '%s': run %lld is not a run "
			       "number", hit->signature, hit->run);
	for (i = 0; i < sizeof(flaw_classes) / sizeof(*flaw_classes); i++)
		if (hit->class_ && !strcmp(hit->class_, flaw_classes[i]))
			return 0;
	return err_set(e, "cannot record flaw '%s': unknown flaw class '%s'",
		       hit->signature, hit->class_ ? hit->class_ : "(none)");
}

static json_t *sighting(const struct flaw_hit *hit)
{
	char when[32];

	clock_format_wall(hit->wall_ns, when);
	return json_pack("{s:I, s:s}", "run", (json_int_t)hit->run, "time", when);
}

static json_t *new_meta(const char *id, const struct flaw_hit *hit)
{
	const char *dash = "-";

	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:o, s:o, s:[], s:i}",
			 "id", id, "signature", hit->signature,
			 "oracle", hit->oracle && *hit->oracle ? hit->oracle : dash,
			 "fault", hit->fault && *hit->fault ? hit->fault : dash,
			 "role", hit->role && *hit->role ? hit->role : dash,
			 "class", hit->class_, "count", 0,
			 "first_seen", sighting(hit), "last_seen", sighting(hit),
			 "runs", "n_examples", 0);
}

static int already_counted(json_t *meta, long long run)
{
	json_t *v;
	size_t i;

	if (seen_run(meta, "last_seen") == run)
		return 1;
	json_array_foreach(json_object_get(meta, "runs"), i, v)
		if (json_integer_value(v) == run)
			return 1;
	return 0;
}

/* The examples in the flaw's file; new reference. */
static json_t *load_examples(const char *path, struct err *e)
{
	json_error_t jerr;
	json_t *doc = json_load_file(path, 0, &jerr), *ex;

	if (!doc) {
		err_set(e, "cannot load flaw '%s': line %d: %s", path, jerr.line,
			jerr.text);
		return NULL;
	}
	ex = json_object_get(doc, "examples");
	ex = json_is_array(ex) ? json_incref(ex) : json_array();
	json_decref(doc);
	return ex;
}

static int write_flaw(const char *dir, const char *path, json_t *meta,
		      json_t *examples, struct err *e)
{
	json_t *doc = json_copy(meta);
	char *text;
	int r;

	json_object_del(doc, "n_examples");
	json_object_set(doc, "examples", examples);
	text = json_dumps(doc, JSON_INDENT(2));
	json_decref(doc);
	if (!text)
		return err_set(e, "cannot write flaw '%s': cannot serialise it", path);
	text = xrealloc(text, strlen(text) + 2);
	strcat(text, "\n");
	r = paths_write_atomic(path, text, e) < 0 || paths_fsync_dir(dir, e) < 0 ? -1 : 0;
	free(text);
	return r;
}

/* The distinct fault sets that led to a flaw, with their runs. */
static void add_fault_set(json_t *meta, json_t *set, long long run)
{
	json_t *sets = json_object_get(meta, "fault_sets"), *x = NULL, *runs;
	size_t i, n;

	if (!json_is_array(sets)) {
		sets = json_array();
		json_object_set_new(meta, "fault_sets", sets);
	}
	n = json_array_size(sets);
	for (i = 0; i < n; i++) {
		x = json_array_get(sets, i);
		if (json_equal(json_object_get(x, "faults"), set))
			break;
	}
	if (i == n) {
		if (i >= FLAWS_SETS_MAX)
			return;
		x = json_pack("{s:O, s:i, s:[]}", "faults", set, "count", 0, "runs");
		json_array_append_new(sets, x);
	}
	json_object_set_new(x, "count", json_integer(
		json_integer_value(json_object_get(x, "count")) + 1));
	runs = json_object_get(x, "runs");
	if (json_array_size(runs) < FLAWS_SET_RUNS_MAX)
		json_array_append_new(runs, json_integer((json_int_t)run));
}

int flaws_record(struct flaw_store *s, const struct flaw_hit *hit,
		 json_t *trace, int *ret_is_new, struct err *e)
{
	struct flaw *f;
	json_t *meta = NULL, *examples = NULL, *runs;
	char *id = NULL, *path = NULL;
	int r = -1;

	if (check_hit(hit, e) < 0)
		goto out;
	f = find_flaw(s, hit->signature, NULL);
	id = f ? xstrdup(f->id) : flaws_id(hit->signature);
	path = flaw_path(s, id);
	if (f && already_counted(f->meta, hit->run)) {
		if (ret_is_new)
			*ret_is_new = 0;
		r = 0;
		goto out;
	}
	if (!f && find_flaw(s, NULL, id)) {
		err_set(e, "cannot record flaw '%s': its id '%s' is taken by "
			"another signature", hit->signature, id);
		goto out;
	}
	/* Work on copies: the store changes only once the file is written. */
	meta = f ? json_deep_copy(f->meta) : new_meta(id, hit);
	examples = f ? load_examples(path, e) : json_array();
	if (!meta || !examples)
		goto out;
	json_object_set_new(meta, "count", json_integer(
		json_integer_value(json_object_get(meta, "count")) + 1));
	json_object_set_new(meta, "last_seen", sighting(hit));
	runs = json_object_get(meta, "runs");
	if (json_array_size(runs) < FLAWS_RUNS_MAX)
		json_array_append_new(runs, json_integer((json_int_t)hit->run));
	if (trace && (int)json_array_size(examples) < s->max_examples) {
		json_array_append_new(examples, flaws_bound_trace(trace, s->trace_max));
		trace = NULL;
	}
	json_object_set_new(meta, "n_examples",
			    json_integer((json_int_t)json_array_size(examples)));
	if (hit->fault_set)
		add_fault_set(meta, hit->fault_set, hit->run);
	if (hit->minimal)
		json_object_set_new(meta, "minimal", json_deep_copy(hit->minimal));
	if (write_flaw(s->dir, path, meta, examples, e) < 0)
		goto out;
	if (f) {
		json_decref(f->meta);
		f->meta = meta;
	} else {
		store_add(s, id, meta);
	}
	meta = NULL;
	if (ret_is_new)
		*ret_is_new = !f;
	r = 0;
out:
	json_decref(trace);
	json_decref(examples);
	json_decref(meta);
	free(path);
	free(id);
	return r;
}

int flaws_note_replay(struct flaw_store *s, const char *id, json_t *replay,
		      struct err *e)
{
	struct flaw *f = find_flaw(s, NULL, id);
	json_t *meta, *examples, *replays;
	char *path;
	int r = -1;

	if (!f)
		return err_set(e, "no flaw '%s' in '%s'", id, s->dir);
	path = flaw_path(s, id);
	meta = json_deep_copy(f->meta);
	examples = load_examples(path, e);
	if (!examples)
		goto out;
	replays = json_object_get(meta, "replays");
	if (!json_is_array(replays)) {
		replays = json_array();
		json_object_set_new(meta, "replays", replays);
	}
	json_array_append(replays, replay);
	while (json_array_size(replays) > FLAWS_REPLAYS_MAX)
		json_array_remove(replays, 0);
	if (write_flaw(s->dir, path, meta, examples, e) < 0)
		goto out;
	json_decref(f->meta);
	f->meta = meta;
	meta = NULL;
	r = 0;
out:
	json_decref(meta);
	json_decref(examples);
	free(path);
	return r;
}
