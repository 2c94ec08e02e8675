/* engine/logtemplate.c: each kind of variable part masked, what must stay
 * (words, a key:value, a word with digits' letters), lines split. */
#include <stdlib.h>
#include <string.h>

#include "logtemplate.h"
#include "tap.h"

static void masks(const char *line, const char *want, const char *what)
{
	char *t = logtemplate_mask(line, strlen(line));

	is_str(t, want, what);
	free(t);
}

static int count(void *ctx, const char *tmpl)
{
	int *n = ctx;

	(void)tmpl;
	return ++*n == 100;
}

int main(void)
{
	masks("elected leader 3 at term 17", "elected leader <n> at term <n>", "numbers");
	masks("took 12.5 ms", "took <n> ms", "a fraction is one number");
	masks("member n2 joined", "member n<n> joined", "digits inside a word");
	masks("2026-12-06T18:14:39.123Z apply", "<time> apply", "ISO 8601 with a zone");
	masks("2026-12-06 18:14:39,042 INFO x", "<time> INFO x", "date, clock with a comma");
	masks("2026-12-06T18:14:39+01:00 x", "<time> x", "a numeric zone");
	masks("Dec  6 18:14:39 n1 etcd[412]: ready", "<time> n<n> etcd[<n>]: ready",
	      "a syslog timestamp");
	masks("at 18:14 and 7:05:09.5", "at <time> and <time>", "clocks alone");
	masks("id 123e4567-e89b-12d3-a456-426614174000 gone", "id <uuid> gone", "a UUID");
	masks("peer 10.0.3.17:2380 down", "peer <ip>:<n> down", "IPv4 with a port");
	masks("from fe80::1 and 2001:db8::ff00:42:8329", "from <ip> and <ip>",
	      "compressed IPv6");
	masks("to 2001:0db8:0000:0000:0000:ff00:0042:8329.", "to <ip>.", "full IPv6");
	masks("mapped ::ffff:192.0.2.1 ok", "mapped <ip> ok", "IPv4-mapped IPv6");
	masks("ptr 0x7ffd3a2c and 0XFF", "ptr <hex> and <hex>", "0x hex");
	masks("raft a1b2c3d4e5f60718 voted", "raft <hex> voted", "a long hex id");
	masks("deadbeefcafe stays", "deadbeefcafe stays", "hex letters alone are a word");
	masks("key:value ab:cd", "key:value ab:cd", "colons that are no address");
	masks("version 1.2.3.4x", "version <n>.<n>x", "no IPv4 glued to a word");
	masks("trailing  \r", "trailing", "trailing space and CR dropped");
	masks("", "", "blank");

	char *a = logtemplate_mask("lost 3 writes", 13), *b = logtemplate_mask("lost 44 writes", 14);

	ok(!strcmp(a, b) && logtemplate_hash(a) == logtemplate_hash(b), "one template, one hash");
	ok(logtemplate_hash("x") != logtemplate_hash("y"), "hashes differ");
	free(a);
	free(b);

	char big[2000];

	memset(big, 'a', sizeof(big));
	a = logtemplate_mask(big, sizeof(big));
	is_int((long long)strlen(a), LOGTEMPLATE_LINE_MAX, "a long line is cut");
	free(a);

	const char *text = "one 1\n\n  \ntwo 2\nthree";
	int n = 0;

	is_int(logtemplate_each(text, strlen(text), count, &n), 0, "each line");
	is_int(n, 3, "blank lines skipped, a last line without newline kept");
	return tap_done();
}
