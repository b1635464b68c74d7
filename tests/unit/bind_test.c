/*
 * bind_test.c - unit tests of the binder: name resolution, positional
 * and colon forms, type conversion, multi-valued edits, mandatory
 * parameters, and the abort on a lookup of a parameter the cmdlet does
 * not declare.  Runs the binder against a small cmdlet entry of its own
 * and against the real Set-SendConnector entry.
 */
#include <sys/wait.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shell.h"
#include "tap.h"
#include "xmalloc.h"

static const struct choice colors[] = {
	{ "Red", 0 }, { "Green", 1 }, { "Greenish", 2 }, { NULL, 0 }
};

static int
test_exec(struct cmd_ctx *ctx)
{
	(void)ctx;
	return (0);
}

static const struct param_entry test_params[] = {
	PARAM("Name", NULL, PT_STRING, P_MANDATORY | P_POSITIONAL, 0, NULL, 0, 0,
	    NULL, "name"),
	PARAM("Color", NULL, PT_ENUM, 0, 0, colors, 0, 0, "Test.Color", "color"),
	PARAM("Count", NULL, PT_INT, P_POSITIONAL, 1, NULL, 1, 10, NULL,
	    "count"),
	PARAM("Flag", NULL, PT_BOOL, 0, 0, NULL, 0, 0, NULL, "flag"),
	PARAM("Force", NULL, PT_SWITCH, 0, 0, NULL, 0, 0,
	    NULL, "force"),
	PARAM("Spaces", NULL, PT_ADDRSPACE, P_MULTI, 0, NULL, 0, 0,
	    "Microsoft.Exchange.Data.AddressSpace", "spaces"),
	PARAM("Hosts", NULL, PT_SMARTHOST, P_MULTI, 0, NULL, 0, 0,
	    "Microsoft.Exchange.Data.SmartHost", "hosts"),
	PARAM_END
};

static const struct cmdlet_entry test_entry = {
	"Test-Bind", "Test.", test_params, C_SHOULDPROCESS, "Test.TestBind",
	test_exec, "Binder test cmdlet."
};

/*
 * Bind "Test-Bind <text>" as the evaluator would; arguments here are
 * constants (variables are not evaluated).
 */
static char *
bind_text(const char *args, struct bound **out)
{
	struct shell	*sh;
	struct source	*src;
	struct node	*tree, *cmd;
	struct parse_error err;
	struct bind_arg	 a[16];
	struct bind_call call;
	enum exec_status st;
	size_t		 i, n = 0;
	char		*text, *errs;
	FILE		*f;
	size_t		 len;

	text = xprintf("Test-Bind %s", args);
	src = source_create("line", text, strlen(text));
	free(text);
	tree = parse_script(src, 0, src->len, &err);
	if (tree == NULL) {
		parse_error_clear(&err);
		source_free(src);
		return (xstrdup("parse error"));
	}
	cmd = tree->kids[0]->kids[0];
	for (i = 1; i < cmd->nkids && n < 16; i++, n++) {
		struct node *k = cmd->kids[i];

		a[n].name = k->type == N_PARAM ? k->str : NULL;
		a[n].colon = k->type == N_PARAM && k->flags != 0;
		if (k->type == N_PARAM && k->nkids == 0)
			a[n].v = NULL;
		else {
			struct node *e = k->type == N_PARAM ? k->kids[0] : k;

			a[n].v = e->val != NULL ? value_ref(e->val) :
			    value_string("?");
		}
		a[n].ext = k->ext;
	}
	sh = shell_create();
	sh->width = 100000;	/* no word wrap: compare whole messages */
	errs = NULL;
	f = open_memstream(&errs, &len);
	sh->err = f;
	sh->out = f;
	memset(&call, 0, sizeof call);
	call.entry = &test_entry;
	call.invocation = "Test-Bind";
	call.cmd = cmd;
	call.src = src;
	call.args = a;
	call.nargs = n;
	*out = bind_command(sh, &call, &st);
	fclose(f);
	for (i = 0; i < n; i++)
		value_unref(a[i].v);
	shell_free(sh);
	node_free(tree);
	source_free(src);
	return (errs);
}

