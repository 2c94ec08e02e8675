/* report_util.c - the bottom of the report: escaping into HTML (through
 * the one escaping function, markup_escape), integers without printf and
 * axis steps, used by the data, the SVG charts and the pages above it. */
#include <math.h>

#include "escape.h"
#include "report_priv.h"

void report_esc(struct buf *out, const char *s)
{
	markup_escape(out, s ? s : "");
}

void report_badge(struct buf *out, int outcome, const char *text)
{
	buf_addlit(out, "<span class=\"o o-");
	buf_adds(out, report_outcomes[outcome]);	/* a class name of ours */
	buf_addlit(out, "\">");
	report_esc(out, text);
	buf_addlit(out, "</span>");
}

void report_add_ll(struct buf *out, long long v)
{
	char s[24], *p = s + sizeof(s);
	unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;

	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	buf_add(out, p, (size_t)(s + sizeof(s) - p));
}

double svg_nice_step(double range, int ticks)
{
	double raw, mag, norm;

	if (range <= 0 || ticks < 1)
		return 1;
	raw = range / ticks;
	mag = pow(10, floor(log10(raw)));
	norm = raw / mag;
	return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * mag;
}

