/*
 * main.c - hubsh: the interactive shell and the batch runner.
 *
 * Input comes from -Command text, a -File script, standard input when it
 * is not a terminal, or GNU readline at a terminal (history file, tab
 * completion from the cmdlet table, ">> " for unfinished input, Ctrl-C
 * cancels the line, Ctrl-D leaves).  Input that looks like it holds a
 * secret (PSReadLine's default AddToHistoryHandler pattern) is kept out
 * of the history file, and out of the in-memory history too.
 *
 * Exit status of a batch run: the value given to exit, else 1 when any
 * command failed (unlike powershell -File, which exits 0 after
 * non-terminating errors, so that cron and configuration management
 * notice), else 0.  64 means a bad command line.
 *
 * GNU readline serves the interactive session alone, so it is not linked:
 * it is loaded when a session starts (dynlib.h), and a batch run never
 * pays the dynamic loader's time for it (nor for libtinfo under it).
 */
#include <errno.h>
#ifdef HAVE_MALLOPT
#include <malloc.h>
#endif
#include <regex.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "dynlib.h"
#include "shell.h"
#include "xmalloc.h"

#define HUBSH_PROMPT		"[PS] hubsh> "
#define HUBSH_PROMPT_MORE	">> "
#define HUBSH_HISTORY_MAX	1000

/*
 * Free memory glibc keeps at the top of the heap instead of giving back.
 * Every write a cmdlet makes in a transaction has SQLite take a 64 KB
 * statement journal and free it at the statement's end; past glibc's
 * default of 128 KB the freed top went back to the kernel and the next
 * cmdlet faulted it in again, page by page: 7 page faults per
 * New-SendConnector of a batch (now under one), a third of its CPU time.
 */
#define HUBSH_TRIM_THRESHOLD	(4 * 1024 * 1024)

/*
 * Input kept out of the history: PSReadLine's default pattern for
 * sensitive input, plus credential (a PSCredential built or passed on the
 * line), matched without case anywhere in the input.
 */
#define HUBSH_HISTORY_SECRET	"password|asplaintext|token|apikey|secret|" \
				"credential"

#ifndef HUBSH_VERSION
#define HUBSH_VERSION		"0"
#endif

#ifndef HUBSH_READLINE_SONAME
#error "HUBSH_READLINE_SONAME (libreadline's soname) comes from configure"
#endif

/* What the session uses of readline; the types come from its headers. */
#define RL_SYMS(_) \
	_(readline) _(add_history) _(using_history) _(stifle_history) \
	_(read_history) _(write_history) \
	_(rl_free_line_state) _(rl_cleanup_after_signal) \
	_(rl_readline_name) _(rl_attempted_completion_function) \
	_(rl_attempted_completion_over) _(rl_basic_word_break_characters) \
	_(rl_completer_quote_characters) _(rl_line_buffer)

static struct {
	RL_SYMS(DYNLIB_PTR)
} rl;

#define RL_SYM(sym)	DYNLIB_SYM(rl, sym)
static const struct dynlib_sym rl_syms[] = { RL_SYMS(RL_SYM) };
static struct dynlib rl_lib = DYNLIB_INIT(HUBSH_READLINE_SONAME, rl_syms,
    &rl);

static struct shell	*main_shell;
static sigjmp_buf	 main_jmp;
static volatile sig_atomic_t main_jmp_ok;

static void	usage(FILE *);
static int	 run_text(struct shell *, const char *, const char *, size_t);
static void	 main_script_vars(struct shell *, const char *);
static int	 run_interactive(struct shell *);
static char	*main_read_line(struct shell *, const char *, bool);
static bool	 history_secret(const char *);
static char	**main_complete(const char *, int, int);

static void
usage(FILE *f)
{
	fprintf(f, "usage: hubsh [--store path|uri] [--key-file path] "
	    "[--server name]\n"
	    "             [--control socket] [--state-dir dir] "
	    "[-NonInteractive]\n"
	    "             [-File script.ps1 | -Command text]"
	    "\n             [--dump-cmdlets] [--version]\n");
}

/* Read a whole file; a UTF-8 byte order mark is dropped. */
/*
 * $PSCommandPath and $PSScriptRoot of a -File script: its full path and
 * its directory (a script finds its CSV files and modules with them).
 */
static void
main_script_vars(struct shell *sh, const char *file)
{
	char	*path, *slash;

	if ((path = realpath(file, NULL)) == NULL)
		return;
	shell_setvar(sh, "PSCommandPath", value_string(path));
	shell_setvar(sh, "MyInvocation", func_invocation(strrchr(path, '/') !=
	    NULL ? strrchr(path, '/') + 1 : path, path, file, NULL, NULL));
	if ((slash = strrchr(path, '/')) != NULL)
		*(slash == path ? slash + 1 : slash) = '\0';
	shell_setvar(sh, "PSScriptRoot", value_string_take(path));
}

