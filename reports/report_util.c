/* report_util.c - the bottom of the report: escaping into HTML (through
 * the one escaping function, markup_escape) and axis steps, used by the
 * data, the SVG charts and the pages above it. */
#include <math.h>

#include "escape.h"
#include "report_priv.h"

void report_esc(struct buf *out, const char *s)
{
	markup_escape(out, s ? s : "");
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

