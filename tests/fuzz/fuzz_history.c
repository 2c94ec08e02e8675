/* fuzz_history.c - libFuzzer target for an operation history (JSON lines
 * of workload clients): history_parse() with its validation and pairing
 * of invokes and completions, then what every checker and `campaign
 * export-history` does with a parsed history first: each operation as
 * text and JSON, and the whole as Jepsen's EDN. Pure: nothing is written.
 *
 * Input: the file's bytes.
 */
#include "buf.h"
#include "history.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct history *h = NULL;
	struct err e = { "" };
	struct buf out = BUF_INIT;

	if (history_parse("fuzz.jsonl", (const char *)data, size, &h, &e) < 0)
		return 0;
	for (size_t i = 0; i < h->n_ops; i++) {
		char *text = history_op_text(h, i);

		free(text);
		json_decref(history_op_json(h, i));
	}
	history_export_jepsen(h, &out);
	buf_release(&out);
	history_free(h);
	return 0;
}
