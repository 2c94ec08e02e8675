/* junit.h - junit.xml for CI servers (Jenkins, GitLab, GitHub actions).
 *
 *   <testsuites tests failures errors skipped time>
 *     <testsuite name="CAMPAIGN" ...>
 *       <testcase classname="CAMPAIGN.ORACLE" name="FAULT TYPE" time>
 *         <failure message="new flaw: SIGNATURE" type="CLASS">
 *           signature, trace path, counts, replay command
 *         </failure>
 *
 * One test case per oracle x fault type seen in the journal (and per
 * oracle x fault of a flaw, should the journal not show it). A flaw
 * outside the baseline is a <failure>; a flaw the baseline knows is a
 * <skipped> (visible, not failing); a campaign stopped by the harness
 * adds a "harness.infrastructure" case with an <error>. All text goes
 * through markup_escape().
 */
#ifndef CAMPAIGN_JUNIT_H
#define CAMPAIGN_JUNIT_H

#include "buf.h"
#include "err.h"

struct report_data;

/* The JUnit XML of d appended to out. */
void junit_build(const struct report_data *d, struct buf *out);

/* Write it to path (atomically). */
int junit_write(const struct report_data *d, const char *path, struct err *e);

#endif
