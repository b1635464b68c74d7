/*
 * textfile_test.c - unit tests for the files of the file cmdlets
 * (shell/textfile.c), the CSV header reader (shell/cmd_csv.c) and
 * outfile_write (shell/cmd_file.c), the writer the redirection operators
 * call: paths, decoding and encoding, read errors, atomic and appending
 * writes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shell.h"
#include "tap.h"
#include "textfile.h"
#include "xmalloc.h"

static char	test_dir[] = "/tmp/hubsh-textfile.XXXXXX";

/* A path in the test directory (static buffer). */
static const char *
at(const char *name)
{
	static char	path[256];

	snprintf(path, sizeof path, "%s/%s", test_dir, name);
	return (path);
}

static void
put(const char *name, const void *bytes, size_t n)
{
	FILE	*f;

	f = fopen(at(name), "wb");
	TAP_CHECK(f != NULL);
	if (f == NULL)
		return;
	TAP_CHECK(fwrite(bytes, 1, n, f) == n);
	fclose(f);
}

/* The bytes of a file as hex (heap). */
static char *
hex(const char *name)
{
	struct buf	 b;
	FILE		*f;
	int		 c;

	buf_init(&b);
	if ((f = fopen(at(name), "rb")) != NULL) {
		while ((c = fgetc(f)) != EOF)
			buf_addf(&b, "%02x", c);
		fclose(f);
	}
	return (b.s != NULL ? buf_detach(&b) : xstrdup(""));
}

#define STR_IS(expr, want) do {						\
	char *s_ = (expr);						\
	TAP_STREQ(s_, want);						\
	free(s_);							\
} while (0)

static void
test_fullpath(void)
{
	char	*cwd, *want;

	STR_IS(textfile_fullpath("/a/b/../c/./d//e"), "/a/c/d/e");
	STR_IS(textfile_fullpath("/.."), "/");
	STR_IS(textfile_fullpath("/x\\y\\z.csv"), "/x/y/z.csv");
	cwd = getcwd(NULL, 0);
	want = xprintf("%s/partners.csv", cwd);
	STR_IS(textfile_fullpath(".\\partners.csv"), want);
	free(want);
	want = xprintf("%s/~x", cwd);
	STR_IS(textfile_fullpath("~x"), want);
	free(want);
	free(cwd);
	setenv("HOME", "/home/admin", 1);
	STR_IS(textfile_fullpath("~/p.csv"), "/home/admin/p.csv");
	STR_IS(textfile_fullpath("~"), "/home/admin");
}

static void
test_decode(void)
{
	struct buf	b;

	/* UTF-16 LE with a surrogate pair; a lone surrogate; a cut unit. */
	buf_init(&b);
	TAP_CHECK(textfile_decode((const unsigned char *)
	    "A\0=\xd8\x00\xde\x00\xdc" "B", 9, TE_UTF16LE, &b) == 0);
	TAP_STREQ(b.s, "A\xf0\x9f\x98\x80\xef\xbf\xbd\xef\xbf\xbd");
	buf_free(&b);
	/* Invalid UTF-8 is U+FFFD; a NUL is refused. */
	buf_init(&b);
	TAP_CHECK(textfile_decode((const unsigned char *)"a\xffz", 3,
	    TE_DEFAULT, &b) == 0);
	TAP_STREQ(b.s, "a\xef\xbf\xbdz");
	buf_reset(&b);
	TAP_CHECK(textfile_decode((const unsigned char *)"ab\0c", 4,
	    TE_DEFAULT, &b) == -1);
	TAP_STREQ(b.s, "ab");
	buf_free(&b);
	/* ASCII: anything past 0x7f is '?'. */
	buf_init(&b);
	TAP_CHECK(textfile_decode((const unsigned char *)"Zo\xc3\xab", 4,
	    TE_ASCII, &b) == 0);
	TAP_STREQ(b.s, "Zo??");
	buf_free(&b);
}

