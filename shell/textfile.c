/*
 * textfile.c - the files of the file cmdlets (textfile.h): reading a
 * whole file in an encoding, writing one atomically or at its end, and
 * the .NET words for what went wrong.
 *
 * Windows PowerShell 5.1 reads a file without a byte order mark in the
 * ANSI code page (Get-Content) or as UTF-8 (Import-Csv), and writes
 * UTF-16 (Out-File), ANSI (Set-Content) or ASCII (Export-Csv).  hubsh
 * reads and writes UTF-8 without a byte order mark unless -Encoding says
 * otherwise: that is what the other tools on the machine expect, and
 * ANSI and OEM code pages do not exist here ("Default" and "OEM" are
 * UTF-8).  A byte order mark always wins over -Encoding when reading, as
 * .NET's StreamReader lets it.
 *
 * Bytes that are not valid in their encoding become U+FFFD, as .NET's
 * decoders make them.  A NUL character is refused (EILSEQ): hubsh's
 * strings are C strings, and a NUL in a text file almost always means
 * UTF-16 read as UTF-8.
 *
 * A file replaced is written to a temporary file in its directory,
 * flushed to disk and renamed over it, and the directory is flushed:
 * whatever happens, the file is either the old one or the new one,
 * whole.  Appends go to the end of the file itself and are flushed.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "shell.h"
#include "textfile.h"
#include "xmalloc.h"

#define COPY_CHUNK	65536

static void		 textfile_put_unit(struct buf *, uint32_t,
			    enum text_enc);
static uint32_t		 textfile_unit(const unsigned char *,
			    enum text_enc);
static int		 textfile_missing(const char *);
static int		 textfile_write_all(int, const void *, size_t);
static int		 textfile_begin_append(struct textfile *);

/* FileSystemCmdletProviderEncoding, in the enum's order. */
const struct choice textfile_provider_encodings[] = {
	{ "Unknown", TE_DEFAULT }, { "String", TE_UTF16LE },
	{ "Unicode", TE_UTF16LE }, { "Byte", TE_BYTE },
	{ "BigEndianUnicode", TE_UTF16BE }, { "UTF8", TE_UTF8 },
	{ "UTF7", TE_UTF7 }, { "UTF32", TE_UTF32LE }, { "Ascii", TE_ASCII },
	{ "Default", TE_DEFAULT }, { "Oem", TE_DEFAULT },
	{ "BigEndianUTF32", TE_UTF32BE }, { NULL, 0 }
};

/* Import-Csv and Export-Csv: [ValidateSet] on a string. */
static const char *const csv_enc_names[] = {
	"Unicode", "UTF7", "UTF8", "UTF32", "ASCII", "BigEndianUnicode",
	"Default", "OEM", NULL
};
static const enum text_enc csv_enc_codes[] = {
	TE_UTF16LE, TE_UTF7, TE_UTF8, TE_UTF32LE, TE_ASCII, TE_UTF16BE,
	TE_DEFAULT, TE_DEFAULT
};
const struct textfile_encset textfile_csv_encodings = {
	csv_enc_names, csv_enc_codes
};

/* Out-File: the same, lower case, with "unknown" and "string". */
static const char *const outfile_enc_names[] = {
	"unknown", "string", "unicode", "bigendianunicode", "utf8", "utf7",
	"utf32", "ascii", "default", "oem", NULL
};
static const enum text_enc outfile_enc_codes[] = {
	TE_DEFAULT, TE_UTF16LE, TE_UTF16LE, TE_UTF16BE, TE_UTF8, TE_UTF7,
	TE_UTF32LE, TE_ASCII, TE_DEFAULT, TE_DEFAULT
};
const struct textfile_encset textfile_outfile_encodings = {
	outfile_enc_names, outfile_enc_codes
};

int
textfile_encoding(struct cmd_ctx *ctx, const struct textfile_encset *set,
    enum text_enc *enc)
{
	struct value	*v;
	struct buf	 list;
	char		*s;
	size_t		 i;

