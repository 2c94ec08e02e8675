/* merge_scan.c - the fast path of the merge's index: one pass over a
 * journal line that checks its JSON and picks out the record's top-level
 * "type", "run" and "event", in about two thirds of the CPU time of the
 * report's cursor (one loop and no calls per value, where the cursor
 * walks the grammar value by value through its API).
 *
 * It says yes only to what the cursor (report_json.h) accepts and reads
 * the same members from; everything else goes to the full parse, which
 * then decides and says why. So it may pass on a valid line (an escape in
 * a top-level key or in "type" or "event", a number with an exponent or
 * more than 18 digits, nesting deeper than SCAN_DEPTH, a record the merge
 * refuses) but never accepts an invalid one. */
#include "merge_priv.h"

#include <string.h>

#include "utf8.h"

#define SCAN_DEPTH 64		/* containers deeper than this: the full parse */
#define INT_DIGITS 18		/* an integer part this long always fits */

struct scan {
	const unsigned char *p, *end;
};

/* Top-level members the merge reads. */
enum field { FIELD_NONE, FIELD_TYPE, FIELD_RUN, FIELD_EVENT };

struct fields {
	const unsigned char *type, *event;	/* their text; NULL: not a string */
	size_t type_len, event_len;
	long long run;
	int has_run;				/* "run" is an integer */
};

/* 1 for the bytes a string holds as they are: printable ASCII but '"'
 * and '\\' (as the cursor's rj_string()). */
static const unsigned char plain[256] = {
	[0x20 ... 0x21] = 1, [0x23 ... 0x5b] = 1, [0x5d ... 0x7f] = 1,
};

static void ws(struct scan *c)
{
	/* journal lines have none: one test on the way */
	while (c->p < c->end && *c->p <= ' ' &&
	       (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n'))
		c->p++;
}

static int hex4(const unsigned char *p, unsigned *ret)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		unsigned char h = p[i];

		v <<= 4;
		if (h >= '0' && h <= '9')
			v |= (unsigned)(h - '0');
		else if ((h | 0x20) >= 'a' && (h | 0x20) <= 'f')
			v |= (unsigned)((h | 0x20) - 'a' + 10);
		else
			return -1;
	}
	*ret = v;
	return 0;
}

/* \uXXXX at p (after the backslash), a surrogate pair whole: its length,
 * or 0 where the cursor refuses it (a lone surrogate, NUL). */
static size_t unicode_escape(const unsigned char *p, const unsigned char *end)
{
	unsigned cp, lo;

	if (end - p < 5 || hex4(p + 1, &cp) < 0 || cp == 0 ||
	    (cp >= 0xdc00 && cp <= 0xdfff))
		return 0;
	if (cp < 0xd800 || cp > 0xdbff)
		return 5;
	if (end - p < 11 || p[5] != '\\' || p[6] != 'u' || hex4(p + 7, &lo) < 0 ||
	    lo < 0xdc00 || lo > 0xdfff)
		return 0;
	return 11;
}

/* The string at c->p (its opening quote); *escaped is set if it holds an
 * escape. 0, or -1 if it is not a valid one. */
static int string(struct scan *c, int *escaped)
{
	const unsigned char *s = c->p + 1, *end = c->end;

	*escaped = 0;
	for (;;) {
		size_t n;
		unsigned cp;

		while (s < end && plain[*s])
			s++;
		if (s >= end || *s < 0x20)
			return -1;
		if (*s == '"') {
			c->p = s + 1;
			return 0;
		}
		if (*s == '\\') {
			*escaped = 1;
			if (end - s < 2)
				return -1;
			if (s[1] == 'u')
				n = unicode_escape(s + 1, end);
			else
				n = s[1] && strchr("\"\\/bfnrt", s[1]) ? 1 : 0;
			if (!n)
				return -1;
			s += 1 + n;
			continue;
		}
		if (!(n = utf8_decode(s, (size_t)(end - s), &cp)))
			return -1;
		s += n;
	}
}

/* The number at c->p into *ret_int, *ret_is_int. 0, or -1 if it is not
 * one or is one the full parse must judge (an exponent, too many digits). */
static int number(struct scan *c, long long *ret_int, int *ret_is_int)
{
	const unsigned char *s = c->p, *d0;
	unsigned long long v = 0;
	int neg = 0;

	if (*s == '-') {
		neg = 1;
		s++;
	}
	d0 = s;
	if (s < c->end && *s == '0') {
		s++;
	} else {
		while (s < c->end && *s >= '0' && *s <= '9')
			v = v * 10 + (unsigned)(*s++ - '0');
		if (s == d0 || s - d0 > INT_DIGITS)
			return -1;
	}
	*ret_is_int = 1;
	if (s < c->end && *s == '.') {
		const unsigned char *f0 = ++s;

		while (s < c->end && *s >= '0' && *s <= '9')
			s++;
		if (s == f0)
			return -1;
		*ret_is_int = 0;
	}
	if (s < c->end && (*s == 'e' || *s == 'E'))
		return -1;
	*ret_int = neg ? -(long long)v : (long long)v;
	c->p = s;
	return 0;
}

static int literal(struct scan *c, const char *word, size_t n)
{
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n))
		return -1;
	c->p += n;
	return 0;
}

static enum field field_of(const unsigned char *key, size_t len)
{
	if (len == 4 && !memcmp(key, "type", 4))
		return FIELD_TYPE;
	if (len == 3 && !memcmp(key, "run", 3))
		return FIELD_RUN;
	if (len == 5 && !memcmp(key, "event", 5))
		return FIELD_EVENT;
	return FIELD_NONE;
}