static void
test_encode(void)
{
	struct buf	 b;
	size_t		 bom;

	buf_init(&b);
	textfile_bom(&b, TE_UTF16BE);
	textfile_encode(&b, "\xc3\xab\xf0\x9f\x98\x80", 6, TE_UTF16BE);
	TAP_CHECK(b.len == 8 && memcmp(b.s,
	    "\xfe\xff\x00\xeb\xd8\x3d\xde\x00", 8) == 0);
	TAP_CHECK(textfile_sniff((unsigned char *)b.s, b.len, &bom) ==
	    TE_UTF16BE && bom == 2);
	buf_reset(&b);
	textfile_bom(&b, TE_UTF32BE);
	TAP_CHECK(b.len == 4 && memcmp(b.s, "\0\0\xfe\xff", 4) == 0);
	TAP_CHECK(textfile_sniff((unsigned char *)b.s, b.len, &bom) ==
	    TE_UTF32BE && bom == 4);
	buf_reset(&b);
	textfile_encode(&b, "Zo\xc3\xab \xf0\x9f\x98\x80", 9, TE_ASCII);
	TAP_STREQ(b.s, "Zo? ??");
	buf_reset(&b);
	textfile_bom(&b, TE_DEFAULT);
	textfile_bom(&b, TE_ASCII);
	TAP_CHECK(b.len == 0);
	TAP_CHECK(textfile_sniff((unsigned char *)"\xff\xfe\0\0", 4, &bom) ==
	    TE_UTF32LE && bom == 4);
	TAP_CHECK(textfile_sniff((unsigned char *)"ab", 2, &bom) ==
	    TE_DEFAULT && bom == 0);
	buf_free(&b);
}

static void
test_read(void)
{
	struct textread	tr;
	char		*path;

	put("bom.txt", "\xff\xfe" "a\0\n\0", 6);
	TAP_CHECK(textfile_read(at("bom.txt"), TE_DEFAULT, &tr) == 0);
	TAP_CHECK(tr.enc == TE_UTF16LE && tr.len == 2);
	TAP_STREQ(tr.text, "a\n");
	textread_free(&tr);
	TAP_CHECK(textfile_read(at("bom.txt"), TE_BYTE, &tr) == 0);
	TAP_CHECK(tr.len == 6 && (unsigned char)tr.text[0] == 0xff);
	textread_free(&tr);
	put("empty.txt", "", 0);
	TAP_CHECK(textfile_read(at("empty.txt"), TE_DEFAULT, &tr) == 0);
	TAP_CHECK(tr.len == 0 && tr.text != NULL && *tr.text == '\0');
	textread_free(&tr);
	errno = 0;
	TAP_CHECK(textfile_read(at("none.txt"), TE_DEFAULT, &tr) == -1 &&
	    errno == ENOENT);
	TAP_CHECK(textfile_read(at("none/x.txt"), TE_DEFAULT, &tr) == -1 &&
	    errno == ENOTDIR);
	TAP_CHECK(textfile_read(test_dir, TE_DEFAULT, &tr) == -1 &&
	    errno == EISDIR);
	put("nul.txt", "a\0b", 3);
	TAP_CHECK(textfile_read(at("nul.txt"), TE_DEFAULT, &tr) == -1 &&
	    errno == EILSEQ);
	path = textfile_message(ENOTDIR, "/x/y.csv");
	TAP_STREQ(path, "Could not find a part of the path '/x/y.csv'.");
	free(path);
	TAP_STREQ(textfile_reason(ENOENT), "FileNotFoundException");
	TAP_STREQ(textfile_refusal(EOVERFLOW), "LineTooLong");
	TAP_CHECK(textfile_refusal(EACCES) == NULL);
}