	*enc = TE_DEFAULT;
	if ((v = bound_get(ctx->args, "Encoding")) == NULL)
		return (0);
	s = value_to_string(v);
	for (i = 0; set->names[i] != NULL; i++) {
		if (strcasecmp(set->names[i], s) == 0)
			break;
	}
	if (set->names[i] == NULL) {
		buf_init(&list);
		for (i = 0; set->names[i] != NULL; i++)
			buf_addf(&list, "%s%s", i > 0 ? "," : "",
			    set->names[i]);
		cmd_error(ctx, ERR_STATEMENT, "InvalidData",
		    "ParameterBindingValidationException",
		    "ParameterArgumentValidationError", "Cannot validate "
		    "argument on parameter 'Encoding'. The argument \"%s\" "
		    "does not belong to the set \"%s\" specified by the "
		    "ValidateSet attribute. Supply an argument that is in the "
		    "set and then try the command again.", s, list.s);
		buf_free(&list);
		free(s);
		return (-1);
	}
	free(s);
	*enc = set->encs[i];
	return (textfile_refuse_utf7(ctx, *enc));
}

int
textfile_refuse_utf7(struct cmd_ctx *ctx, enum text_enc enc)
{
	if (enc != TE_UTF7)
		return (0);
	cmd_error(ctx, ERR_STATEMENT, "NotImplemented",
	    "NotSupportedException", "EncodingNotSupported", "hubsh does not "
	    "read or write UTF-7. Use -Encoding UTF8, or leave -Encoding out "
	    "for UTF-8 without a byte order mark.");
	return (-1);
}

/* One code point as one or two units of a UTF-16 or UTF-32 encoding. */
static void
textfile_put_unit(struct buf *out, uint32_t c, enum text_enc enc)
{
	uint32_t	hi = c, lo = 0;
	char		u[4];

	if (enc == TE_UTF32LE || enc == TE_UTF32BE) {
		u[enc == TE_UTF32LE ? 0 : 3] = (char)(c & 0xff);
		u[enc == TE_UTF32LE ? 1 : 2] = (char)((c >> 8) & 0xff);
		u[enc == TE_UTF32LE ? 2 : 1] = (char)((c >> 16) & 0xff);
		u[enc == TE_UTF32LE ? 3 : 0] = 0;
		buf_add(out, u, 4);
		return;
	}
	if (c >= 0x10000) {
		hi = 0xd800 + ((c - 0x10000) >> 10);
		lo = 0xdc00 + ((c - 0x10000) & 0x3ff);
	}
	for (; hi != 0; hi = lo, lo = 0) {
		u[enc == TE_UTF16LE ? 0 : 1] = (char)(hi & 0xff);
		u[enc == TE_UTF16LE ? 1 : 0] = (char)(hi >> 8);
		buf_add(out, u, 2);
	}
}

/*
 * UTF-8 text in an output encoding.  ASCII writes '?' for each UTF-16
 * unit beyond it, as .NET's ASCIIEncoding does.
 */
void
textfile_encode(struct buf *out, const char *s, size_t len, enum text_enc enc)
{
	uint32_t	c;
	size_t		i, n;

	if (enc != TE_ASCII && enc != TE_UTF16LE && enc != TE_UTF16BE &&
	    enc != TE_UTF32LE && enc != TE_UTF32BE) {
		buf_add(out, s, len);
		return;
	}
	for (i = 0; i < len; i += n) {
		n = utf8_decode(s + i, len - i, &c);
		if (enc != TE_ASCII)
			textfile_put_unit(out, c, enc);
		else if (c < 0x80)
			buf_addc(out, (char)c);
		else
			buf_adds(out, c >= 0x10000 ? "??" : "?");
	}
}

void
textfile_bom(struct buf *out, enum text_enc enc)
{
	if (enc == TE_UTF8 || enc == TE_UTF16LE || enc == TE_UTF16BE ||
	    enc == TE_UTF32LE || enc == TE_UTF32BE)
		textfile_encode(out, "\xef\xbb\xbf", 3, enc);
}