/* A value that is not a string or an integer: what rj_str() and rj_int()
 * read for the member (no string, no integer). */
static void not_read(enum field field, struct fields *f)
{
	if (field == FIELD_TYPE)
		f->type = NULL;
	else if (field == FIELD_EVENT)
		f->event = NULL;
	else if (field == FIELD_RUN)
		f->has_run = 0;
}

/* A string at c->p; for a top-level member the merge reads, its text. */
static int string_value(struct scan *c, enum field field, struct fields *f)
{
	const unsigned char *start = c->p + 1;
	int escaped;

	if (string(c, &escaped) < 0)
		return -1;
	if (field == FIELD_TYPE || field == FIELD_EVENT) {
		if (escaped)
			return -1;	/* the full parse decodes it */
		if (field == FIELD_TYPE) {
			f->type = start;
			f->type_len = (size_t)(c->p - 1 - start);
		} else {
			f->event = start;
			f->event_len = (size_t)(c->p - 1 - start);
		}
		return 0;
	}
	not_read(field, f);
	return 0;
}

/* A string, number or literal at c->p (a member's value or an element);
 * f gets what the merge reads of it. */
static int scalar(struct scan *c, enum field field, struct fields *f)
{
	long long v = 0;
	int is_int = 0;

	if (*c->p == '"')
		return string_value(c, field, f);
	if (*c->p == 't' || *c->p == 'f' || *c->p == 'n') {
		not_read(field, f);
		return *c->p == 't' ? literal(c, "true", 4) :
		       *c->p == 'f' ? literal(c, "false", 5) : literal(c, "null", 4);
	}
	if ((*c->p != '-' && (*c->p < '0' || *c->p > '9')) || number(c, &v, &is_int) < 0)
		return -1;
	if (field == FIELD_RUN && is_int) {
		f->has_run = 1;
		f->run = v;
	} else {
		not_read(field, f);
	}
	return 0;
}

/* A member's key at c->p and the ':' after it; *ret_field is the member
 * if the merge reads it (depth 1). */
static int key(struct scan *c, int depth, enum field *ret_field)
{
	const unsigned char *k = c->p + 1;
	int escaped;

	if (*c->p != '"' || string(c, &escaped) < 0)
		return -1;
	if (depth == 1 && escaped)
		return -1;	/* it could spell one of the members */
	*ret_field = depth == 1 ? field_of(k, (size_t)(c->p - 1 - k)) : FIELD_NONE;
	ws(c);
	if (c->p >= c->end || *c->p != ':')
		return -1;
	c->p++;
	ws(c);
	return c->p < c->end ? 0 : -1;
}

/* After a value: the ',' before the next one, or the closing brackets of
 * the containers it ends. 1: a value follows; 0: the top object closed;
 * -1: neither. */
static int after_value(struct scan *c, unsigned long long arrays, int *depth)
{
	for (;;) {
		ws(c);
		if (c->p >= c->end)
			return -1;
		if (*c->p == ',') {
			c->p++;
			return 1;
		}
		if (*c->p != (arrays >> (*depth - 1) & 1 ? ']' : '}'))
			return -1;
		c->p++;
		if (--*depth == 0)
			return 0;
	}
}

/* The object at c->p to the end of the text; f gets its members. Each
 * turn reads one value, its key first in an object (or finds the
 * container that just opened empty), then what follows it. */
static int walk(struct scan *c, struct fields *f)
{
	unsigned long long arrays = 0;	/* bit d: the container at depth d + 1 is one */
	int depth = 1, opened = 1, k;

	for (c->p++;;) {
		int in_array = arrays >> (depth - 1) & 1;
		enum field field = FIELD_NONE;

		ws(c);
		if (c->p >= c->end)
			return -1;
		if (opened && *c->p == (in_array ? ']' : '}')) {
			c->p++;
			if (--depth == 0)
				break;
		} else if (!in_array && key(c, depth, &field) < 0) {
			return -1;
		} else if (*c->p == '{' || *c->p == '[') {
			if (depth >= SCAN_DEPTH)
				return -1;
			not_read(field, f);
			arrays = (arrays & ~(1ULL << depth)) |
				 (unsigned long long)(*c->p++ == '[') << depth;
			depth++;
			opened = 1;
			continue;
		} else if (scalar(c, field, f) < 0) {
			return -1;
		}
		opened = 0;
		if ((k = after_value(c, arrays, &depth)) <= 0) {
			if (k < 0)
				return -1;
			break;
		}
	}
	ws(c);
	return c->p == c->end ? 0 : -1;
}

int merge_scan_line(const char *text, size_t len, struct mline *ret)
{
	struct scan c = { (const unsigned char *)text, (const unsigned char *)text + len };
	struct fields f = { 0 };

	ws(&c);
	if (c.p >= c.end || *c.p != '{' || walk(&c, &f) < 0 || !f.type)
		return 0;
	if (f.type_len == 3 && !memcmp(f.type, "run", 3)) {
		if (!f.has_run || f.run < 1)
			return 0;	/* refused: the full parse says why */
		*ret = (struct mline){ MLINE_RUN, f.run, 0 };
	} else if (f.type_len == 8 && !memcmp(f.type, "campaign", 8)) {
		*ret = (struct mline){ MLINE_CAMPAIGN, 0, f.event && f.event_len == 4 &&
							    !memcmp(f.event, "stop", 4) };
	} else {
		*ret = (struct mline){ MLINE_OTHER, f.has_run && f.run > 0 ? f.run : 0, 0 };
	}
	return 1;
}
