/* report_assets.h - the report's assets (reports/assets/), embedded in the
 * program at build time by reports/embed.cmake: NUL-terminated text. */
#ifndef CAMPAIGN_REPORT_ASSETS_H
#define CAMPAIGN_REPORT_ASSETS_H

extern const char report_asset_report_css[];
extern const char report_asset_runs_filter_js[];

#endif
