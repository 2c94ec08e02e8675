#include "report_json.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

#define RJ_MAX_DEPTH 2048	/* as jansson's parser */

static int bad(struct rj *c)
{
	c->bad = 1;
	c->p = c->end;
	return -1;
}

static inline void ws(struct rj *c)
{
	if (c->p < c->end && (unsigned char)*c->p > ' ')
		return;		/* compact JSON: the usual case */
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\n' ||
				 *c->p == '\t' || *c->p == '\r'))
		c->p++;
}

void rj_init(struct rj *c, const char *text, size_t len)
{
	c->p = text;
	c->end = text + len;
	c->depth = 0;
	c->bad = 0;
}

enum rj_kind rj_peek_slow(struct rj *c)
{
	ws(c);
	if (c->bad || c->p >= c->end)
		return RJ_BAD;
	return rj_kind_of(*c->p);
}

/* ---- strings ---------------------------------------------------------- */

static int hex4(const char *p, unsigned *ret)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		char h = p[i];

		v <<= 4;
		if (h >= '0' && h <= '9')
			v |= (unsigned)(h - '0');
		else if (h >= 'a' && h <= 'f')
			v |= (unsigned)(h - 'a' + 10);
		else if (h >= 'A' && h <= 'F')
			v |= (unsigned)(h - 'A' + 10);
		else
			return -1;
	}
	*ret = v;
	return 0;
}

static void put_utf8(struct buf *out, unsigned cp)
{
	char s[UTF8_MAX];

	buf_add(out, s, utf8_encode(cp, s));
}

/* One escape after the backslash at c->p; the code point goes to out. */
static int escape(struct rj *c, struct buf *out)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *k;
	unsigned cp, lo;

	if (c->end - c->p < 2)
		return -1;
	if (c->p[1] != 'u') {
		k = c->p[1] ? strchr(from, c->p[1]) : NULL;
		if (!k)
			return -1;
		if (out)
			buf_addch(out, to[k - from]);
		c->p += 2;
		return 0;
	}
	if (c->end - c->p < 6 || hex4(c->p + 2, &cp) < 0)
		return -1;
	c->p += 6;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return -1;	/* a low surrogate alone */
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (c->end - c->p < 6 || c->p[0] != '\\' || c->p[1] != 'u' ||
		    hex4(c->p + 2, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
			return -1;
		c->p += 6;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (cp == 0)
		return -1;	/* jansson refuses NUL without JSON_ALLOW_NUL */
	if (out)
		put_utf8(out, cp);
	return 0;
}

/* 1 for the bytes a string holds as they are: ASCII but controls, '"'
 * and backslash. One load per byte: most of a journal is strings. */
static const unsigned char plain[256] = {
#define R8(v) v, v, v, v, v, v, v, v
	R8(0), R8(0), R8(0), R8(0),		/* 0x00-0x1f */
	1, 1, 0, 1, 1, 1, 1, 1, R8(1),		/* 0x20-0x2f: '"' */
	R8(1), R8(1), R8(1), R8(1), R8(1),	/* 0x30-0x57 */
	1, 1, 1, 1, 0, 1, 1, 1,			/* 0x58-0x5f: backslash */
	R8(1), R8(1), R8(1), R8(1),		/* 0x60-0x7f */
#undef R8
};

/* The string at c->p (after its opening quote) up to and past its closing
 * quote, decoded into out (may be NULL): 0, or -1 (c is not marked bad). */
static int scan_string(struct rj *c, struct buf *out)
{
	const unsigned char *s, *end = (const unsigned char *)c->end;

	for (;;) {
		s = (const unsigned char *)c->p;
		while (s + 4 <= end && plain[s[0]] && plain[s[1]] && plain[s[2]] && plain[s[3]])
			s += 4;
		while (s < end && plain[*s])
			s++;
		if (out && s > (const unsigned char *)c->p)
			buf_add(out, c->p, (size_t)(s - (const unsigned char *)c->p));
		c->p = (const char *)s;
		if (s >= end || *s < 0x20)
			return -1;
		if (*s == '"') {
			c->p++;
			return 0;
		}
		if (*s == '\\') {
			if (escape(c, out) < 0)
				return -1;
			continue;
		}
		unsigned cp;
		size_t n = utf8_decode(s, (size_t)(end - s), &cp);

		if (!n)
			return -1;
		if (out)
			buf_add(out, s, n);
		c->p += n;
	}
}

int rj_string(struct rj *c, struct buf *out)
{
	if (out)
		buf_reset(out);
	ws(c);
	if (c->bad || c->p >= c->end || *c->p != '"')
		return bad(c);
	c->p++;
	return scan_string(c, out) < 0 ? bad(c) : 0;
}

/* ---- numbers and literals --------------------------------------------- */

static int digits(struct rj *c)
{
	const char *start = c->p;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
		c->p++;
	return c->p > start ? 0 : -1;
}

int rj_number(struct rj *c, double *ret_num, long long *ret_int, int *ret_is_int)
{
	const char *start;
	int neg = 0, is_int = 1, overflow = 0;
	unsigned long long v = 0;
	char tmp[64];
	double d;

	ws(c);
	start = c->p;
	if (c->p < c->end && *c->p == '-') {
		neg = 1;
		c->p++;
	}
	if (c->p >= c->end)
		return bad(c);
	if (*c->p == '0') {
		c->p++;
	} else {
		const char *d0 = c->p;

		/* up to 19 digits fit in an unsigned long long; more cannot
		 * be an integer that fits in a long long */
		while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
			v = v * 10 + (unsigned)(*c->p++ - '0');
		if (c->p == d0)
			return bad(c);
		overflow = c->p - d0 > 19;
	}
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		is_int = 0;
		if (digits(c) < 0)
			return bad(c);
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		c->p++;
		is_int = 0;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		if (digits(c) < 0)
			return bad(c);
	}
	if (is_int && (overflow || v > (unsigned long long)__LONG_LONG_MAX__ + (unsigned)neg))
		return bad(c);	/* jansson: "too big integer" */
	if (ret_is_int)
		*ret_is_int = is_int;
	if (is_int) {
		if (ret_int)
			*ret_int = neg ? (long long)(0 - v) : (long long)v;
		if (ret_num)
			*ret_num = neg ? -(double)v : (double)v;
		return 0;
	}
	{
		size_t n = (size_t)(c->p - start);
		char *s = n < sizeof(tmp) ? tmp : xmalloc(n + 1);

		memcpy(s, start, n);
		s[n] = '\0';
		errno = 0;
		d = strtod(s, NULL);
		if (s != tmp)
			free(s);
		if (errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL))
			return bad(c);	/* jansson: "real number overflow" */
	}
	if (ret_num)
		*ret_num = d;
	return 0;
}

