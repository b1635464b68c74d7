/*
 * cmd_path.c - Test-Path, Join-Path and Split-Path, on the file system
 * of the machine hubsh runs on (the FileSystem provider; there is no
 * other).
 *
 * Paths are POSIX paths: Join-Path joins with "/", and a relative path is
 * taken from the current directory.  Split-Path splits at "/" and at
 * "\\" too, so the Windows paths of a published script still split.  Test-Path -Path expands PowerShell's
 * wildcards (* ? [ ]) with glob(3); -LiteralPath takes the path as it is.
 */
#include <sys/stat.h>

#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include "shell.h"
#include "textfile.h"
#include "xmalloc.h"

#define PATH_ANY	0
#define PATH_CONTAINER	1
#define PATH_LEAF	2

static int		 cmd_test_path_exec(struct cmd_ctx *);
static bool		 path_test(const char *, bool, int);
static bool		 path_is(const char *, int);
static int		 cmd_join_path_exec(struct cmd_ctx *);
static int		 cmd_split_path_exec(struct cmd_ctx *);

static const struct choice path_types[] = {
	{ "Any", PATH_ANY }, { "Container", PATH_CONTAINER },
	{ "Leaf", PATH_LEAF }, { NULL, 0 }
};

static const struct param_entry test_path_params[] = {
	PARAM("Path", NULL, PT_STRINGS, P_POSITIONAL | P_PIPELINE | P_BYNAME,
	  0, NULL, 0, 0, NULL, "The paths to test; wildcards (* ? [ ]) "
	  "match."),
	PARAM("LiteralPath", "PSPath", PT_STRINGS, P_BYNAME, 0, NULL, 0, 0,
	  NULL, "The paths to test, taken as they are (no wildcards)."),
	PARAM("PathType", "Type", PT_ENUM, 0, 0, path_types, 0, 0,
	  "Microsoft.PowerShell.Commands.TestPathType",
	  "Any (default), Container (a directory) or Leaf (anything else)."),
	PARAM_END
};

const struct cmdlet_entry cmd_test_path_entry = {
	.name = "Test-Path",
	.synopsis = "Determines whether all elements of a path exist.",
	.params = test_path_params,
	.flags = 0,
	.class_name = PS_CLASS("TestPathCommand"),
	.exec = cmd_test_path_exec,
	.description = "Test-Path outputs True for each path that exists "
	    "(of the -PathType asked for) and False for each that does not."
};

static const struct param_entry join_path_params[] = {
	PARAM("Path", "PSPath", PT_STRINGS, P_MANDATORY | P_POSITIONAL |
	  P_PIPELINE | P_BYNAME, 0, NULL, 0, 0, NULL,
	  "The paths to join the child path to."),
	PARAM("ChildPath", NULL, PT_STRING, P_MANDATORY | P_POSITIONAL |
	  P_BYNAME, 1, NULL, 0, 0, NULL, "The path to add to each -Path."),
	PARAM_END
};

const struct cmdlet_entry cmd_join_path_entry = {
	.name = "Join-Path",
	.synopsis = "Combines a path and a child path into a single path.",
	.params = join_path_params,
	.flags = 0,
	.class_name = PS_CLASS("JoinPathCommand"),
	.exec = cmd_join_path_exec,
	.description = "Join-Path outputs each -Path joined to -ChildPath "
	    "with one \"/\" between them."
};

