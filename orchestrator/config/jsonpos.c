/* jsonpos.c - a second, position-keeping pass over a JSON text.
 *
 * The text has already been parsed by jansson, so this scanner checks
 * only what it needs to stay in step; it decodes keys exactly (escapes,
 * surrogate pairs) so that its paths match the keys jansson hands out.
 */
#include "jsonpos.h"

#include <stdlib.h>
#include <string.h>

#include "utf8.h"

#define MAX_DEPTH 4096

struct entry {
	char *path;
	int key_line;
	int value_line;
};

struct jsonpos {
	struct entry *v;
	size_t n, cap;
};

struct scan {
	const char *p, *end;
	int line;
	int depth;
	struct jsonpos *out;
	struct buf path;
	struct err *e;
};

static int is_plain_key(const char *key)
{
	if (!*key)
		return 0;
	for (; *key; key++)
		if (!((*key >= 'a' && *key <= 'z') ||
		      (*key >= 'A' && *key <= 'Z') ||
		      (*key >= '0' && *key <= '9') || *key == '_' ||
		      *key == '-'))
			return 0;
	return 1;
}

void jsonpos_path_key(struct buf *path, const char *key)
{
	const unsigned char *k;

	if (is_plain_key(key)) {
		if (path->len)
			buf_addch(path, '.');
		buf_adds(path, key);
		return;
	}
	buf_adds(path, "[\"");
	for (k = (const unsigned char *)key; *k; k++) {
		if (*k == '"' || *k == '\\')
			buf_addf(path, "\\%c", *k);
		else if (*k < 0x20)
			buf_addf(path, "\\u%04x", *k);
		else
			buf_addch(path, (char)*k);
	}
	buf_adds(path, "\"]");
}

void jsonpos_path_index(struct buf *path, size_t index)
{
	buf_addf(path, "[%zu]", index);
}

static int scan_fail(struct scan *s, const char *what)
{
	return err_set(s->e, "line %d: %s", s->line, what);
}

static void record(struct scan *s, int key_line)
{
	struct jsonpos *o = s->out;

	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 64;
		o->v = xrealloc(o->v, o->cap * sizeof(*o->v));
	}
	o->v[o->n].path = xstrdup(s->path.data);
	o->v[o->n].key_line = key_line;
	o->v[o->n].value_line = s->line;
	o->n++;
}

static void skip_ws(struct scan *s)
{
	for (; s->p < s->end && strchr(" \t\r\n", *s->p) && *s->p; s->p++)
		if (*s->p == '\n')
			s->line++;
}

static int hex4(struct scan *s, unsigned *ret)
{
	unsigned v = 0;
	int i;

	if (s->end - s->p < 4)
		return scan_fail(s, "truncated \\u escape");
	for (i = 0; i < 4; i++) {
		char c = s->p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return scan_fail(s, "bad \\u escape");
	}
	s->p += 4;
	*ret = v;
	return 0;
}

static void add_utf8(struct buf *b, unsigned cp)
{
	char seq[UTF8_MAX];

	buf_add(b, seq, utf8_encode(cp, seq));
}

static int unicode_escape(struct scan *s, struct buf *out)
{
	unsigned cp, lo;

	if (hex4(s, &cp) < 0)
		return -1;
	if (cp >= 0xd800 && cp <= 0xdbff && s->end - s->p >= 6 &&
	    s->p[0] == '\\' && s->p[1] == 'u') {
		s->p += 2;
		if (hex4(s, &lo) < 0)
			return -1;
		if (lo >= 0xdc00 && lo <= 0xdfff) {
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		} else {
			add_utf8(out, cp);
			cp = lo;
		}
	}
	add_utf8(out, cp);
	return 0;
}

/* s->p is at the opening quote; decode into out (may be NULL). */
static int scan_string(struct scan *s, struct buf *out)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	struct buf scratch = BUF_INIT;
	const char *esc;
	int r = -1;

	if (!out)
		out = &scratch;
	for (s->p++; s->p < s->end; s->p++) {
		if (*s->p == '"') {
			s->p++;
			r = 0;
			break;
		}
		if (*s->p == '\n') {
			scan_fail(s, "newline in string");
			goto done;
		}
		if (*s->p != '\\') {
			buf_addch(out, *s->p);
			continue;
		}
		if (++s->p == s->end)
			break;
		if (*s->p == 'u') {
			s->p++;
			if (unicode_escape(s, out) < 0)
				goto done;
			s->p--;
			continue;
		}
		esc = *s->p ? strchr(from, *s->p) : NULL;
		if (!esc) {
			scan_fail(s, "bad escape in string");
			goto done;
		}
		buf_addch(out, to[esc - from]);
	}
	if (r < 0 && s->p >= s->end)
		scan_fail(s, "unterminated string");
