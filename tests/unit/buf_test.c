/*
 * buf_test.c - unit tests of common/buf.c's base64: RFC 4648's test
 * vectors (section 10), every padding, bytes above 0x7f, the exact
 * length base64_encode writes, and buf_add_base64 appending after what
 * a buffer holds.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "tap.h"

static void
test_vectors(void)
{
	static const char *const in[] = { "", "f", "fo", "foo", "foob",
	    "fooba", "foobar" };
	static const char *const out[] = { "", "Zg==", "Zm8=", "Zm9v",
	    "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	struct buf	 b;
	size_t		 i;

	for (i = 0; i < sizeof in / sizeof in[0]; i++) {
		buf_init(&b);
		buf_add_base64(&b, in[i], strlen(in[i]));
		TAP_STREQ(b.s, out[i]);
		TAP_CHECK(b.len == BASE64_LEN(strlen(in[i])));
		buf_free(&b);
	}
}

static void
test_exact(void)
{
	static const unsigned char bin[] = { 0x00, 0xff, 0xfe, 0x80, 0x7f };
	char	 out[16];

	/* Nothing past BASE64_LEN: the byte after is untouched. */
	memset(out, '#', sizeof out);
	base64_encode(out, bin, sizeof bin);
	TAP_CHECK(BASE64_LEN(sizeof bin) == 8);
	TAP_CHECK(memcmp(out, "AP/+gH8=#", 9) == 0);
	memset(out, '#', sizeof out);
	base64_encode(out, bin, 3);
	TAP_CHECK(memcmp(out, "AP/+#", 5) == 0);
}

static void
test_append(void)
{
	struct buf	 b;

	buf_init(&b);
	buf_adds(&b, "=?UTF-8?B?");
	buf_add_base64(&b, "\xc3\xa9t\xc3\xa9", 5);
	buf_adds(&b, "?=");
	TAP_STREQ(b.s, "=?UTF-8?B?w6l0w6k=?=");
	buf_free(&b);
}

static const struct tap_case cases[] = {
	{ "base64: RFC 4648's test vectors", test_vectors },
	{ "base64_encode writes exactly BASE64_LEN bytes", test_exact },
	{ "buf_add_base64 appends after what the buffer holds", test_append },
};

TAP_MAIN(cases)