enum text_enc
textfile_sniff(const unsigned char *u, size_t n, size_t *bom)
{
	*bom = 0;
	if (n >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf) {
		*bom = 3;
		return (TE_UTF8);
	}
	if (n >= 4 && u[0] == 0xff && u[1] == 0xfe && u[2] == 0 && u[3] == 0) {
		*bom = 4;
		return (TE_UTF32LE);
	}
	if (n >= 4 && u[0] == 0 && u[1] == 0 && u[2] == 0xfe && u[3] == 0xff) {
		*bom = 4;
		return (TE_UTF32BE);
	}
	if (n >= 2 && u[0] == 0xff && u[1] == 0xfe) {
		*bom = 2;
		return (TE_UTF16LE);
	}
	if (n >= 2 && u[0] == 0xfe && u[1] == 0xff) {
		*bom = 2;
		return (TE_UTF16BE);
	}
	return (TE_DEFAULT);
}

/*
 * An absolute path.  Windows scripts write ".\partners.csv" and
 * "$PSScriptRoot\x.csv": a backslash is a separator, as PowerShell's
 * FileSystem provider takes it on Linux too, and "~" is the home
 * directory.
 */
char *
textfile_fullpath(const char *given)
{
	struct buf	 b;
	const char	*home;
	char		*s, *p, *seg, *cwd;
	size_t		 n;

	s = xstrdup(given);
	for (p = s; *p != '\0'; p++) {
		if (*p == '\\')
			*p = '/';
	}
	buf_init(&b);
	p = s;
	if (s[0] == '~' && (s[1] == '/' || s[1] == '\0') &&
	    (home = getenv("HOME")) != NULL) {
		buf_adds(&b, home);
		p++;
	} else if (s[0] != '/') {
		cwd = getcwd(NULL, 0);
		buf_adds(&b, cwd != NULL ? cwd : "");
		free(cwd);
	}
	while ((seg = strsep(&p, "/")) != NULL) {
		if (*seg == '\0' || strcmp(seg, ".") == 0)
			continue;
		if (strcmp(seg, "..") == 0) {
			for (n = b.len; n > 0 && b.s[n - 1] != '/'; n--)
				;
			b.len = n > 0 ? n - 1 : 0;
			b.s[b.len] = '\0';
			continue;
		}
		if (b.len == 0 || b.s[b.len - 1] != '/')
			buf_addc(&b, '/');
		buf_adds(&b, seg);
	}
	if (b.len == 0)
		buf_addc(&b, '/');
	free(s);
	return (buf_detach(&b));
}

