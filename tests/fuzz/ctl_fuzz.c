/*
 * ctl_fuzz.c - libFuzzer target for the control channel's record parser
 * (common/ctl.c), read as hubd reads a request: ctl_read() with the
 * request limits of ctl_reader_limit().  Every record the input holds is
 * encoded again with ctl_encode() and read back: it must come back the
 * same, field by field.  Nothing may crash, hang or leak.
 */
#define _GNU_SOURCE	/* memfd_create(2) */

#include <sys/mman.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A descriptor reading back len bytes of p, as a socket would give them. */
static int
fuzz_fd(const void *p, size_t len)
{
	int	fd;

	if ((fd = memfd_create("ctl", MFD_CLOEXEC)) == -1)
		abort();
	if (len > 0 && write(fd, p, len) != (ssize_t)len)
		abort();
	if (lseek(fd, 0, SEEK_SET) != 0)
		abort();
	return (fd);
}

/* Encode r and read it back: the same fields, the same end. */
static void
fuzz_round_trip(const struct ctl_rec *r, bool last)
{
	struct ctl_reader	 rd;
	struct ctl_rec		 back;
	struct buf		 out;
	char			*cause = NULL;
	bool			 blast = !last;
	size_t			 i;
	int			 fd;

	buf_init(&out);
	ctl_encode(&out, r, last);
	fd = fuzz_fd(out.s, out.len);
	ctl_reader_init(&rd, fd, 1000);
	ctl_rec_init(&back);
	if (ctl_read(&rd, &back, &blast, &cause) != 0 || blast != last ||
	    back.n != r->n)
		abort();
	for (i = 0; i < r->n; i++) {
		if (strcmp(back.f[i].name, r->f[i].name) != 0 ||
		    strcmp(back.f[i].value, r->f[i].value) != 0)
			abort();
	}
	ctl_rec_clear(&back);
	ctl_reader_free(&rd);
	close(fd);
	buf_free(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_reader	 rd;
	struct ctl_rec		 r;
	char			*cause = NULL;
	bool			 last = false;
	int			 fd;

	fd = fuzz_fd(data, size);
	ctl_reader_init(&rd, fd, 1000);
	ctl_reader_limit(&rd, CTL_REQUEST_MAX, 10000);
	ctl_rec_init(&r);
	while (ctl_read(&rd, &r, &last, &cause) == 0) {
		fuzz_round_trip(&r, last);
		if (last)
			break;
	}
	free(cause);
	ctl_rec_clear(&r);
	ctl_reader_free(&rd);
	close(fd);
	return (0);
}
