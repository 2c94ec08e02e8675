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

/* Every helper takes where the text stands (p, before end) and returns
 * where it stands after what it read, or NULL where the fast path stops:
 * p stays in a register through the walk. */

static const unsigned char *ws(const unsigned char *p, const unsigned char *end)
{
	/* journal lines have none: one test on the way */
	while (p < end && *p <= ' ' && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
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

/* The rest of a string from s, where a byte that is not plain stands: an
 * escape (*escaped is then set), UTF-8, or its end. */
static const unsigned char *string_rest(const unsigned char *s, const unsigned char *end,
					int *escaped)
{
	for (;;) {
		size_t n;
		unsigned cp;

		while (s < end && plain[*s])
			s++;
		if (s >= end || *s < 0x20)
			return NULL;
		if (*s == '"')
			return s + 1;
		if (*s == '\\') {
			*escaped = 1;
			if (end - s < 2)
				return NULL;
			if (s[1] == 'u')
				n = unicode_escape(s + 1, end);
			else
				n = s[1] && strchr("\"\\/bfnrt", s[1]) ? 1 : 0;
			if (!n)
				return NULL;
			s += 1 + n;
			continue;
		}
		if (!(n = utf8_decode(s, (size_t)(end - s), &cp)))
			return NULL;
		s += n;
	}
}

/* The string whose opening quote is at p; *escaped is set if it holds an
 * escape. Most are plain ASCII: those end here. */
static inline const unsigned char *string(const unsigned char *p, const unsigned char *end,
					  int *escaped)
{
	const unsigned char *s = p + 1;

	*escaped = 0;
	while (s < end && plain[*s])
		s++;
	if (s < end && *s == '"')
		return s + 1;
	return string_rest(s, end, escaped);
}

/* The number at p: *ret_is_int, and its value in *ret_int for an integer.
 * NULL for what is none, or one the full parse must judge (an exponent,
 * too many digits). */
static const unsigned char *number(const unsigned char *p, const unsigned char *end,
				   long long *ret_int, int *ret_is_int)
{
	const unsigned char *d0;
	unsigned long long v = 0;
	int neg = *p == '-';

	d0 = p += neg;
	if (p < end && *p == '0') {
		p++;
	} else {
		while (p < end && *p >= '0' && *p <= '9')
			v = v * 10 + (unsigned)(*p++ - '0');
		if (p == d0 || p - d0 > INT_DIGITS)
			return NULL;
	}
	*ret_is_int = 1;
	if (p < end && *p == '.') {
		const unsigned char *f0 = ++p;

		while (p < end && *p >= '0' && *p <= '9')
			p++;
		if (p == f0)
			return NULL;
		*ret_is_int = 0;
	}
	if (p < end && (*p == 'e' || *p == 'E'))
		return NULL;
	*ret_int = neg ? -(long long)v : (long long)v;
	return p;
}

static const unsigned char *literal(const unsigned char *p, const unsigned char *end,
				    const char *word, size_t n)
{
	return (size_t)(end - p) >= n && !memcmp(p, word, n) ? p + n : NULL;
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

/* A string at p; for a top-level member the merge reads, its text. */
static const unsigned char *string_value(const unsigned char *p, const unsigned char *end,
					 enum field field, struct fields *f)
{
	const unsigned char *start = p + 1;
	int escaped;

	if (!(p = string(p, end, &escaped)))
		return NULL;
	if (field == FIELD_TYPE || field == FIELD_EVENT) {
		if (escaped)
			return NULL;	/* the full parse decodes it */
		if (field == FIELD_TYPE) {
			f->type = start;
			f->type_len = (size_t)(p - 1 - start);
		} else {
			f->event = start;
			f->event_len = (size_t)(p - 1 - start);
		}
		return p;
	}
	not_read(field, f);
	return p;
}

/* A string, number or literal at p (a member's value or an element); f
 * gets what the merge reads of it. */
static const unsigned char *scalar(const unsigned char *p, const unsigned char *end,
				   enum field field, struct fields *f)
{
	long long v = 0;
	int is_int = 0;

	if (*p == '"')
		return string_value(p, end, field, f);
	if (*p == 't' || *p == 'f' || *p == 'n') {
		not_read(field, f);
		return *p == 't' ? literal(p, end, "true", 4) :
		       *p == 'f' ? literal(p, end, "false", 5) : literal(p, end, "null", 4);
	}
	if ((*p != '-' && (*p < '0' || *p > '9')) || !(p = number(p, end, &v, &is_int)))
		return NULL;
	if (field == FIELD_RUN && is_int) {
		f->has_run = 1;
		f->run = v;
	} else {
		not_read(field, f);
	}
	return p;
}

/* A member's key at p and the ':' after it, to the value; *ret_field is
 * the member if the merge reads it (depth 1). */
static const unsigned char *key(const unsigned char *p, const unsigned char *end, int depth,
				enum field *ret_field)
{
	const unsigned char *k = p + 1;
	int escaped;

	if (*p != '"' || !(p = string(p, end, &escaped)))
		return NULL;
	if (depth == 1 && escaped)
		return NULL;	/* it could spell one of the members */
	*ret_field = depth == 1 ? field_of(k, (size_t)(p - 1 - k)) : FIELD_NONE;
	p = ws(p, end);
	if (p >= end || *p != ':')
		return NULL;
	p = ws(p + 1, end);
	return p < end ? p : NULL;
}

/* After a value: past the ',' before the next one (*ret_more = 1), or the
 * closing brackets of the containers it ends, down to the top object's
 * (*ret_more = 0). */
static const unsigned char *after_value(const unsigned char *p, const unsigned char *end,
					unsigned long long arrays, int *depth, int *ret_more)
{
	for (;;) {
		p = ws(p, end);
		if (p >= end)
			return NULL;
		if (*p == ',') {
			*ret_more = 1;
			return p + 1;
		}
		if (*p != (arrays >> (*depth - 1) & 1 ? ']' : '}'))
			return NULL;
		p++;
		if (--*depth == 0) {
			*ret_more = 0;
			return p;
		}
	}
}

/* The object at p to the end of the text; f gets its members. Each turn
 * reads one value, its key first in an object (or finds the container
 * that just opened empty), then what follows it. */
static int walk(const unsigned char *p, const unsigned char *end, struct fields *f)
{
	unsigned long long arrays = 0;	/* bit d: the container at depth d + 1 is one */
	int depth = 1, opened = 1, more = 1;

	for (p++; more;) {
		int in_array = arrays >> (depth - 1) & 1;
		enum field field = FIELD_NONE;

		p = ws(p, end);
		if (p >= end)
			return -1;
		if (opened && *p == (in_array ? ']' : '}')) {
			p++;
			if (--depth == 0)
				break;
		} else if (!in_array && !(p = key(p, end, depth, &field))) {
			return -1;
		} else if (*p == '{' || *p == '[') {
			if (depth >= SCAN_DEPTH)
				return -1;
			not_read(field, f);
			arrays = (arrays & ~(1ULL << depth)) |
				 (unsigned long long)(*p++ == '[') << depth;
			depth++;
			opened = 1;
			continue;
		} else if (!(p = scalar(p, end, field, f))) {
			return -1;
		}
		opened = 0;
		if (!(p = after_value(p, end, arrays, &depth, &more)))
			return -1;
	}
	return ws(p, end) == end ? 0 : -1;
}

int merge_scan_line(const char *text, size_t len, struct mline *ret)
{
	const unsigned char *end = (const unsigned char *)text + len;
	const unsigned char *p = ws((const unsigned char *)text, end);
	struct fields f = { 0 };

	if (p >= end || *p != '{' || walk(p, end, &f) < 0 || !f.type)
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