static int literal(struct rj *c, const char *word, size_t n)
{
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n))
		return bad(c);
	c->p += n;
	return 0;
}

/* ---- containers ------------------------------------------------------- */

static int open_container(struct rj *c, char open, int *first)
{
	ws(c);
	if (c->bad || c->p >= c->end || *c->p != open)
		return bad(c);
	if (++c->depth > RJ_MAX_DEPTH)
		return bad(c);
	c->p++;
	*first = 1;
	return 0;
}

/* Before an item: 1 if one follows, 0 after the closing character. */
static int next_item(struct rj *c, char close, int *first)
{
	ws(c);
	if (c->bad || c->p >= c->end)
		return bad(c);
	if (*c->p == close && *first) {
		c->p++;
		c->depth--;
		return 0;
	}
	if (!*first) {
		if (*c->p == close) {
			c->p++;
			c->depth--;
			return 0;
		}
		if (*c->p != ',')
			return bad(c);
		c->p++;
	}
	*first = 0;
	return 1;
}

int rj_object(struct rj *c, int *first)
{
	return open_container(c, '{', first);
}

int rj_member(struct rj *c, int *first, struct buf *key)
{
	int r = next_item(c, '}', first);

	if (r <= 0)
		return r;
	if (rj_string(c, key) < 0)
		return -1;
	ws(c);
	if (c->p >= c->end || *c->p != ':')
		return bad(c);
	c->p++;
	return 1;
}

int rj_array(struct rj *c, int *first)
{
	return open_container(c, '[', first);
}

int rj_element(struct rj *c, int *first)
{
	return next_item(c, ']', first);
}

/* A plain integer (no sign, fraction or exponent, at most 18 digits: it
 * fits) passed over here; anything else goes to rj_number(). */
static int skip_number(struct rj *c)
{
	const char *p = c->p, *end = c->end;

	if (*p == '0') {
		p++;
	} else {
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p - c->p > 18 || (p < end && (*p == '.' || *p == 'e' || *p == 'E')))
		return rj_number(c, NULL, NULL, NULL);
	c->p = p;
	return 0;
}

static int skip_scalar(struct rj *c)
{
	if (*c->p >= '0' && *c->p <= '9')
		return skip_number(c);
	switch (*c->p) {
	case '"':
		c->p++;
		return scan_string(c, NULL);
	case 't':
		return literal(c, "true", 4);
	case 'f':
		return literal(c, "false", 5);
	case 'n':
		return literal(c, "null", 4);
	default:
		if (*c->p == '-' || (*c->p >= '0' && *c->p <= '9'))
			return rj_number(c, NULL, NULL, NULL);
		return -1;
	}
}

/* After '{' or ',' in an object: a key and its ':'. */
static int skip_key(struct rj *c)
{
	ws(c);
	if (c->p >= c->end || *c->p != '"')
		return -1;
	c->p++;
	if (scan_string(c, NULL) < 0)
		return -1;
	ws(c);
	if (c->p >= c->end || *c->p != ':')
		return -1;
	c->p++;
	return 0;
}

/* A JSON integer (with the sign, no fraction or exponent) of at most 18
 * digits at p: past it, or NULL. */
