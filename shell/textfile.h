/*
 * textfile.h - the files of the file cmdlets: Get-Content, Set-Content,
 * Add-Content, Out-File, Import-Csv and Export-Csv.
 *
 * Reading takes a whole file, at most TEXTFILE_MAX bytes, and decodes it
 * to UTF-8: a byte order mark says the encoding, else the one asked for.
 * Writing replaces a file atomically (a temporary file beside it, flushed
 * to disk and renamed over it) or appends to it in place.  Functions
 * return -1 with errno set; the cmdlets put errno into .NET's words with
 * textfile_message and textfile_reason, or report it with
 * textfile_open_error and textfile_write_error.
 */
#ifndef HUBSH_TEXTFILE_H
#define HUBSH_TEXTFILE_H

#include <sys/stat.h>

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define TEXTFILE_MAX		(64 * 1024 * 1024)	/* bytes of a file */
#define TEXTFILE_LINE_MAX	(1024 * 1024)		/* bytes of a line */

struct cmd_ctx;
struct choice;

enum text_enc {
	TE_DEFAULT,		/* UTF-8 without a byte order mark */
	TE_UTF8,		/* UTF-8 with one (5.1's UTF8) */
	TE_ASCII,
	TE_UTF16LE,
	TE_UTF16BE,
	TE_UTF32LE,
	TE_UTF32BE,
	TE_UTF7,		/* named by 5.1, refused */
	TE_BYTE			/* Get-Content/Set-Content -Encoding Byte */
};

/*
 * -Encoding of Get-Content, Set-Content and Add-Content: the values of
 * FileSystemCmdletProviderEncoding, for a PT_ENUM parameter.
 */
extern const struct choice	textfile_provider_encodings[];
#define TEXTFILE_PROVIDER_TYPE \
	"Microsoft.PowerShell.Commands.FileSystemCmdletProviderEncoding"

/* The names a string -Encoding accepts (5.1's ValidateSet), in order. */
struct textfile_encset {
	const char	*const *names;
	const enum text_enc *encs;
};
extern const struct textfile_encset textfile_csv_encodings;
extern const struct textfile_encset textfile_outfile_encodings;

/*
 * -Encoding of a cmdlet that takes a name from a set: *enc is TE_DEFAULT
 * when it was not given.  -1 after the error (not in the set, UTF7).
 */
int	 textfile_encoding(struct cmd_ctx *, const struct textfile_encset *,
	    enum text_enc *);
/* UTF-7 is refused wherever it is named; -1 after the error. */
int	 textfile_refuse_utf7(struct cmd_ctx *, enum text_enc);

/* UTF-8 text in an encoding (a byte order mark is U+FEFF encoded). */
void	 textfile_encode(struct buf *, const char *, size_t, enum text_enc);
/*
 * Bytes in an encoding to UTF-8 in out (invalid ones as U+FFFD); -1 at a
 * NUL character, out holding the text before it.
 */
int	 textfile_decode(const unsigned char *, size_t, enum text_enc,
	    struct buf *);
/* The byte order mark of an encoding, if it has one. */
void	 textfile_bom(struct buf *, enum text_enc);
/* The encoding a byte order mark at the start of s declares, and its
 * length in *bom; TE_DEFAULT and 0 without one. */
enum text_enc textfile_sniff(const unsigned char *, size_t, size_t *bom);

/* An absolute path: the current directory before a relative one, with
 * "." and ".." and doubled slashes taken out.  Heap string. */
char	*textfile_fullpath(const char *);

/*
 * How 5.1's binder checks a path argument: a mandatory string[] refuses
 * $null, "" and @() ("Cannot bind argument to parameter 'Path' because
 * it is null."); [ValidateNotNullOrEmpty] refuses them with its own
 * words.
 */
enum textfile_rule {
	TP_MANDATORY,
	TP_VALIDATE
};

/*
 * The strings of a string[] argument (paths, Import-Csv's -Header) as a
 * new array, or NULL after the error.
 */