static void
test_write(void)
{
	struct textfile	tf;
	char		last, *tmp;

	put("w.txt", "old\n", 4);
	TAP_CHECK(textfile_target(&tf, at("w.txt")) == 0 && tf.exists);
	TAP_CHECK(textfile_begin(&tf, false) == 0 && tf.tmp != NULL);
	TAP_CHECK(textfile_copy(&tf, &last) == 0 && last == '\n');
	TAP_CHECK(textfile_write(&tf, "new\n", 4) == 0);
	STR_IS(hex("w.txt"), "6f6c640a");
	TAP_CHECK(textfile_commit(&tf) == 0 && tf.tmp == NULL);
	textfile_free(&tf);
	STR_IS(hex("w.txt"), "6f6c640a6e65770a");
	TAP_CHECK(textfile_target(&tf, at("w.txt")) == 0);
	TAP_CHECK(textfile_begin(&tf, true) == 0 && tf.appending);
	TAP_CHECK(textfile_write(&tf, "x", 1) == 0);
	TAP_CHECK(textfile_commit(&tf) == 0);
	textfile_free(&tf);
	STR_IS(hex("w.txt"), "6f6c640a6e65770a78");
	/* A temporary file never committed is removed. */
	TAP_CHECK(textfile_target(&tf, at("w.txt")) == 0);
	TAP_CHECK(textfile_begin(&tf, false) == 0);
	tmp = xstrdup(tf.tmp != NULL ? tf.tmp : "");
	TAP_CHECK(access(tmp, F_OK) == 0);
	TAP_CHECK(textfile_write(&tf, "lost", 4) == 0);
	textfile_free(&tf);
	TAP_CHECK(access(tmp, F_OK) == -1);
	free(tmp);
	STR_IS(hex("w.txt"), "6f6c640a6e65770a78");
	errno = 0;
	TAP_CHECK(textfile_target(&tf, at("none/w.txt")) == -1 &&
	    errno == ENOTDIR);
	textfile_free(&tf);
	TAP_CHECK(textfile_target(&tf, test_dir) == -1 && errno == EISDIR);
	textfile_free(&tf);
}

static void
test_outfile(void)
{
	struct shell	*sh;
	struct value	*v[2];
	char		*err, *want;

	sh = shell_create();
	v[0] = value_string("first");
	v[1] = value_int(2);
	TAP_CHECK(outfile_write(sh, at("o.txt"), false, v, 2, &err) == 0 &&
	    err == NULL);
	STR_IS(hex("o.txt"), "66697273740a320a");
	TAP_CHECK(outfile_write(sh, at("o.txt"), true, v, 1, &err) == 0);
	STR_IS(hex("o.txt"), "66697273740a320a66697273740a");
	TAP_CHECK(outfile_write(sh, at("o.txt"), false, v, 0, &err) == 0);
	STR_IS(hex("o.txt"), "");
	TAP_CHECK(outfile_write(sh, at("none/o.txt"), false, v, 1, &err) ==
	    -1);
	want = xprintf("Could not find a part of the path '%s'.",
	    at("none/o.txt"));
	TAP_STREQ(err, want);
	free(want);
	free(err);
	TAP_CHECK(outfile_write(sh, test_dir, false, v, 1, &err) == -1);
	want = xprintf("Access to the path '%s' is denied.", test_dir);
	TAP_STREQ(err, want);
	free(want);
	free(err);
	value_unref(v[0]);
	value_unref(v[1]);
	shell_free(sh);
}

static void
test_csv_header(void)
{
	char	**names;
	size_t	  n, i;

	names = csv_header_names("#TYPE X\r\n\r\n\"A;1\";b;;\r\n1;2", ";", &n);
	TAP_CHECK(names != NULL && n == 2);
	if (names != NULL && n == 2) {
		TAP_STREQ(names[0], "A;1");
		TAP_STREQ(names[1], "b");
		TAP_CHECK(names[2] == NULL);
	}
	for (i = 0; names != NULL && i < n; i++)
		free(names[i]);
	free(names);
	TAP_CHECK(csv_header_names("", ",", &n) == NULL && n == 0);
	TAP_CHECK(csv_header_names("#TYPE only\n", ",", &n) == NULL);
}

static const struct tap_case cases[] = {
	{ "full paths: . and .., backslashes, ~", test_fullpath },
	{ "decoding: UTF-16 surrogates, U+FFFD, NUL, ASCII", test_decode },
	{ "encoding and byte order marks", test_encode },
	{ "reading: byte order marks, bytes, errno of failures", test_read },
	{ "writing: atomic replace, append, abandoned temp", test_write },
	{ "outfile_write: text, append, .NET messages", test_outfile },
	{ "csv_header_names reads Import-Csv's header", test_csv_header },
};

int
main(void)
{
	int	rc;

	if (mkdtemp(test_dir) == NULL) {
		perror("mkdtemp");
		return (1);
	}
	rc = tap_run(cases, sizeof cases / sizeof cases[0]);
	unlink(at("bom.txt"));
	unlink(at("empty.txt"));
	unlink(at("nul.txt"));
	unlink(at("w.txt"));
	unlink(at("o.txt"));
	rmdir(test_dir);
	return (rc);
}
