#include "buf.h"
#include "err.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

int main(void)
{
	struct buf b = BUF_INIT;
	struct err e;
	char *s;

	is_str(b.data, "", "empty buffer reads as empty string");
	buf_addf(&b, "%s-%d", "n", 3);
	buf_adds(&b, "  \n");
	buf_rtrim(&b);
	is_str(b.data, "n-3", "addf and rtrim");
	for (int i = 0; i < 1000; i++)
		buf_addch(&b, 'x');
	is_int((long long)b.len, 1003, "grows past its first allocation");
	s = buf_detach(&b);
	is_int((long long)strlen(s), 1003, "detach hands over the data");
	is_str(b.data, "", "detach resets the buffer");
	free(s);
	buf_release(&b);

	is_int(err_set(&e, "cannot open '%s'", "x"), -1, "err_set returns -1");
	err_prefix(&e, "node '%s'", "n1");
	is_str(e.msg, "node 'n1': cannot open 'x'", "err_prefix");
	return tap_done();
}
