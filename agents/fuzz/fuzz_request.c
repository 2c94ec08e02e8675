/* fuzz_request.c - libFuzzer target for everything the agent parses from
 * a request before acting: the verb and its JSON argument (and, through
 * them, every fault's parameter specs and formats), undo tokens, and the
 * UTF-8 sanitiser of replies. All of it is pure, so a fuzz run changes
 * nothing on the machine.
 *
 * Input: byte 0 picks the verb (or, >= 0xf0, a raw verb string up to the
 * first NUL); the rest is the JSON argument.
 */
#include "request.h"
#include "state.h"

#include <stdlib.h>
#include <string.h>

static const char *const verbs[] = {
	"ping", "list", "check", "inject", "undo", "status", "collect", "inject",
};

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct request r = REQUEST_INIT;
	struct agent_err e = { "" };
	char verb[64], *text;
	const char *body = (const char *)data + 1;
	size_t len;

	if (size < 1)
		return 0;
	len = size - 1;
	if (data[0] >= 0xf0) {
		size_t n = strnlen(body, len < sizeof(verb) - 1 ? len : sizeof(verb) - 1);

		memcpy(verb, body, n);
		verb[n] = '\0';
		body += n;
		len -= n;
	} else {
		strcpy(verb, verbs[data[0] % 8]);
	}
	if (request_parse(verb, body, len, &r, &e) == 0) {
		if (r.fault) {
			json_t *d = fault_describe(r.fault);
			char *dump = json_dumps(r.params, JSON_COMPACT);

			free(dump);
			json_decref(d);
		}
		request_release(&r);
	} else {
		json_decref(agent_json_text(e.msg, strlen(e.msg), 0));
	}

	/* The same bytes as a token, and through the sanitiser. */
	text = malloc(len + 1);
	if (!text)
		return 0;
	memcpy(text, body, len);
	text[len] = '\0';
	{
		const struct fault *f;
		json_t *state = NULL;
		char id[17], *dec;
		size_t dlen;

		if (token_decode(text, id, &f, &state, &e) == 0)
			json_decref(state);
		if (b64url_decode(text, &dec, &dlen) == 0)
			free(dec);
	}
	json_decref(agent_json_text(text, len, data[0] & 1));
	free(text);
	return 0;
}