/* The first line of the error text (the message), or "" for success. */
static char *
bind_msg(const char *args)
{
	struct bound	*b = NULL;
	char		*errs, *nl, *msg;

	errs = bind_text(args, &b);
	bound_free(b);
	if ((nl = strstr(errs, "\nAt line:")) != NULL)
		*nl = '\0';
	msg = xstrdup(strncmp(errs, "Test-Bind : ", 12) == 0 ? errs + 12 :
	    errs);
	free(errs);
	return (msg);
}

#define BIND_ERR(args, want) do {					\
	char *m_ = bind_msg(args);					\
	TAP_STREQ(m_, want);						\
	free(m_);							\
} while (0)

static void
test_names(void)
{
	BIND_ERR("x -Col Red", "");
	BIND_ERR("x -color:Green", "");
	BIND_ERR("x -Co Red", "Parameter cannot be processed because the "
	    "parameter name 'Co' is ambiguous. Possible matches include: "
	    "-Color -Count -Confirm.");
	BIND_ERR("x -Nope 1", "A parameter cannot be found that matches "
	    "parameter name 'Nope'.");
	/* A unique prefix binds. */
	BIND_ERR("x -Fo", "");
	BIND_ERR("-Name x -Name y", "Cannot bind parameter because parameter "
	    "'Name' is specified more than once. To provide multiple values "
	    "to parameters that can accept multiple values, use the array "
	    "syntax. For example, \"-parameter value1,value2,value3\".");
}

static void
test_positional(void)
{
	struct bound	*b = NULL;
	char		*e;

	e = bind_text("alpha 3", &b);
	TAP_STREQ(e, "");
	TAP_CHECK(b != NULL && bound_get(b, "Count") != NULL &&
	    bound_get(b, "Count")->u.i == 3);
	free(e);
	bound_free(b);
	BIND_ERR("a 2 extra", "A positional parameter cannot be found that "
	    "accepts argument 'extra'.");
	BIND_ERR("-Color Red", "Cannot process command because of one or "
	    "more missing mandatory parameters: Name.");
	BIND_ERR("x -Color", "Missing an argument for parameter 'Color'. "
	    "Specify a parameter of type 'Test.Color' and try again.");
}

static void
test_conversion(void)
{
	struct bound	*b = NULL;
	char		*e;

	e = bind_text("x -Color greeni -Flag 1 -Force:0", &b);
	TAP_STREQ(e, "");
	TAP_CHECK(b != NULL);
	if (b != NULL) {
		TAP_STREQ(bound_get(b, "Color")->u.s, "Greenish");
		TAP_CHECK(bound_get(b, "Flag")->u.b);
		TAP_CHECK(!bound_switch(b, "Force"));
	}
	free(e);
	bound_free(b);
	BIND_ERR("x -Flag yes", "Cannot convert 'System.String' to the type "
	    "'System.Boolean' required by parameter 'Flag'. ");
	BIND_ERR("x -Color Gree", "Cannot bind parameter 'Color'. Cannot "
	    "convert value \"Gree\" to type \"Test.Color\". Error: \"The "
	    "identifier name Gree cannot be processed because it is either "
	    "too similar or identical to the following enumerator names: "
	    "Green, Greenish. Use a more specific identifier name.\"");
	BIND_ERR("x -Count 11", "Cannot validate argument on parameter "
	    "'Count'. The 11 argument is greater than the maximum allowed "
	    "range of 10. Supply an argument that is less than or equal to "
	    "10 and then try the command again.");
}

static void
test_multi(void)
{
	const struct param_entry	*sp = &test_params[5], *hp = &test_params[6];
	struct value			*in, *out = NULL, *h, *add;
	char				*cause = NULL;

	in = value_string("SMTP:contoso.com");
	TAP_CHECK(bind_convert(sp, in, &out, &cause) == 0);
	TAP_CHECK(out != NULL && out->type == V_ARRAY && out->u.arr.n == 1);
	if (out != NULL && out->u.arr.n == 1)
		TAP_STREQ(out->u.arr.v[0]->u.s, "SMTP:contoso.com;1");
	value_unref(out);
	value_unref(in);
	in = value_string("relay1.example;[192.0.2.1],relay2.example");
	TAP_CHECK(bind_convert(hp, in, &out, &cause) == 0);
	TAP_CHECK(out != NULL && out->u.arr.n == 3);
	if (out != NULL && out->u.arr.n == 3)
		TAP_STREQ(out->u.arr.v[1]->u.s, "[192.0.2.1]");
	value_unref(out);
	value_unref(in);
	h = value_hash();
	add = value_array();
	value_array_push(add, value_string("a.example"));
	value_hash_set(h, value_string("add"), add);
	TAP_CHECK(bind_convert(sp, h, &out, &cause) == 0);
	TAP_CHECK(out != NULL && out->type == V_HASH &&
	    value_hash_get(out, "Add") != NULL);
	value_unref(out);
	value_unref(h);
	h = value_hash();
	value_hash_set(h, value_string("Append"), value_string("x"));
	TAP_CHECK(bind_convert(sp, h, &out, &cause) != 0 && cause != NULL &&
	    strstr(cause, "Add or Remove") != NULL);
	free(cause);
	value_unref(h);
}

