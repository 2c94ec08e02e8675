/* logtemplate.c - log lines to templates. Each position is tried against
 * the matchers in order (the longest shapes first: a timestamp is digits
 * too, an IPv6 address can look like a time); a match is replaced by its
 * placeholder, anything else is copied. */
#include "logtemplate.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

struct scan {
	const char *s;
	size_t len;
};

static int at(const struct scan *c, size_t i)
{
	return i < c->len ? (unsigned char)c->s[i] : 0;
}

static int is_word(int ch)
{
	return isalnum(ch) || ch == '_';
}

/* Does a token start at i (not inside a word)? */
static int starts_token(const struct scan *c, size_t i)
{
	return i == 0 || !is_word(at(c, i - 1));
}

static size_t digits(const struct scan *c, size_t i, size_t n_min, size_t n_max)
{
	size_t n = 0;

	while (n < n_max && isdigit(at(c, i + n)))
		n++;
	return n >= n_min ? n : 0;
}

static size_t hexes(const struct scan *c, size_t i, size_t n_max)
{
	size_t n = 0;

	while (n < n_max && isxdigit(at(c, i + n)))
		n++;
	return n;
}

/* hh:mm[:ss][.frac] */
static size_t match_clock(const struct scan *c, size_t i)
{
	size_t j = i;

	if (!digits(c, j, 1, 2) || at(c, j + digits(c, j, 1, 2)) != ':')
		return 0;
	j += digits(c, j, 1, 2) + 1;
	if (digits(c, j, 2, 2) != 2)
		return 0;
	j += 2;
	if (at(c, j) == ':' && digits(c, j + 1, 2, 2) == 2)
		j += 3;
	if ((at(c, j) == '.' || at(c, j) == ',') && digits(c, j + 1, 1, 9))
		j += 1 + digits(c, j + 1, 1, 9);
	return j - i;
}

/* a zone after a time: Z, +hh:mm, +hhmm */
static size_t match_zone(const struct scan *c, size_t i)
{
	if (at(c, i) == 'Z')
		return 1;
	if ((at(c, i) == '+' || at(c, i) == '-') && digits(c, i + 1, 2, 2) == 2) {
		if (at(c, i + 3) == ':' && digits(c, i + 4, 2, 2) == 2)
			return 6;
		if (digits(c, i + 3, 2, 2) == 2)
			return 5;
	}
	return 0;
}

/* yyyy-mm-dd[(T| )clock[zone]], or a clock alone */
static size_t match_time(const struct scan *c, size_t i)
{
	size_t j = i, k;

	if (digits(c, i, 4, 4) == 4 && at(c, i + 4) == '-' && digits(c, i + 5, 2, 2) == 2 &&
	    at(c, i + 7) == '-' && digits(c, i + 8, 2, 2) == 2) {
		j = i + 10;
		if ((at(c, j) == 'T' || at(c, j) == ' ') && (k = match_clock(c, j + 1)))
			j += 1 + k;
		else
			return j - i;
	} else if ((k = match_clock(c, j))) {
		j += k;
	} else {
		return 0;
	}
	return j + match_zone(c, j) - i;
}

/* Syslog's "Dec  6 18:14:39" */
static size_t match_syslog_time(const struct scan *c, size_t i)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	size_t j = i + 3, k;

	if (i + 3 > c->len || !starts_token(c, i))
		return 0;
	for (k = 0; k < 36; k += 3)
		if (!memcmp(c->s + i, months + k, 3))
			break;
	if (k == 36)
		return 0;
	while (at(c, j) == ' ')
		j++;
	if (j == i + 3 || !digits(c, j, 1, 2))
		return 0;
	j += digits(c, j, 1, 2);
	if (at(c, j) != ' ' || !(k = match_clock(c, j + 1)))
		return 0;
	return j + 1 + k - i;
}

/* 8-4-4-4-12 hex */
static size_t match_uuid(const struct scan *c, size_t i)
{
	static const size_t groups[] = { 8, 4, 4, 4, 12 };
	size_t j = i;

	for (int g = 0; g < 5; g++) {
		if (hexes(c, j, groups[g]) != groups[g])
			return 0;
		j += groups[g];
		if (g < 4 && at(c, j++) != '-')
			return 0;
	}
	return is_word(at(c, j)) ? 0 : j - i;
}