static const struct param_entry split_path_params[] = {
	PARAM("Path", "PSPath", PT_STRINGS, P_MANDATORY | P_POSITIONAL |
	  P_PIPELINE | P_BYNAME, 0, NULL, 0, 0, NULL,
	  "The paths to split."),
	PARAM("Parent", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Output the parent container (the default)."),
	PARAM("Leaf", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Output the last element of the path."),
	PARAM("IsAbsolute", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Output True if the path is absolute, else False."),
	PARAM_END
};

const struct cmdlet_entry cmd_split_path_entry = {
	.name = "Split-Path",
	.synopsis = "Returns the specified part of a path.",
	.params = split_path_params,
	.flags = 0,
	.class_name = PS_CLASS("SplitPathCommand"),
	.exec = cmd_split_path_exec,
	.description = "Split-Path outputs each path's parent (by default), "
	    "its last element (-Leaf), or whether it is absolute "
	    "(-IsAbsolute).  A trailing separator is ignored; the parent of "
	    "a path with no separator is the empty string."
};

/* Test-Path: one Boolean per path. */
static int
cmd_test_path_exec(struct cmd_ctx *ctx)
{
	struct value	*paths;
	char		*s, *full;
	size_t		 i;
	bool		 literal = false;
	int		 type;

	type = bound_code(ctx->args, "PathType", PATH_ANY, PATH_ANY);
	if (bound_has(ctx->args, "LiteralPath")) {
		literal = true;
		paths = builtin_input(ctx, "LiteralPath", true);
	} else
		paths = builtin_input(ctx, "Path", true);
	if (value_count(paths) == 0) {
		value_unref(paths);
		cmd_error(ctx, ERR_STATEMENT, "InvalidData",
		    "ParameterBindingValidationException",
		    "ParameterArgumentValidationErrorNullNotAllowed",
		    "Cannot bind argument to parameter 'Path' because it is "
		    "null.");
		return (-1);
	}
	for (i = 0; i < value_count(paths); i++) {
		s = value_to_string(value_item(paths, i));
		/* .\x.csv and ~/x.csv as the file cmdlets take them. */
		full = *s != '\0' ? textfile_fullpath(s) : NULL;
		cmd_emit(ctx, value_bool(full != NULL &&
		    path_test(full, literal, type)));
		free(full);
		free(s);
	}
	value_unref(paths);
	return (0);
}

/* Does path (a pattern unless literal) name something of type? */
static bool
path_test(const char *path, bool literal, int type)
{
	glob_t	g;
	size_t	i;
	bool	found = false;

	if (literal || strpbrk(path, "*?[") == NULL)
		return (path_is(path, type));
	if (glob(path, GLOB_NOSORT, NULL, &g) != 0)
		return (false);
	for (i = 0; i < g.gl_pathc && !found; i++)
		found = path_is(g.gl_pathv[i], type);
	globfree(&g);
	return (found);
}

static bool
path_is(const char *path, int type)
{
	struct stat	st;

	if (stat(path, &st) != 0)
		return (false);
	if (type == PATH_CONTAINER)
		return (S_ISDIR(st.st_mode));
	if (type == PATH_LEAF)
		return (!S_ISDIR(st.st_mode));
	return (true);
}

/* Join-Path: each -Path, one "/", then -ChildPath. */
static int
cmd_join_path_exec(struct cmd_ctx *ctx)
{
	struct value	*paths, *child;
	char		*p, *c, *cp;
	size_t		 i, n;

	paths = builtin_input(ctx, "Path", true);
	child = bound_get(ctx->args, "ChildPath");
	c = value_to_string(child);
	for (cp = c; *cp == '/' || *cp == '\\'; cp++)
		continue;
	for (i = 0; i < value_count(paths); i++) {
		p = value_to_string(value_item(paths, i));
		n = strlen(p);
		while (n > 0 && (p[n - 1] == '/' || p[n - 1] == '\\'))
			p[--n] = '\0';
		cmd_emit(ctx, value_string_take(xprintf("%s/%s", p, cp)));
		free(p);
	}
	value_unref(paths);
	free(c);
	return (0);
}

/* Split-Path: the parent (the default), the leaf, or IsAbsolute. */
static int
cmd_split_path_exec(struct cmd_ctx *ctx)
{
	struct value	*paths;
	char		*p, *sep, *c;
	size_t		 i, n;

	paths = builtin_input(ctx, "Path", true);
	for (i = 0; i < value_count(paths); i++) {
		p = value_to_string(value_item(paths, i));
		if (bound_switch(ctx->args, "IsAbsolute")) {
			cmd_emit(ctx, value_bool(p[0] == '/' || p[0] == '\\'));
			free(p);
			continue;
		}
		n = strlen(p);
		while (n > 1 && (p[n - 1] == '/' || p[n - 1] == '\\'))
			p[--n] = '\0';
		for (sep = NULL, c = p; *c != '\0'; c++) {
			if (*c == '/' || *c == '\\')
				sep = c;
		}
		if (bound_switch(ctx->args, "Leaf"))
			cmd_emit(ctx, value_string(sep != NULL ? sep + 1 : p));
		else if (sep == NULL)
			cmd_emit(ctx, value_string(""));
		else {
			*(sep == p ? sep + 1 : sep) = '\0';
			cmd_emit(ctx, value_string(p));
		}
		free(p);
	}
	value_unref(paths);
	return (0);
}