/* Run a whole script; returns the process exit status. */
static int
run_text(struct shell *sh, const char *name, const char *text, size_t len)
{
	struct source	*src;

	src = source_create(name, text, len);
	shell_run(sh, src);
	source_free(src);
	if (sh->exiting)
		return (sh->exit_code);
	return (sh->any_error ? 1 : 0);
}

/* Line input for prompts (Get-Credential, Confirm, mandatory values). */
static char *
main_read_line(struct shell *sh, const char *prompt, bool secret)
{
	struct termios	 old, quiet;
	char		*line = NULL;
	size_t		 cap = 0;
	ssize_t		 n;

	shell_flush(sh);
	if (!secret && sh->interactive)
		return (rl.readline(prompt));
	fputs(prompt, sh->out);
	fflush(sh->out);
	if (secret && tcgetattr(STDIN_FILENO, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
		n = getline(&line, &cap, stdin);
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', sh->out);
	} else
		n = getline(&line, &cap, stdin);
	if (n < 0) {
		free(line);
		return (NULL);
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return (line);
}

static void
main_sigint(int sig)
{
	(void)sig;
	if (main_jmp_ok)
		siglongjmp(main_jmp, 1);
	shell_interrupted = 1;	/* a command is running: stop it */
}

static char *
history_path(void)
{
	const char	*home = getenv("HOME");

	if (getenv("HUBSH_HISTORY") != NULL)
		return (xstrdup(getenv("HUBSH_HISTORY")));
	return (xprintf("%s/.hubsh_history", home != NULL ? home : "."));
}

/*
 * Whether input may hold a password, key or token, and so must stay out
 * of the history list and file (not even up-arrow shows it).
 */
static bool
history_secret(const char *input)
{
	static regex_t	re;
	static bool	compiled;

	if (!compiled) {
		if (regcomp(&re, HUBSH_HISTORY_SECRET, REG_EXTENDED |
		    REG_ICASE | REG_NOSUB) != 0)
			return (true);
		compiled = true;
	}
	return (regexec(&re, input, 0, NULL, 0) == 0);
}

/* One line of input, or NULL at end of input. */
static char *
interactive_read(struct buf *pending)
{
	char	*line;

	main_jmp_ok = 1;
	line = rl.readline(pending->len > 0 ? HUBSH_PROMPT_MORE :
	    HUBSH_PROMPT);
	main_jmp_ok = 0;
	return (line);
}

static int
run_interactive(struct shell *sh)
{
	struct buf	 pending;
	struct source	*src;
	char		*line, *hist;

	hist = history_path();
	rl.using_history();
	rl.stifle_history(HUBSH_HISTORY_MAX);
	rl.read_history(hist);
	*rl.rl_readline_name = "hubsh";
	*rl.rl_attempted_completion_function = main_complete;
	*rl.rl_basic_word_break_characters = " \t\n;|(){},=";
	*rl.rl_completer_quote_characters = "'\"";
	buf_init(&pending);
	signal(SIGINT, main_sigint);
	if (sigsetjmp(main_jmp, 1) != 0) {
		/* Ctrl-C: drop the line and anything pending. */
		rl.rl_free_line_state();
		rl.rl_cleanup_after_signal();
		fputc('\n', stdout);
		buf_reset(&pending);
	}
	while (!sh->exiting && (line = interactive_read(&pending)) != NULL) {
		if (pending.len > 0)
			buf_addc(&pending, '\n');
		buf_adds(&pending, line);
		free(line);
		if (shell_check_complete(pending.s) == 0)
			continue;
		if (strspn(pending.s, " \t\n") != pending.len) {
			if (!history_secret(pending.s))
				rl.add_history(pending.s);
			src = source_create("line", pending.s, pending.len);
			shell_interrupted = 0;
			shell_run(sh, src);
			source_free(src);
		}
		buf_reset(&pending);
	}
	if (!sh->exiting)
		fputc('\n', stdout);
	rl.write_history(hist);
	free(hist);
	buf_free(&pending);
	return (sh->exiting ? sh->exit_code : 0);
}

/* readline's completion hook: candidates from complete.c. */
static char **
main_complete(const char *text, int start, int end)
{
	(void)text;
	*rl.rl_attempted_completion_over = 1;
	return (complete_line(main_shell, *rl.rl_line_buffer, (size_t)start,
	    (size_t)end));
}

/* PowerShell-style option names: -File, -file, --file, -f. */
static bool
opt_is(const char *arg, const char *name, const char *abbrev)
{
	while (*arg == '-')
		arg++;
	return (strcasecmp(arg, name) == 0 || (abbrev != NULL &&
	    strcasecmp(arg, abbrev) == 0));
}

int
main(int argc, char **argv)
{
	struct shell	*sh;
	const char	*store = NULL, *server = NULL, *file = NULL;
	const char	*control = NULL, *state_dir = NULL, *key_file = NULL;
	const char	*command = NULL;
	char		*text, *cause = NULL;
	size_t		 len;
	char		**script_args = NULL;
	size_t		 nscript_args = 0;
	bool		 nonint = false;
	int		 i, status;

	for (i = 1; i < argc; i++) {
		const char	*a = argv[i];
		bool		 more = i + 1 < argc;

		if (opt_is(a, "store", NULL) && more)
			store = argv[++i];
		else if (opt_is(a, "key-file", NULL) && more)
			key_file = argv[++i];
		else if (opt_is(a, "server", NULL) && more)
			server = argv[++i];
		else if (opt_is(a, "control", NULL) && more)
			control = argv[++i];
		else if (opt_is(a, "state-dir", NULL) && more)
			state_dir = argv[++i];
		else if (opt_is(a, "File", "f") && more) {
			file = argv[++i];
			script_args = argv + i + 1;
			nscript_args = (size_t)(argc - i - 1);
			break;
		} else if (opt_is(a, "Command", "c") && more) {
			command = argv[++i];
			break;
		} else if (opt_is(a, "NonInteractive", "noni"))
			nonint = true;
		else if (opt_is(a, "NoProfile", "nop") || opt_is(a, "NoLogo",
		    "nol"))
			continue;
		else if (opt_is(a, "dump-cmdlets", NULL)) {
			help_dump_markdown(stdout);
			return (0);
		} else if (opt_is(a, "version", NULL)) {
			printf("hubsh %s\n", HUBSH_VERSION);
			return (0);
		} else if (opt_is(a, "help", "h") || strcmp(a, "-?") == 0) {
			usage(stdout);
			return (0);
		} else {
			fprintf(stderr, "hubsh: unknown option: %s\n", a);
			usage(stderr);
			return (64);
		}
	}

#if defined(HAVE_MALLOPT) && defined(M_TRIM_THRESHOLD)
	mallopt(M_TRIM_THRESHOLD, HUBSH_TRIM_THRESHOLD);
#endif
	main_shell = sh = shell_create();
	sh->store_path = store_resolve_path(store);
	sh->key_file = key_file != NULL ? xstrdup(key_file) : NULL;
	if (server == NULL)
		server = getenv("HUBSH_SERVER");
	sh->server_name = server != NULL ? xstrdup(server) : NULL;
	if (control == NULL)
		control = getenv("HUBSH_CONTROL");
	sh->control_path = xstrdup(control != NULL ? control :
	    HUBD_DEFAULT_CONTROL);
	/* hubd's spool, read when hubd is down (Get-MessageTrackingLog). */
	if (state_dir == NULL)
		state_dir = getenv("HUBSH_STATE_DIR");
	sh->state_dir = state_dir != NULL ? state_dir :
	    HUBD_DEFAULT_STATE_DIR;
	sh->read_line = main_read_line;
	sh->interactive = command == NULL && file == NULL &&
	    isatty(STDIN_FILENO) && !nonint;
	sh->can_prompt = !nonint && isatty(STDIN_FILENO);

	if (command != NULL)
		status = run_text(sh, "line", command, strlen(command));
	else if (file != NULL || !isatty(STDIN_FILENO)) {
		if (file == NULL)
			sh->can_prompt = false;
		if ((text = shell_read_file(file != NULL ? file : "-", &len,
		    &cause)) == NULL) {
			fprintf(stderr, "hubsh: %s: %s\n", file, cause);
			free(cause);
			shell_free(sh);
			return (64);
		}
		/* A script file runs in its own scope, with its arguments. */
		if (file != NULL) {
			scope_push(sh, true);
			sh->script_args = script_args;
			sh->nscript_args = nscript_args;
			main_script_vars(sh, file);
		}
		status = run_text(sh, file != NULL ? file : "line", text, len);
		free(text);
	} else if (dynlib_load(&rl_lib, &cause) != 0) {
		fprintf(stderr, "hubsh: %s; an interactive session needs GNU "
		    "readline (-Command, -File and standard input do not)\n",
		    cause);
		free(cause);
		status = 1;
	} else
		status = run_interactive(sh);
	shell_free(sh);
	return (status);
}
