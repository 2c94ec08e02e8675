/* report_svg.c - the report's charts as inline SVG: no script, no fonts
 * or images fetched, readable from disk. Hover titles use <title>. */
#include <math.h>
#include <string.h>

#include "report_priv.h"

const char *const report_outcome_colours[OC_N] = {
	"#7b8794", "#2f9e5b", "#d64545", "#e07b00", "#5a6b8c", "#c98a16", "#8e6ac8",
};

/* A label cut to about max bytes on a UTF-8 boundary, escaped. */
static void short_label(struct buf *out, const char *s, size_t max)
{
	size_t n = strlen(s);
	struct buf cut = BUF_INIT;

	if (n <= max) {
		report_esc(out, s);
		return;
	}
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	buf_add(&cut, s, max);
	buf_adds(&cut, "\xe2\x80\xa6");
	report_esc(out, cut.data);
	buf_release(&cut);
}

static void legend(struct buf *out)
{
	buf_adds(out, "<div class=\"legend\">");
	for (int i = 0; i < OC_N; i++)
		buf_addf(out, "<span><i style=\"background:%s\"></i>%s</span>",
			 report_outcome_colours[i], report_outcomes[i]);
	buf_adds(out, "</div>\n");
}

void svg_outcome_bars(struct buf *out, int n, const char *const *labels,
		      const long long (*counts)[OC_N])
{
	const int W = 640, L = 170, R = 60, ROW = 24, T = 6;
	double max = 1, scale;

	for (int i = 0; i < n; i++) {
		double t = 0;

		for (int k = 0; k < OC_N; k++)
			t += (double)counts[i][k];
		if (t > max)
			max = t;
	}
	scale = (W - L - R) / max;
	legend(out);
	buf_addf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
		 "width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"outcomes by fault type\">\n",
		 W, T * 2 + ROW * n, W, T * 2 + ROW * n);
	for (int i = 0; i < n; i++) {
		double x = L, total = 0;
		int y = T + ROW * i;

		buf_addf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", L - 6, y + 15);
		short_label(out, labels[i], 26);
		buf_adds(out, "<title>");
		report_esc(out, labels[i]);
		buf_adds(out, "</title></text>\n");
		for (int k = 0; k < OC_N; k++) {
			double w = (double)counts[i][k] * scale;

			total += (double)counts[i][k];
			if (!counts[i][k])
				continue;
			buf_addf(out, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
				 "fill=\"%s\"><title>", x, y + 3, w < 1 ? 1 : w, ROW - 6,
				 report_outcome_colours[k]);
			report_esc(out, labels[i]);
			buf_addf(out, ": %s %lld</title></rect>\n", report_outcomes[k],
				 counts[i][k]);
			x += w;
		}
		buf_addf(out, "<text x=\"%.1f\" y=\"%d\">%.0f</text>\n", x + 5, y + 15, total);
	}
	buf_adds(out, "</svg>\n");
}

/* Counts: integer steps only. */
static void y_axis(struct buf *out, int L, int T, int H, int W, double ymax)
{
	double step = svg_nice_step(ymax, 4);

	if (step < 1)
		step = 1;

	for (double v = 0; v <= ymax + step / 1000; v += step) {
		double y = T + H - v / ymax * H;

		buf_addf(out, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" "
			 "stroke=\"#e4e7eb\"/><text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">"
			 "%g</text>\n", L, L + W, y, y, L - 4, y + 4, v);
	}
}