/*
 * Run fn(b) in a child with stderr into a pipe: true when it died of
 * SIGABRT after an internal error naming the cmdlet and the parameter.
 */
static bool
lookup_aborts(struct value *(*fn)(const struct bound *, const char *),
    const struct bound *b, const char *name)
{
	char	 buf[512], *want;
	ssize_t	 n;
	size_t	 len = 0;
	pid_t	 pid;
	int	 fds[2], status;
	bool	 ok;

	if (pipe(fds) != 0 || (pid = fork()) == -1)
		return (false);
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], 2);
		signal(SIGABRT, SIG_DFL);
		(void)fn(b, name);
		_exit(0);
	}
	close(fds[1]);
	while (len < sizeof buf - 1 &&
	    (n = read(fds[0], buf + len, sizeof buf - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(fds[0]);
	if (waitpid(pid, &status, 0) != pid)
		return (false);
	want = xprintf("hubsh: internal error: Test-Bind looks up parameter "
	    "-%s, which it does not declare\n", name);
	ok = WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT &&
	    strcmp(buf, want) == 0;
	if (!ok)
		printf("# %s: status %d, stderr \"%s\"\n", name, status, buf);
	free(want);
	return (ok);
}

static void
test_undeclared(void)
{
	struct bound	*b = NULL;
	char		*e;

	e = bind_text("x", &b);
	TAP_STREQ(e, "");
	free(e);
	if (b == NULL)
		return;
	/* Declared here, common or ShouldProcess: looked up quietly. */
	TAP_CHECK(bound_get(b, "Count") == NULL);
	TAP_CHECK(!bound_has(b, "verbose"));
	TAP_CHECK(!bound_switch(b, "WhatIf"));
	TAP_CHECK(bound_index(b, "DomainController") == -1);
	/* Another cmdlet's parameter, asked by shared code. */
	TAP_CHECK(bound_get_opt(b, "TlsAuthLevel") == NULL);
	TAP_CHECK(lookup_aborts(bound_get, b, "Colour"));
	TAP_CHECK(lookup_aborts(bound_get_opt, b, "Colour"));
	TAP_CHECK(lookup_aborts(bound_get, b, "TlsAuthLevel"));
	bound_free(b);
}

/*
 * A parameter names its own .NET type only where it differs from its
 * ptype's (ptype_table): one place for each type name.
 */
static void
test_type_names(void)
{
	const struct cmdlet_entry	*const *ce;
	const struct param_entry	*p;
	int				 n = 0;

	for (ce = cmdlet_table; *ce != NULL; ce++) {
		for (p = (*ce)->params; p != NULL && p->name != NULL; p++) {
			n++;
			if (p->type_name == NULL ||
			    ptype_table[p->type].type_name == NULL ||
			    strcmp(p->type_name,
			    ptype_table[p->type].type_name) != 0)
				continue;
			printf("# %s -%s repeats %s\n", (*ce)->name, p->name,
			    p->type_name);
			tap_case_failed = 1;
		}
	}
	TAP_CHECK(n > 100);
}

static const struct tap_case cases[] = {
	{ "names: exact, prefix, ambiguous, unknown, twice", test_names },
	{ "a parameter's own .NET type name is not its ptype's",
	    test_type_names },
	{ "positional binding and mandatory parameters", test_positional },
	{ "bool, switch, enum prefix and range conversion", test_conversion },
	{ "multi-valued: lists, separators, @{Add; Remove}", test_multi },
	{ "a lookup of an undeclared parameter aborts", test_undeclared },
};

TAP_MAIN(cases)