struct value *textfile_path_list(struct cmd_ctx *, const char *param,
	    const struct value *, enum textfile_rule);
/*
 * -Path or -LiteralPath, exactly one: its value (borrowed) and its name.
 * NULL after the error when both or neither are given: with TP_VALIDATE
 * the CSV cmdlets' "You must specify either the -Path or -LiteralPath
 * parameters, but not both.", else the binder's AmbiguousParameterSet
 * or missing mandatory Path.
 */
struct value *textfile_path_arg(struct cmd_ctx *, enum textfile_rule,
	    const char **param);

/*
 * A file read whole.  text is the content as UTF-8 without its byte order
 * mark (NUL-terminated, len bytes); with TE_BYTE the bytes as they are.
 */
struct textread {
	char		*text;
	size_t		 len;
	enum text_enc	 enc;		/* the encoding it was read in */
};

/*
 * Read full (absolute) in enc unless a byte order mark says otherwise.
 * -1 with errno: ENOENT (the file is missing), ENOTDIR (its directory
 * is), EACCES, EISDIR, EFBIG (over TEXTFILE_MAX), EILSEQ (a NUL
 * character, which hubsh's strings cannot hold), or another.
 */
int	 textfile_read(const char *full, enum text_enc, struct textread *);
void	 textread_free(struct textread *);

/*
 * .NET's message for errno on a path, and its exception's name.  EFBIG,
 * EOVERFLOW (a line over TEXTFILE_LINE_MAX) and EILSEQ are hubsh's own
 * refusals, with the error ids textfile_refusal gives (NULL for others).
 */
char	*textfile_message(int, const char *full);
const char *textfile_reason(int);
const char *textfile_refusal(int);
/*
 * The error of PowerShell's file-opening helper (Export-Csv, Out-File,
 * Import-Csv): OpenError, FileOpenFailure, statement-terminating.
 */
void	 textfile_open_error(struct cmd_ctx *, const char *full, int);
/* A failed write (WriteError, IOException), statement-terminating. */
void	 textfile_write_error(struct cmd_ctx *, int);

/*
 * A file being written: the target's state, then the temporary file (or
 * the file itself when appending or writing a device) open on fd.
 */
struct textfile {
	char		*full;		/* absolute path, for messages */
	char		*path;		/* the file written (links followed) */
	struct stat	 st;
	bool		 exists;
	bool		 direct;	/* a device or pipe: written in place */
	bool		 appending;	/* written at the end, in place */
	bool		 force;		/* may append to our read-only file */
	char		*tmp;		/* temporary file, while it exists */
	int		 fd;
};

/*
 * Resolve the target of a path as typed: a symbolic link is written
 * through, an existing directory is EISDIR, a missing directory ENOTDIR.
 */
int	 textfile_target(struct textfile *, const char *given);
/* Read-only for the owner, or not writable by us. */
bool	 textfile_readonly(const struct textfile *);
/* The encoding an existing file's byte order mark declares, else dflt. */
enum text_enc textfile_bom_of(const struct textfile *, enum text_enc dflt);
/*
 * PathUtils' refusals before a file is replaced: with noclobber, any
 * existing file ("File x already exists and NoClobber was specified.",
 * as given); without force, a read-only one.  -1 after the error.
 */
int	 textfile_clobber_check(struct cmd_ctx *, const struct textfile *,
	    const char *given, bool noclobber, bool force);
/*
 * Open for writing: a temporary file beside the target with its mode and
 * owner, or with append the file itself (created when missing; made
 * writable for the moment with force), or a device in place.
 */
int	 textfile_begin(struct textfile *, bool append);
/* Copy the target's bytes into the temporary file (Export-Csv -Append);
 * *last is the last byte copied, '\n' when there was none. */
int	 textfile_copy(struct textfile *, char *last);
int	 textfile_write(struct textfile *, const void *, size_t);
/* Flush to disk; rename the temporary file over the target. */
int	 textfile_commit(struct textfile *);
/* Release; a temporary file still there is removed. */
void	 textfile_free(struct textfile *);

#endif