void svg_histogram(struct buf *out, const struct rhist *h, const struct rstat *s,
		   const char *unit)
{
	const int W = 560, H = 170, L = 50, T = 40, B = 34;
	double ymax = 1, bw, xmax, xstep;

	if (!h->n_bins) {
		buf_adds(out, "<p class=\"sub\">no resets recorded</p>\n");
		return;
	}
	for (int i = 0; i < h->n_bins; i++)
		if ((double)h->counts[i] > ymax)
			ymax = (double)h->counts[i];
	ymax = ymax < 4 ? 4 : ceil(ymax / svg_nice_step(ymax, 4)) * svg_nice_step(ymax, 4);
	xmax = (double)h->n_bins * (double)h->bin_ms;
	bw = (double)W / h->n_bins;
	buf_addf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
		 "width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"histogram\">\n",
		 L + W + 20, T + H + B, L + W + 20, T + H + B);
	y_axis(out, L, T, H, W, ymax);
	for (int i = 0; i < h->n_bins; i++) {
		double bh = (double)h->counts[i] / ymax * H;
		int last = i == h->n_bins - 1;

		if (!h->counts[i])
			continue;
		buf_addf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			 "fill=\"#5b8ed6\"><title>", L + i * bw + 0.5, T + H - bh,
			 bw - 1 > 1 ? bw - 1 : 1, bh);
		if (last)
			buf_addf(out, "%lld %s and more", i * h->bin_ms, unit);
		else
			buf_addf(out, "%lld\xe2\x80\x93%lld %s", i * h->bin_ms,
				 (i + 1) * h->bin_ms, unit);
		buf_addf(out, ": %lld</title></rect>\n", h->counts[i]);
	}
	xstep = svg_nice_step(xmax, 6);
	for (double v = 0; v <= xmax + xstep / 1000; v += xstep)
		buf_addf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%g</text>\n",
			 L + v / xmax * W, T + H + 14, v);
	buf_addf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
		 L + W / 2, T + H + 30, unit);
	for (int k = 0; k < 3; k++) {
		static const char *const names[] = { "p50", "p95", "p99" };
		long long v = k == 0 ? s->p50 : k == 1 ? s->p95 : s->p99;
		double x = L + ((double)v + 0.5) / xmax * W;

		if (x > L + W)
			x = L + W;
		buf_addf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" "
			 "stroke=\"#d64545\" stroke-dasharray=\"4 3\"/>"
			 "<text class=\"mk\" x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">"
			 "%s %lld %s</text>\n", x, x, 12 * k + 4, T + H,
			 x > L + W * 0.7 ? x - 3 : x + 3, 12 * k + 12,
			 x > L + W * 0.7 ? "end" : "start", names[k], v, unit);
	}
	buf_adds(out, "</svg>\n");
}

void svg_saturation(struct buf *out, const struct rsat *pts, int n,
		    long long last_run, const char *what, const char *one,
		    const char *colour)
{
	const int W = 560, H = 170, L = 50, T = 14, B = 34;
	double xmax = last_run > 1 ? (double)last_run : 1, ymax;
	struct buf path = BUF_INIT;
	double xstep;

	ymax = n ? pts[n - 1].n : 1;
	ymax = ymax < 4 ? 4 : ceil(ymax / svg_nice_step(ymax, 4)) * svg_nice_step(ymax, 4);
	buf_addf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
		 "width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%s by run\">\n",
		 L + W + 20, T + H + B, L + W + 20, T + H + B, what);
	y_axis(out, L, T, H, W, ymax);
	xstep = svg_nice_step(xmax, 6);
	for (double v = 0; v <= xmax + xstep / 1000; v += xstep)
		buf_addf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%g</text>\n",
			 L + v / xmax * W, T + H + 14, v);
	buf_addf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">run number</text>\n",
		 L + W / 2, T + H + 30);
	buf_addf(&path, "M%d %d", L, T + H);
	for (int i = 0; i < n; i++) {
		double x = L + (double)pts[i].run / xmax * W;
		double y0 = T + H - (i ? pts[i - 1].n : 0) / ymax * H;
		double y1 = T + H - pts[i].n / ymax * H;

		buf_addf(&path, " L%.1f %.1f L%.1f %.1f", x, y0, x, y1);
	}
	buf_addf(&path, " L%d %.1f", L + W, T + H - (n ? pts[n - 1].n : 0) / ymax * H);
	buf_addf(out, "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>\n",
		 path.data, colour);
	for (int i = 0; i < n; i++)
		buf_addf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\">"
			 "<title>run %lld: %s %d</title></circle>\n",
			 L + (double)pts[i].run / xmax * W, T + H - pts[i].n / ymax * H,
			 colour, pts[i].run, one, pts[i].n);
	buf_adds(out, "</svg>\n");
	buf_release(&path);
}