/* ENOENT for a missing file in a directory that exists, else ENOTDIR. */
static int
textfile_missing(const char *full)
{
	struct stat	 st;
	char		*dir, *slash;
	int		 err = ENOENT;

	dir = xstrdup(full);
	if ((slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		if (stat(*dir != '\0' ? dir : "/", &st) != 0 ||
		    !S_ISDIR(st.st_mode))
			err = ENOTDIR;
	}
	free(dir);
	return (err);
}

/* A 16- or 32-bit unit of a UTF-16 or UTF-32 encoding. */
static uint32_t
textfile_unit(const unsigned char *u, enum text_enc enc)
{
	switch (enc) {
	case TE_UTF16LE:
		return (u[0] | (uint32_t)u[1] << 8);
	case TE_UTF16BE:
		return ((uint32_t)u[0] << 8 | u[1]);
	case TE_UTF32LE:
		return (u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 |
		    (uint32_t)u[3] << 24);
	default:
		return ((uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 |
		    (uint32_t)u[2] << 8 | u[3]);
	}
}

/*
 * Bytes in an encoding to UTF-8 in out; -1 (EILSEQ) at a NUL character.
 * Invalid sequences, lone surrogates and a cut last unit become U+FFFD.
 */
int
textfile_decode(const unsigned char *u, size_t n, enum text_enc enc,
    struct buf *out)
{
	uint32_t	c, lo;
	size_t		i, w, k;

	if (enc == TE_UTF16LE || enc == TE_UTF16BE || enc == TE_UTF32LE ||
	    enc == TE_UTF32BE) {
		w = enc == TE_UTF16LE || enc == TE_UTF16BE ? 2 : 4;
		for (i = 0; i + w <= n; i += w) {
			c = textfile_unit(u + i, enc);
			if (w == 2 && c >= 0xd800 && c <= 0xdbff &&
			    i + 4 <= n && (lo = textfile_unit(u + i + 2,
			    enc)) >= 0xdc00 && lo <= 0xdfff) {
				c = 0x10000 + ((c - 0xd800) << 10) +
				    (lo - 0xdc00);
				i += 2;
			} else if ((c >= 0xd800 && c <= 0xdfff) ||
			    c > 0x10ffff)
				c = 0xfffd;
			if (c == 0)
				return (-1);
			buf_add_utf8(out, c);
		}
		if (i < n)
			buf_add_utf8(out, 0xfffd);
		return (0);
	}
	for (i = 0; i < n; i += k) {
		k = 1;
		if (u[i] == 0)
			return (-1);
		if (enc == TE_ASCII)
			buf_addc(out, u[i] < 0x80 ? (char)u[i] : '?');
		else if (u[i] < 0x80)
			buf_addc(out, (char)u[i]);
		else {
			k = utf8_decode((const char *)u + i, n - i, &c);
			buf_add_utf8(out, c >= 0xd800 && c <= 0xdfff ? 0xfffd :
			    c);
		}
	}
	return (0);
}

int
textfile_read(const char *full, enum text_enc enc, struct textread *tr)
{
	struct stat	 st;
	struct buf	 raw, text;
	char		 chunk[COPY_CHUNK];
	ssize_t		 n;
	size_t		 bom;
	int		 fd, err = 0;

	memset(tr, 0, sizeof *tr);
	if ((fd = open(full, O_RDONLY | O_CLOEXEC)) == -1) {
		err = errno == ENOENT ? textfile_missing(full) : errno;
		errno = err;
		return (-1);
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
		err = EISDIR;
	else if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size > TEXTFILE_MAX)
		err = EFBIG;
	buf_init(&raw);
	while (err == 0 && (n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			err = errno;
		else if (raw.len + (size_t)n > TEXTFILE_MAX)
			err = EFBIG;
		else
			buf_add(&raw, chunk, (size_t)n);
	}
	close(fd);
	if (err != 0) {
		buf_free(&raw);
		errno = err;
		return (-1);
	}
	tr->enc = enc;
	if (enc == TE_BYTE) {
		tr->len = raw.len;
		tr->text = buf_detach(&raw);
		return (0);
	}
	enc = textfile_sniff((unsigned char *)raw.s, raw.len, &bom);
	if (bom > 0)
		tr->enc = enc;
	buf_init(&text);
	if (textfile_decode((unsigned char *)raw.s + bom, raw.len - bom,
	    tr->enc, &text) != 0) {
		buf_free(&raw);
		buf_free(&text);
		errno = EILSEQ;
		return (-1);
	}
	buf_free(&raw);
	tr->len = text.len;
	tr->text = text.len > 0 ? buf_detach(&text) : xstrdup("");
	buf_free(&text);
	return (0);
}

void
textread_free(struct textread *tr)
{
	free(tr->text);
	tr->text = NULL;
}

char *
textfile_message(int err, const char *full)
{
	switch (err) {
	case ENOENT:
		return (xprintf("Could not find file '%s'.", full));
	case ENOTDIR:
		return (xprintf("Could not find a part of the path '%s'.",
		    full));
	case EACCES:
	case EPERM:
	case EISDIR:
	case EROFS:
		return (xprintf("Access to the path '%s' is denied.", full));
	case EFBIG:
		return (xprintf("The file '%s' is larger than %d MB, the most "
		    "hubsh reads.", full, TEXTFILE_MAX / (1024 * 1024)));
	case EOVERFLOW:
		return (xprintf("The file '%s' holds a line longer than %d "
		    "bytes, the longest hubsh reads.", full,
		    TEXTFILE_LINE_MAX));
	case EILSEQ:
		return (xprintf("The file '%s' holds a NUL character (U+0000), "
		    "which hubsh cannot keep in a string; a UTF-16 file "
		    "without a byte order mark needs -Encoding Unicode.",
		    full));
	case ENOSPC:
	case EDQUOT:
		return (xstrdup("There is not enough space on the disk."));
	default:
		return (xprintf("%s: %s", full, strerror(err)));
	}
}

/* The error id of hubsh's own refusals (limits, NUL), else NULL. */
const char *
textfile_refusal(int err)
{
	switch (err) {
	case EFBIG:
		return ("FileTooLarge");
	case EOVERFLOW:
		return ("LineTooLong");
	case EILSEQ:
		return ("NulCharacter");
	default:
		return (NULL);
	}
}

const char *
textfile_reason(int err)
{
	switch (err) {
	case ENOENT:
		return ("FileNotFoundException");
	case ENOTDIR:
		return ("DirectoryNotFoundException");
	case EACCES:
	case EPERM:
	case EISDIR:
	case EROFS:
		return ("UnauthorizedAccessException");
	case EILSEQ:
	case EOVERFLOW:
		return ("InvalidDataException");
	default:
		return ("IOException");
	}
}

/*
 * PathUtils' FileOpenFailure.  A file over the limit and a NUL character
 * are hubsh's own refusals, with their own categories.
 */
void
textfile_open_error(struct cmd_ctx *ctx, const char *full, int err)
{
	char	*msg;

	msg = textfile_message(err, full);
	if (textfile_refusal(err) != NULL)
		cmd_error(ctx, ERR_STATEMENT, err == EILSEQ ? "InvalidData" :
		    "LimitsExceeded", textfile_reason(err),
		    textfile_refusal(err), "%s", msg);
	else
		cmd_error(ctx, ERR_STATEMENT, "OpenError",
		    textfile_reason(err), "FileOpenFailure", "%s", msg);
	free(msg);
}

void
textfile_write_error(struct cmd_ctx *ctx, int err)
{
	if (err == ENOSPC || err == EDQUOT)
		cmd_error(ctx, ERR_STATEMENT, "WriteError", "IOException",
		    "System.IO.IOException", "There is not enough space on "
		    "the disk.");
	else
		cmd_error(ctx, ERR_STATEMENT, "WriteError", "IOException",
		    "System.IO.IOException", "%s", strerror(err));
}

int
textfile_target(struct textfile *tf, const char *given)
{
	char	*real;
	int	 err;

	memset(tf, 0, sizeof *tf);
	tf->fd = -1;
	tf->full = textfile_fullpath(given);
	tf->path = xstrdup(tf->full);
	if (lstat(tf->path, &tf->st) == 0 && S_ISLNK(tf->st.st_mode) &&
	    (real = realpath(tf->path, NULL)) != NULL) {
		free(tf->path);
		tf->path = real;
	}
	if (stat(tf->path, &tf->st) != 0) {
		err = errno == ENOENT ? textfile_missing(tf->path) : errno;
		memset(&tf->st, 0, sizeof tf->st);
		if (err == ENOENT)
			return (0);
		errno = err;
		return (-1);
	}
	tf->exists = true;
	if (S_ISDIR(tf->st.st_mode)) {
		errno = EISDIR;
		return (-1);
	}
	tf->direct = !S_ISREG(tf->st.st_mode);
	return (0);
}

bool
textfile_readonly(const struct textfile *tf)
{
	return (tf->exists && ((tf->st.st_mode & S_IWUSR) == 0 ||
	    access(tf->path, W_OK) != 0));
}

enum text_enc
textfile_bom_of(const struct textfile *tf, enum text_enc dflt)
{
	unsigned char	 head[4];
	enum text_enc	 enc;
	ssize_t		 n;
	size_t		 bom;
	int		 fd;

	if (!tf->exists || tf->direct ||
	    (fd = open(tf->path, O_RDONLY | O_CLOEXEC)) == -1)
		return (dflt);
	n = read(fd, head, sizeof head);
	close(fd);
	if (n <= 0)
		return (dflt);
	enc = textfile_sniff(head, (size_t)n, &bom);
	return (bom > 0 ? enc : dflt);
}

int
textfile_clobber_check(struct cmd_ctx *ctx, const struct textfile *tf,
    const char *given, bool noclobber, bool force)
{
	struct errrec	*e;

	if (!tf->exists)
		return (0);
	if (noclobber) {
		e = cmd_errrec(ctx, ERR_STATEMENT, "ResourceExists",
		    "IOException", "NoClobber", "File %s already exists and "
		    "NoClobber was specified.", given);
		errrec_set(&e->target, xstrdup(tf->full));
		errrec_set(&e->target_type, xstrdup("String"));
		e->details = true;
		cmd_report(ctx, e);
		return (-1);
	}
	if (!force && textfile_readonly(tf)) {
		textfile_open_error(ctx, tf->full, EACCES);
		return (-1);
	}
	return (0);
}

/*
 * Appending: the file itself.  With force, a read-only file we own is
 * made writable just to open it.
 */
static int
textfile_begin_append(struct textfile *tf)
{
	int	 flags = O_WRONLY | O_CLOEXEC | O_APPEND | O_CREAT, err;

	tf->appending = true;
	if ((tf->fd = open(tf->path, flags, 0666)) != -1 || errno != EACCES ||
	    !tf->force || !tf->exists || tf->st.st_uid != geteuid())
		return (tf->fd == -1 ? -1 : 0);
	if (chmod(tf->path, (tf->st.st_mode & 07777) | S_IWUSR) != 0)
		return (-1);
	tf->fd = open(tf->path, flags, 0666);
	err = errno;
	if (chmod(tf->path, tf->st.st_mode & 07777) != 0) {
		/* It stays writable; the append goes on. */
	}
	errno = err;
	return (tf->fd == -1 ? -1 : 0);
}

int
textfile_begin(struct textfile *tf, bool append)
{
	char	*slash;
	mode_t	 mask, mode;
	int	 err;

	fflush(NULL);
	if (tf->direct) {
		tf->fd = open(tf->path, O_WRONLY | O_CLOEXEC);
		return (tf->fd == -1 ? -1 : 0);
	}
	if (append)
		return (textfile_begin_append(tf));
	slash = strrchr(tf->path, '/');
	tf->tmp = xprintf("%.*s/.%s.XXXXXX", (int)(slash - tf->path),
	    tf->path, slash + 1);
	if ((tf->fd = mkstemp(tf->tmp)) == -1) {
		err = errno;
		free(tf->tmp);
		tf->tmp = NULL;
		errno = err;
		return (-1);
	}
	if (tf->exists) {
		mode = tf->st.st_mode & 07777;
		if (fchown(tf->fd, tf->st.st_uid, tf->st.st_gid) != 0) {
			/* Not the owner: the file becomes ours. */
		}
	} else {
		mask = umask(0);
		umask(mask);
		mode = 0666 & ~mask;
	}
	return (fchmod(tf->fd, mode));
}

int
textfile_copy(struct textfile *tf, char *last)
{
	char	 chunk[COPY_CHUNK];
	ssize_t	 n;
	int	 fd, err;

	*last = '\n';
	if ((fd = open(tf->path, O_RDONLY | O_CLOEXEC)) == -1)
		return (-1);
	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 || textfile_write_all(tf->fd, chunk,
		    (size_t)n) != 0) {
			err = errno;
			close(fd);
			errno = err;
			return (-1);
		}
		*last = chunk[n - 1];
	}
	close(fd);
	return (0);
}

static int
textfile_write_all(int fd, const void *p, size_t len)
{
	const char	*s = p;
	ssize_t		 n;

	while (len > 0) {
		if ((n = write(fd, s, len)) == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		s += n;
		len -= (size_t)n;
	}
	return (0);
}

int
textfile_write(struct textfile *tf, const void *p, size_t len)
{
	return (textfile_write_all(tf->fd, p, len));
}

int
textfile_commit(struct textfile *tf)
{
	char	*dir, *slash;
	int	 fd = tf->fd, err;

	tf->fd = -1;
	if (tf->direct)
		return (close(fd));
	if (fsync(fd) != 0) {
		err = errno;
		close(fd);
		errno = err;
		return (-1);
	}
	if (close(fd) != 0)
		return (-1);
	if (tf->appending)
		return (0);
	if (rename(tf->tmp, tf->path) != 0)
		return (-1);
	free(tf->tmp);
	tf->tmp = NULL;
	dir = xstrdup(tf->path);
	slash = strrchr(dir, '/');
	*slash = '\0';
	if ((fd = open(*dir != '\0' ? dir : "/", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) != -1) {
		if (fsync(fd) != 0) {
			/* The rename is done; durability is best effort. */
		}
		close(fd);
	}
	free(dir);
	return (0);
}

void
textfile_free(struct textfile *tf)
{
	if (tf->fd != -1)
		close(tf->fd);
	tf->fd = -1;
	if (tf->tmp != NULL) {
		unlink(tf->tmp);
		free(tf->tmp);
		tf->tmp = NULL;
	}
	free(tf->full);
	free(tf->path);
	tf->full = tf->path = NULL;
}

struct value *
textfile_path_list(struct cmd_ctx *ctx, const char *param,
    const struct value *v, enum textfile_rule rule)
{
	struct value	*out, *e;
	const char	*bad = NULL;
	size_t		 i;

	if (v->type == V_NULL)
		bad = "null";
	else if (v->type == V_ARRAY && v->u.arr.n == 0)
		bad = "an empty array";
	out = value_array();
	for (i = 0; bad == NULL && i < value_count(v); i++) {
		e = value_item(v, i);
		if (e->type == V_NULL)
			bad = "null";
		else {
			value_array_push(out, value_string_take(
			    value_to_string(e)));
			if (out->u.arr.v[i]->u.s[0] == '\0')
				bad = "an empty string";
		}
	}
	if (bad == NULL)
		return (out);
	value_unref(out);
	if (rule == TP_VALIDATE)
		cmd_error(ctx, ERR_STATEMENT, "InvalidData",
		    "ParameterBindingValidationException",
		    "ParameterArgumentValidationError", "Cannot validate "
		    "argument on parameter '%s'. %s", param, v->type == V_NULL ?
		    "The argument is null or empty. Provide an argument that "
		    "is not null or empty, and then try the command again." :
		    "The argument is null, empty, or an element of the "
		    "argument collection contains a null value. Supply a "
		    "collection that does not contain any null values and "
		    "then try the command again.");
	else
		cmd_error(ctx, ERR_STATEMENT, "InvalidData",
		    "ParameterBindingValidationException", strcmp(bad,
		    "null") == 0 ? "ParameterArgumentValidationErrorNullNot"
		    "Allowed" : strcmp(bad, "an empty string") == 0 ?
		    "ParameterArgumentValidationErrorEmptyStringNotAllowed" :
		    "ParameterArgumentValidationErrorEmptyArrayNotAllowed",
		    "Cannot bind argument to parameter '%s' because it is %s.",
		    param, bad);
	return (NULL);
}

struct value *
textfile_path_arg(struct cmd_ctx *ctx, enum textfile_rule rule,
    const char **param)
{
	struct value	*pv, *lv;

	pv = bound_get(ctx->args, "Path");
	lv = bound_get(ctx->args, "LiteralPath");
	*param = pv != NULL ? "Path" : "LiteralPath";
	if ((pv == NULL) != (lv == NULL))
		return (pv != NULL ? pv : lv);
	if (rule == TP_VALIDATE)
		cmd_error(ctx, ERR_STATEMENT, "InvalidData",
		    "InvalidOperationException",
		    "CannotSpecifyPathAndLiteralPath", "You must specify "
		    "either the -Path or -LiteralPath parameters, but not "
		    "both.");
	else if (pv != NULL)
		cmd_error(ctx, ERR_STATEMENT, "InvalidArgument",
		    "ParameterBindingException", "AmbiguousParameterSet",
		    "Parameter set cannot be resolved using the specified "
		    "named parameters.");
	else
		cmd_error(ctx, ERR_STATEMENT, "InvalidArgument",
		    "ParameterBindingException", "MissingMandatoryParameter",
		    "Cannot process command because of one or more missing "
		    "mandatory parameters: Path.");
	return (NULL);
}
