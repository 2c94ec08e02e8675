/* config_duration.c - "1h30m" to seconds, for configs and options. */
#include "config_duration.h"

#include <math.h>
#include <string.h>

#define DIGITS "0123456789"

/* Digits with an optional fraction, as in "1.5"; never locale-dependent
 * like strtod. Returns the characters used, 0 when there is no number. */
static size_t parse_decimal(const char *s, double *ret)
{
	size_t n = strspn(s, DIGITS), i;
	double v = 0, scale = 1;

	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	if (s[n] == '.') {
		if (!strspn(s + n + 1, DIGITS))
			return 0;
		for (n++; s[n] >= '0' && s[n] <= '9'; n++)
			v += (s[n] - '0') * (scale /= 10);
	}
	*ret = v;
	return n;
}

int config_parse_duration(const char *s, double *ret_seconds)
{
	static const struct {
		const char *unit;
		double seconds;
		int rank;	/* units come in the order d h m s ms */
	} units[] = {
		{ "d", 86400, 0 }, { "h", 3600, 1 }, { "ms", 0.001, 4 },
		{ "m", 60, 2 }, { "s", 1, 3 },
	};
	const size_t n_units = sizeof(units) / sizeof(units[0]);
	double total = 0, v;
	int last = -1;
	size_t n, u;

	if (!s || !*s)
		return -1;
	while (*s) {
		if (!(n = parse_decimal(s, &v)))
			return -1;
		s += n;
		for (u = 0; u < n_units; u++)
			if (!strncmp(s, units[u].unit, strlen(units[u].unit)))
				break;
		if (u == n_units || units[u].rank <= last)
			return -1;
		last = units[u].rank;
		s += strlen(units[u].unit);
		total += v * units[u].seconds;
	}
	if (!isfinite(total))
		return -1;
	*ret_seconds = total;
	return 0;
}
