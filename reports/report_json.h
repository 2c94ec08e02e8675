/* report_json.h - a strict JSON cursor that reads without building a tree.
 *
 * The report reads every line of a journal that may hold 100,000 runs of
 * a few kilobytes each (mostly probe samples it does not need). Building
 * a jansson tree per line costs about 80 us; this cursor checks the same
 * grammar (RFC 8259, UTF-8, no NUL, depth <= 2048, no trailing bytes) and
 * decodes only the members asked for, about ten times faster. It does not
 * look for duplicate keys: journal_open() does, when a campaign writes.
 *
 * Use: rj_init() over a text, then rj_member()/rj_element() to walk
 * objects and arrays, rj_string()/rj_int()/rj_skip() for values, and
 * rj_end() to check that nothing follows. Every function returns -1 on a
 * syntax error (and c->bad is then set; the cursor is dead); no function
 * allocates except rj_string() growing its output buffer.
 */
#ifndef CAMPAIGN_REPORT_JSON_H
#define CAMPAIGN_REPORT_JSON_H

#include <stddef.h>

#include "buf.h"

struct rj {
	const char *p, *end;
	int depth;
	int bad;
};

enum rj_kind { RJ_BAD = 0, RJ_OBJECT, RJ_ARRAY, RJ_STRING, RJ_NUMBER,
	       RJ_TRUE, RJ_FALSE, RJ_NULL };

void rj_init(struct rj *c, const char *text, size_t len);

/* The kind of value a first byte starts. */
static inline enum rj_kind rj_kind_of(char ch)
{
	switch (ch) {
	case '{': return RJ_OBJECT;
	case '[': return RJ_ARRAY;
	case '"': return RJ_STRING;
	case 't': return RJ_TRUE;
	case 'f': return RJ_FALSE;
	case 'n': return RJ_NULL;
	default:
		return ch == '-' || (ch >= '0' && ch <= '9') ? RJ_NUMBER : RJ_BAD;
	}
}

enum rj_kind rj_peek_slow(struct rj *c);

/* The kind of the next value (white space skipped), without reading it:
 * inline for compact JSON, where no white space comes first. */
static inline enum rj_kind rj_peek(struct rj *c)
{
	if (!c->bad && c->p < c->end && (unsigned char)*c->p > ' ')
		return rj_kind_of(*c->p);
	return rj_peek_slow(c);
}

/* Check and pass over the next value. */
int rj_skip(struct rj *c);

/* Open an object: 0, or -1 if the next value is not an object. Then
 * rj_member() reads one key into key (NULL: check it only) and the ':'
 * after it, returning 1; the caller reads or skips the value. It returns
 * 0 after the closing '}'. *first must be 1 before the first call. */
int rj_object(struct rj *c, int *first);
int rj_member(struct rj *c, int *first, struct buf *key);

/* The same for arrays: rj_element() returns 1 before each element and 0
 * after the closing ']'. */
int rj_array(struct rj *c, int *first);
int rj_element(struct rj *c, int *first);

/* A string value decoded into out (reset first; NULL: check only). */
int rj_string(struct rj *c, struct buf *out);

/* A number. *ret_is_int is 1 when it has no fraction or exponent;
 * *ret_int is then its value, and *ret_num is its value as a double in
 * any case. As in jansson, an integer that does not fit in long long
 * and a real that overflows a double are errors. Pointers may be NULL. */
int rj_number(struct rj *c, double *ret_num, long long *ret_int, int *ret_is_int);

/* Read a value that should be an integer: 1 with *ret set, 0 if it was
 * another (valid) value, which is skipped; -1 on a syntax error. */
int rj_int(struct rj *c, long long *ret);

/* Read a value that should be a string: 1 with out set, 0 if it was
 * another (valid) value, which is skipped (out is then ""). */
int rj_str(struct rj *c, struct buf *out);

/* Read a value that should be true or false: 1 with *ret set, 0 if it
 * was another valid value, which is skipped. */
int rj_bool(struct rj *c, int *ret);

/* Only white space may remain: 0, else -1. */
int rj_end(struct rj *c);

#endif