static size_t match_ipv4(const struct scan *c, size_t i)
{
	size_t j = i, n;

	for (int g = 0; g < 4; g++) {
		if (!(n = digits(c, j, 1, 3)))
			return 0;
		j += n;
		if (g < 3 && at(c, j++) != '.')
			return 0;
	}
	return isalnum(at(c, j)) || (at(c, j) == '.' && isdigit(at(c, j + 1))) ? 0 : j - i;
}

/* Groups of up to 4 hex digits between colons, with "::" or 7 colons
 * (so a clock or "key:value" is not one); a dotted IPv4 tail allowed. */
static size_t match_ipv6(const struct scan *c, size_t i)
{
	size_t j = i, n, v4;
	int colons = 0, dbl = 0;

	for (;;) {
		n = hexes(c, j, 5);
		if (n > 4)
			return 0;
		if (n && at(c, j + n) == '.' && (v4 = match_ipv4(c, j))) {
			j += v4;
			break;
		}
		j += n;
		if (at(c, j) != ':')
			break;
		colons++;
		j++;
		if (at(c, j) == ':') {
			if (dbl++)
				return 0;
			colons++;
			j++;
		}
	}
	if (colons < 2 || (!dbl && colons != 7) || is_word(at(c, j)))
		return 0;
	return j - i;
}

/* 0x..., or a token of 8+ hex digits holding a digit and a letter
 * (commit ids, hashes, node ids) */
static size_t match_hex(const struct scan *c, size_t i)
{
	size_t n;
	int digit = 0, letter = 0;

	if (at(c, i) == '0' && (at(c, i + 1) == 'x' || at(c, i + 1) == 'X') &&
	    (n = hexes(c, i + 2, (size_t)-1)))
		return is_word(at(c, i + 2 + n)) ? 0 : 2 + n;
	n = hexes(c, i, (size_t)-1);
	if (n < 8 || is_word(at(c, i + n)))
		return 0;
	for (size_t k = 0; k < n; k++)
		if (isdigit(at(c, i + k)))
			digit = 1;
		else
			letter = 1;
	return digit && letter ? n : 0;
}

static size_t match_number(const struct scan *c, size_t i)
{
	size_t n = digits(c, i, 1, (size_t)-1);

	if (n && (at(c, i + n) == '.' || at(c, i + n) == ',') && isdigit(at(c, i + n + 1)))
		n += 1 + digits(c, i + n + 1, 1, (size_t)-1);
	return n;
}

static const struct {
	size_t (*match)(const struct scan *c, size_t i);
	int token;		/* only where a token starts */
	const char *placeholder;
} matchers[] = {
	{ match_syslog_time, 1, "<time>" },
	{ match_uuid, 1, "<uuid>" },
	{ match_time, 1, "<time>" },
	{ match_ipv6, 1, "<ip>" },
	{ match_ipv4, 1, "<ip>" },
	{ match_hex, 1, "<hex>" },
	{ match_number, 0, "<n>" },
};

char *logtemplate_mask(const char *line, size_t len)
{
	struct scan c = { line, len < LOGTEMPLATE_LINE_MAX ? len : LOGTEMPLATE_LINE_MAX };
	struct buf out = BUF_INIT;
	size_t i = 0;

	while (i < c.len) {
		size_t n = 0;
		unsigned k;

		for (k = 0; k < sizeof(matchers) / sizeof(matchers[0]); k++)
			if ((!matchers[k].token || starts_token(&c, i)) &&
			    (n = matchers[k].match(&c, i)))
				break;
		if (n) {
			buf_adds(&out, matchers[k].placeholder);
			i += n;
		} else {
			buf_addch(&out, c.s[i++]);
		}
	}
	buf_rtrim(&out);
	return buf_detach(&out);
}

uint64_t logtemplate_hash(const char *tmpl)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (const unsigned char *p = (const unsigned char *)tmpl; *p; p++)
		h = (h ^ *p) * 0x100000001b3ull;
	return h;
}

int logtemplate_each(const char *text, size_t len,
		     int (*fn)(void *ctx, const char *tmpl), void *ctx)
{
	size_t i = 0;

	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - text) : len;
		char *t = logtemplate_mask(text + i, end - i);
		int r = t[0] ? fn(ctx, t) : 0;

		free(t);
		if (r)
			return r;
		i = end + 1;
	}
	return 0;
}
