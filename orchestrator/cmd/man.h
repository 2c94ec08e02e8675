/* man.h - the manual pages campaign(1) and campaign.json(5) in groff's
 * man macros, generated from the tables that parse the command line (the
 * command table, each command's option tables, the exit codes) and read
 * the config (the field tables, through config_schema_walk()), so that
 * the pages cannot drift from the program. `campaign man 1|5` prints
 * them; the build writes them to <build>/man/. Every text from a table
 * goes through roff.h.
 */
#ifndef CAMPAIGN_MAN_H
#define CAMPAIGN_MAN_H

#include "buf.h"

/* Append campaign(1) to out. */
void man_campaign(struct buf *out);

/* Append campaign.json(5) to out. */
void man_config(struct buf *out);

/* Append the ".TH" line of page name(section) to out. */
void man_title(struct buf *out, const char *name, int section);

/* Append a heading: macro (".SH", ".SS") and text on the next line. */
void man_heading(struct buf *out, const char *macro, const char *text);

/* Append md (markdown, roff_markdown()) as a paragraph (".PP"). */
void man_paragraph(struct buf *out, const char *md);

/* Append a tagged paragraph (".TP"): tag and text both markdown. */
void man_tagged(struct buf *out, const char *tag, const char *text);

/* Append text as lines (each '\n' of it ends one) in a ".nf" block. */
void man_verbatim(struct buf *out, const char *text);

/* The example config of campaign.json(5), for test_man to read. */
extern const char man_config_example[];

#endif