static const char *plain_int(const char *p, const char *end)
{
	const char *d0;

	if (p < end && *p == '-')
		p++;
	d0 = p;
	if (p < end && *p == '0')
		p++;
	else
		while (p < end && *p >= '0' && *p <= '9' && p - d0 < 19)
			p++;
	if (p == d0 || p - d0 > 18 || (p < end && (*p == '.' || *p == 'e' || *p == 'E' ||
						   (*p >= '0' && *p <= '9'))))
		return NULL;
	return p;
}

/* An array of arrays of integers, true, false and null, written compact
 * ([[1900,123,true],[2200,98,false]]: a probe's samples, most of a run's
 * line), checked and passed over in one loop: 0, or -1 with c untouched
 * when the array holds anything else (rj_skip() reads it then). */
static int skip_rows(struct rj *c)
{
	const char *p = c->p, *end = c->end;

	if (c->depth + 2 > RJ_MAX_DEPTH || end - p < 2 || p[0] != '[' || p[1] != '[')
		return -1;
	p++;
	for (;;) {
		p++;			/* the row's '[' */
		if (p < end && *p == ']') {
			p++;
		} else {
			for (;;) {
				if (p < end && (*p == '-' || (*p >= '0' && *p <= '9')))
					p = plain_int(p, end);
				else if (end - p >= 4 && !memcmp(p, "true", 4))
					p += 4;
				else if (end - p >= 5 && !memcmp(p, "false", 5))
					p += 5;
				else if (end - p >= 4 && !memcmp(p, "null", 4))
					p += 4;
				else
					return -1;
				if (!p || p >= end)
					return -1;
				if (*p == ']') {
					p++;
					break;
				}
				if (*p++ != ',')
					return -1;
			}
		}
		if (p >= end)
			return -1;
		if (*p == ']') {
			c->p = p + 1;
			return 0;
		}
		if (*p++ != ',' || p >= end || *p != '[')
			return -1;
	}
}

/* One value, containers included, in a loop rather than by recursion
 * (most of a journal line is skipped: probe samples by the thousand),
 * with the containers open below it kept as bits: 1 an object. */
int rj_skip(struct rj *c)
{
	unsigned char open[RJ_MAX_DEPTH / 8 + 1];
	int base = c->depth;

	if (c->bad)
		return -1;
	for (;;) {
		/* a value */
		ws(c);
		if (c->p >= c->end)
			return bad(c);
		if (*c->p == '[' && skip_rows(c) == 0) {
			/* passed over whole: on to what follows it */
		} else if (*c->p == '{' || *c->p == '[') {
			int obj = *c->p == '{', k = c->depth - base;

			if (++c->depth > RJ_MAX_DEPTH)
				return bad(c);
			open[k / 8] = (unsigned char)((open[k / 8] & ~(1u << (k % 8))) |
						      ((unsigned)obj << (k % 8)));
			c->p++;
			ws(c);
			if (c->p < c->end && *c->p == (obj ? '}' : ']')) {
				c->p++;
				c->depth--;
			} else {
				if (obj && skip_key(c) < 0)
					return bad(c);
				continue;
			}
		} else if (skip_scalar(c) < 0) {
			return bad(c);
		}
		/* after a value: close containers, or go on to the next item */
		for (;;) {
			int k, obj;

			if (c->depth == base)
				return 0;
			k = c->depth - base - 1;
			obj = open[k / 8] >> (k % 8) & 1;
			ws(c);
			if (c->p >= c->end)
				return bad(c);
			if (*c->p == (obj ? '}' : ']')) {
				c->p++;
				c->depth--;
				continue;
			}
			if (*c->p != ',')
				return bad(c);
			c->p++;
			if (obj && skip_key(c) < 0)
				return bad(c);
			break;
		}
	}
}

int rj_int(struct rj *c, long long *ret)
{
	int is_int = 0;
	long long v = 0;

	if (rj_peek(c) != RJ_NUMBER)
		return rj_skip(c) < 0 ? -1 : 0;
	if (rj_number(c, NULL, &v, &is_int) < 0)
		return -1;
	if (!is_int)
		return 0;
	*ret = v;
	return 1;
}

int rj_str(struct rj *c, struct buf *out)
{
	if (rj_peek(c) != RJ_STRING) {
		buf_reset(out);
		return rj_skip(c) < 0 ? -1 : 0;
	}
	return rj_string(c, out) < 0 ? -1 : 1;
}

int rj_bool(struct rj *c, int *ret)
{
	enum rj_kind k = rj_peek(c);

	if (k != RJ_TRUE && k != RJ_FALSE)
		return rj_skip(c) < 0 ? -1 : 0;
	*ret = k == RJ_TRUE;
	return rj_skip(c) < 0 ? -1 : 1;
}

int rj_end(struct rj *c)
{
	ws(c);
	if (c->bad || c->p != c->end)
		return bad(c);
	return 0;
}