done:
	buf_release(&scratch);
	return r;
}

static int scan_value(struct scan *s, int key_line);

static int scan_object(struct scan *s)
{
	struct buf key = BUF_INIT;
	size_t mark = s->path.len;
	int key_line, r = -1;

	s->p++;
	skip_ws(s);
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		return 0;
	}
	for (;;) {
		skip_ws(s);
		if (s->p >= s->end || *s->p != '"') {
			scan_fail(s, "expected a key");
			break;
		}
		key_line = s->line;
		buf_reset(&key);
		if (scan_string(s, &key) < 0)
			break;
		skip_ws(s);
		if (s->p >= s->end || *s->p != ':') {
			scan_fail(s, "expected ':'");
			break;
		}
		s->p++;
		jsonpos_path_key(&s->path, key.data);
		if (scan_value(s, key_line) < 0)
			break;
		s->path.len = mark;
		s->path.data[mark] = '\0';
		skip_ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == '}') {
			s->p++;
			r = 0;
		} else {
			scan_fail(s, "expected ',' or '}'");
		}
		break;
	}
	buf_release(&key);
	return r;
}

static int scan_array(struct scan *s)
{
	size_t mark = s->path.len, i;

	s->p++;
	skip_ws(s);
	if (s->p < s->end && *s->p == ']') {
		s->p++;
		return 0;
	}
	for (i = 0;; i++) {
		jsonpos_path_index(&s->path, i);
		if (scan_value(s, 0) < 0)
			return -1;
		s->path.len = mark;
		s->path.data[mark] = '\0';
		skip_ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == ']') {
			s->p++;
			return 0;
		}
		return scan_fail(s, "expected ',' or ']'");
	}
}

static int scan_literal(struct scan *s)
{
	const char *start = s->p;

	while (s->p < s->end && *s->p && !strchr(",]} \t\r\n", *s->p))
		s->p++;
	if (s->p == start)
		return scan_fail(s, "expected a value");
	return 0;
}

static int scan_value(struct scan *s, int key_line)
{
	int r;

	skip_ws(s);
	if (s->p >= s->end)
		return scan_fail(s, "unexpected end of text");
	record(s, key_line);
	if (++s->depth > MAX_DEPTH)
		return scan_fail(s, "too deeply nested");
	switch (*s->p) {
	case '{':
		r = scan_object(s);
		break;
	case '[':
		r = scan_array(s);
		break;
	case '"':
		r = scan_string(s, NULL);
		break;
	default:
		r = scan_literal(s);
		break;
	}
	s->depth--;
	return r;
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->path,
		      ((const struct entry *)b)->path);
}

int jsonpos_scan(const char *text, size_t len, struct jsonpos **ret,
		 struct err *e)
{
	struct scan s = { text, text + len, 1, 0, NULL, BUF_INIT, e };

	s.out = xcalloc(1, sizeof(*s.out));
	if (scan_value(&s, 0) < 0)
		goto fail;
	skip_ws(&s);
	if (s.p < s.end) {
		scan_fail(&s, "text after the value");
		goto fail;
	}
	buf_release(&s.path);
	qsort(s.out->v, s.out->n, sizeof(*s.out->v), entry_cmp);
	*ret = s.out;
	return 0;
fail:
	buf_release(&s.path);
	jsonpos_free(s.out);
	return -1;
}

void jsonpos_free(struct jsonpos *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++)
		free(p->v[i].path);
	free(p->v);
	free(p);
}

static const struct entry *find(const struct jsonpos *p, const char *path)
{
	struct entry key = { (char *)path, 0, 0 };

	if (!p || !p->n)
		return NULL;
	return bsearch(&key, p->v, p->n, sizeof(*p->v), entry_cmp);
}

int jsonpos_value_line(const struct jsonpos *p, const char *path)
{
	const struct entry *en = find(p, path);

	return en ? en->value_line : 0;
}

int jsonpos_key_line(const struct jsonpos *p, const char *path)
{
	const struct entry *en = find(p, path);

	if (!en)
		return 0;
	return en->key_line ? en->key_line : en->value_line;
}
