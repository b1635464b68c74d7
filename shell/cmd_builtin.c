/*
 * cmd_builtin.c - the PowerShell built-ins hubsh has: Format-List,
 * Format-Table, Where-Object, ForEach-Object, Select-Object, Sort-Object,
 * Get-Credential, ConvertTo-SecureString, New-Object, Write-Host,
 * Write-Output, Out-Null, Out-String, Get-Date and Measure-Object.
 *
 * Each cmdlet is an entry for cmdlet_table[] (cmdlet.c) with its parameter
 * table; the binder has converted the arguments before exec runs.  Pipeline
 * input is the whole, already flattened, output of the command before, in
 * ctx->input; without it, an explicit -InputObject is used.  Everything
 * emitted goes to ctx->out one item at a time (arrays are unrolled, as
 * PowerShell's pipeline does).
 *
 * Comparisons in Where-Object's simplified syntax follow the same rules as
 * the operators in eval.c: case-insensitive unless the C form is used, the
 * right operand converted to the left operand's kind, a collection on the
 * left filtered element by element.
 *
 * Passwords: Get-Credential and ConvertTo-SecureString keep the plain text
 * only inside V_SECURE values (wiped when freed); every temporary copy is
 * wiped with explicit_bzero before it is freed.
 */
#include <ctype.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "shell.h"
#include "xmalloc.h"

#define CRED_TYPE	"System.Management.Automation.PSCredential"
#define PS_CLASS(x)	"Microsoft.PowerShell.Commands." x
#define PARAM_END	{ NULL, NULL, PT_STRING, 0, 0, NULL, 0, 0, NULL, NULL }

/* Where-Object comparison kinds. */
enum where_kind {
	W_TRUTHY,	/* no operator: the property's own truth */
	W_EQ, W_NE, W_GT, W_LT, W_GE, W_LE,
	W_LIKE, W_NOTLIKE, W_MATCH, W_NOTMATCH,
	W_CONTAINS, W_NOTCONTAINS, W_IN, W_NOTIN,
	W_IS, W_ISNOT
};

struct where_op {
	const char	*name;		/* switch parameter */
	enum where_kind	 kind;
	bool		 cs;		/* case-sensitive (C prefix) */
};

/* One Sort-Object key. */
struct sort_spec {
	struct value	*expr;		/* name, script block, NULL: the item */
	bool		 descending;
};

struct sort_item {
	struct value	 *item;
	struct value	**keys;
};

struct sort_ctx {
	struct sort_spec *specs;
	size_t		  nspecs;
	bool		  cs;
};

static struct value	*builtin_input(struct cmd_ctx *, const char *, bool);
static struct value	*builtin_member(const struct value *, const char *);
static struct value	*builtin_run(struct cmd_ctx *, struct value *,
			    struct value *);
static void		 builtin_emit_items(struct cmd_ctx *, struct value *);
static int		 builtin_calc_key(const char *, const char *const *);
static struct value	*builtin_eval_expr(struct cmd_ctx *, struct value *,
			    struct value *);
static int		 builtin_string_cmp(const char *, const char *, bool);

static int		 cmd_format_list_exec(struct cmd_ctx *);
static int		 format_check(struct cmd_ctx *, const char *const *);
static int		 cmd_format_table_exec(struct cmd_ctx *);
static int		 cmd_where_object_exec(struct cmd_ctx *);
static void		 where_script(struct cmd_ctx *, struct value *,
			    struct value *);
static void		 where_simple(struct cmd_ctx *, struct value *,
			    struct value *);
static int		 where_operator(struct cmd_ctx *,
			    const struct where_op **);
static bool		 where_check(struct cmd_ctx *, const struct where_op *);
static bool		 where_test(struct cmd_ctx *, const struct where_op *,
			    struct value *, struct value *);
static bool		 where_scalar(struct cmd_ctx *, enum where_kind, bool,
			    struct value *, struct value *);
static bool		 where_regex(struct cmd_ctx *, const char *,
			    const char *, bool);
static bool		 where_contains(struct cmd_ctx *, struct value *,
			    struct value *, bool);
static bool		 where_is(const struct value *, const struct value *);
static int		 cmd_foreach_object_exec(struct cmd_ctx *);
static bool		 foreach_run(struct cmd_ctx *, struct value *,
			    struct value *);
static int		 cmd_select_object_exec(struct cmd_ctx *);
static struct value	*select_slice(struct cmd_ctx *, struct value *);
static struct value	*select_project(struct cmd_ctx *, struct value *,
			    struct value *);
static int		 select_calc(struct cmd_ctx *, struct value *,
			    const char *const *, char **, struct value **,
			    int *);
static void		 select_name(struct value *, struct value *,
			    const char *);
static void		 select_add(struct value *, const char *,
			    struct value *);
static void		 select_expand(struct cmd_ctx *, struct value *,
			    const char *, struct value *);
static struct value	*select_unique(struct value *);
static char		*select_identity(const struct value *);
static int		 cmd_sort_object_exec(struct cmd_ctx *);
static int		 sort_specs(struct cmd_ctx *, struct sort_ctx *);
static int		 sort_cmp(struct value *, struct value *, bool);
static int		 sort_item_cmp(const struct sort_item *,
			    const struct sort_item *, const struct sort_ctx *);
static void		 sort_merge(struct sort_item *, struct sort_item *,
			    size_t, const struct sort_ctx *);
static int		 cmd_get_credential_exec(struct cmd_ctx *);
static char		*credential_user(struct cmd_ctx *);
static char		*credential_read(struct cmd_ctx *, const char *,
			    bool);
static struct value	*credential_object(const char *, const char *);
static int		 cmd_convertto_securestring_exec(struct cmd_ctx *);
static void		 securestring_convert(struct cmd_ctx *,
			    struct value *);
static int		 cmd_new_object_exec(struct cmd_ctx *);
static void		 new_object_credential(struct cmd_ctx *,
			    struct value *);
static void		 new_object_custom(struct cmd_ctx *, struct value *);
static int		 cmd_write_host_exec(struct cmd_ctx *);
static void		 write_host_text(struct buf *, const struct value *,
			    const char *);
static int		 cmd_write_output_exec(struct cmd_ctx *);
static int		 cmd_out_null_exec(struct cmd_ctx *);
static int		 cmd_out_string_exec(struct cmd_ctx *);
static int		 cmd_get_date_exec(struct cmd_ctx *);
static int64_t		 date_now(void);
static char		*date_format(int64_t, const char *);
static void		 date_format_token(struct buf *, const struct tm *,
			    int64_t, char, int);
static int		 cmd_measure_object_exec(struct cmd_ctx *);
static void		 measure_add(struct cmd_ctx *, struct value *,
			    double *);

/*
 * Format-List and Format-Table.  The keys their calculated properties
 * may have (Label and Name are one key), matched by unique prefix.
 */
static const char *const format_list_keys[] = {
	"Expression", "Label", "Name", "FormatString", NULL
};

static const char *const format_table_keys[] = {
	"Expression", "Label", "Name", "FormatString", "Width", "Alignment",
	NULL
};

static const struct param_entry format_list_params[] = {
	{ "Property", NULL, PT_OBJECT, P_POSITIONAL, 0, NULL, 0, 0,
	  "System.Object[]",
	  "Properties to show: names, wildcards, {script blocks} or "
	  "@{Name=...;Expression=...} hashtables." },
	{ "InputObject", NULL, PT_OBJECT, P_PIPELINE, 0, NULL, 0, 0,
	  "System.Management.Automation.PSObject",
	  "The objects to format; usually piped in." },
	PARAM_END
};

const struct cmdlet_entry cmd_format_list_entry = {
	.name = "Format-List",
	.synopsis = "Formats the output as a list of properties in which "
	    "each property appears on a new line.",
	.params = format_list_params,
	.flags = 0,
	.class_name = PS_CLASS("FormatListCommand"),
	.exec = cmd_format_list_exec,
	.description = "Format-List shows each object as a list of "
	    "\"Label : value\" lines, one line per property, with a blank "
	    "line between objects. Without -Property it shows the "
	    "properties the object's type chooses for lists; -Property * "
	    "shows all of them."
};

static const struct param_entry format_table_params[] = {
	{ "Property", NULL, PT_OBJECT, P_POSITIONAL, 0, NULL, 0, 0,
	  "System.Object[]",
	  "Columns to show: names, wildcards, {script blocks} or "
	  "@{Name=...;Expression=...;Width=...} hashtables." },
	{ "AutoSize", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Sizes the columns to the widest value over all the objects." },
	{ "HideTableHeaders", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Leaves out the column headings and their underlines." },
	{ "Wrap", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Accepted for compatibility; long values are cut with ..." },
	{ "InputObject", NULL, PT_OBJECT, P_PIPELINE, 0, NULL, 0, 0,
	  "System.Management.Automation.PSObject",
	  "The objects to format; usually piped in." },
	PARAM_END
};

const struct cmdlet_entry cmd_format_table_entry = {
	.name = "Format-Table",
	.synopsis = "Formats the output as a table.",
	.params = format_table_params,
	.flags = 0,
	.class_name = PS_CLASS("FormatTableCommand"),
	.exec = cmd_format_table_exec,
	.description = "Format-Table shows the objects as a table, one row "
	    "per object and one column per property. Without -Property the "
	    "columns are the ones the object's type chooses for tables."
};

/*
 * Where-Object: the script block form and the simplified syntax.
 */
static const struct where_op where_ops[] = {
	{ "EQ", W_EQ, false }, { "CEQ", W_EQ, true },
	{ "NE", W_NE, false }, { "CNE", W_NE, true },
	{ "GT", W_GT, false }, { "CGT", W_GT, true },
	{ "LT", W_LT, false }, { "CLT", W_LT, true },
	{ "GE", W_GE, false }, { "CGE", W_GE, true },
	{ "LE", W_LE, false }, { "CLE", W_LE, true },
	{ "Like", W_LIKE, false }, { "CLike", W_LIKE, true },
	{ "NotLike", W_NOTLIKE, false }, { "CNotLike", W_NOTLIKE, true },
	{ "Match", W_MATCH, false }, { "CMatch", W_MATCH, true },
	{ "NotMatch", W_NOTMATCH, false }, { "CNotMatch", W_NOTMATCH, true },
	{ "Contains", W_CONTAINS, false },
	{ "CContains", W_CONTAINS, true },
	{ "NotContains", W_NOTCONTAINS, false },
	{ "CNotContains", W_NOTCONTAINS, true },
	{ "In", W_IN, false }, { "CIn", W_IN, true },
	{ "NotIn", W_NOTIN, false }, { "CNotIn", W_NOTIN, true },
	{ "Is", W_IS, false }, { "IsNot", W_ISNOT, false },
	{ NULL, W_TRUTHY, false }
};

#define WHERE_SWITCH(n, a, h) \
	{ n, a, PT_SWITCH, 0, 0, NULL, 0, 0, NULL, h }

static const struct param_entry where_object_params[] = {
	{ "FilterScript", NULL, PT_OBJECT, P_POSITIONAL, 0, NULL, 0, 0,
	  "System.Management.Automation.ScriptBlock",
	  "Script block run with $_ set to each object; the object is kept "
	  "when the result is true." },
	{ "Property", NULL, PT_STRING, P_POSITIONAL, 0, NULL, 0, 0,
	  "System.String",
	  "Property compared in the simplified syntax: where Name -eq 'x'." },
	{ "Value", NULL, PT_OBJECT, P_POSITIONAL, 1, NULL, 0, 0,
	  "System.Object", "Value the property is compared with." },
	{ "InputObject", NULL, PT_OBJECT, P_PIPELINE, 0, NULL, 0, 0,
	  "System.Management.Automation.PSObject",
	  "The objects to filter; usually piped in." },
	WHERE_SWITCH("EQ", "IEQ", "Keeps objects whose property equals "
	    "the value."),
	WHERE_SWITCH("CEQ", NULL, "Like -EQ, case-sensitive."),
	WHERE_SWITCH("NE", "INE", "Keeps objects whose property differs "
	    "from the value."),
	WHERE_SWITCH("CNE", NULL, "Like -NE, case-sensitive."),
	WHERE_SWITCH("GT", "IGT", "Keeps objects whose property is greater "
	    "than the value."),
	WHERE_SWITCH("CGT", NULL, "Like -GT, case-sensitive."),
	WHERE_SWITCH("LT", "ILT", "Keeps objects whose property is less "
	    "than the value."),
	WHERE_SWITCH("CLT", NULL, "Like -LT, case-sensitive."),
	WHERE_SWITCH("GE", "IGE", "Keeps objects whose property is greater "
	    "than or equal to the value."),
	WHERE_SWITCH("CGE", NULL, "Like -GE, case-sensitive."),
	WHERE_SWITCH("LE", "ILE", "Keeps objects whose property is less "
	    "than or equal to the value."),
	WHERE_SWITCH("CLE", NULL, "Like -LE, case-sensitive."),
	WHERE_SWITCH("Like", "ILike", "Keeps objects whose property matches "
	    "the wildcard pattern given as the value."),
	WHERE_SWITCH("CLike", NULL, "Like -Like, case-sensitive."),
	WHERE_SWITCH("NotLike", "INotLike", "Keeps objects whose property "
	    "does not match the wildcard pattern."),
	WHERE_SWITCH("CNotLike", NULL, "Like -NotLike, case-sensitive."),
	WHERE_SWITCH("Match", "IMatch", "Keeps objects whose property "
	    "matches the regular expression given as the value."),
	WHERE_SWITCH("CMatch", NULL, "Like -Match, case-sensitive."),
	WHERE_SWITCH("NotMatch", "INotMatch", "Keeps objects whose property "
	    "does not match the regular expression."),
	WHERE_SWITCH("CNotMatch", NULL, "Like -NotMatch, case-sensitive."),
	WHERE_SWITCH("Contains", "IContains", "Keeps objects whose property "
	    "(a collection) contains the value."),
	WHERE_SWITCH("CContains", NULL, "Like -Contains, case-sensitive."),
	WHERE_SWITCH("NotContains", "INotContains", "Keeps objects whose "
	    "property (a collection) does not contain the value."),
	WHERE_SWITCH("CNotContains", NULL, "Like -NotContains, "
	    "case-sensitive."),
	WHERE_SWITCH("In", "IIn", "Keeps objects whose property is one of "
	    "the values (a collection)."),
	WHERE_SWITCH("CIn", NULL, "Like -In, case-sensitive."),
	WHERE_SWITCH("NotIn", "INotIn", "Keeps objects whose property is "
	    "none of the values."),
	WHERE_SWITCH("CNotIn", NULL, "Like -NotIn, case-sensitive."),
	WHERE_SWITCH("Is", NULL, "Keeps objects whose property is of the "
	    "type named by the value, e.g. [int] or string."),
	WHERE_SWITCH("IsNot", NULL, "Keeps objects whose property is not "
	    "of the type named by the value."),
	PARAM_END
};

const struct cmdlet_entry cmd_where_object_entry = {
	.name = "Where-Object",
	.synopsis = "Selects objects from a collection based on their "
	    "property values.",
	.params = where_object_params,
	.flags = 0,
	.class_name = PS_CLASS("WhereObjectCommand"),
	.exec = cmd_where_object_exec,
	.description = "Where-Object passes on the objects for which a test "
	    "is true. The test is a script block, where {$_.RequireTLS -and "
	    "$_.Enabled}, or one comparison of a property, where Name -like "
	    "'Internet*'. With a property and no operator, where Enabled "
	    "keeps the objects whose property is true."
};

/*
 * ForEach-Object.
 */
static const struct param_entry foreach_object_params[] = {
	{ "Process", NULL, PT_OBJECT, P_POSITIONAL, 0, NULL, 0, 0,
	  "System.Management.Automation.ScriptBlock",
	  "Script block run for each object, with $_ set to it; a name "
	  "instead outputs that property of each object (% Name)." },
	{ "Begin", NULL, PT_SCRIPT, 0, 0, NULL, 0, 0,
	  "System.Management.Automation.ScriptBlock",
	  "Script block run once before the first object." },
	{ "End", NULL, PT_SCRIPT, 0, 0, NULL, 0, 0,
	  "System.Management.Automation.ScriptBlock",
	  "Script block run once after the last object." },
	{ "InputObject", NULL, PT_OBJECT, P_PIPELINE, 0, NULL, 0, 0,
	  "System.Management.Automation.PSObject",
	  "The objects to process; usually piped in." },
	PARAM_END
};

const struct cmdlet_entry cmd_foreach_object_entry = {
	.name = "ForEach-Object",
	.synopsis = "Performs an operation against each item in a "
	    "collection of input objects.",
	.params = foreach_object_params,
	.flags = 0,
	.class_name = PS_CLASS("ForEachObjectCommand"),
	.exec = cmd_foreach_object_exec,
	.description = "ForEach-Object runs the -Process script block once "
	    "for every input object, with $_ set to the object, and passes "
	    "on whatever the block outputs."
};

/*
 * Select-Object.
 */
static const char *const select_calc_keys[] = {
	"Name", "Label", "Expression", NULL
};

static const struct param_entry select_object_params[] = {
	{ "Property", NULL, PT_OBJECT, P_POSITIONAL, 0, NULL, 0, 0,
	  "System.Object[]",
	  "Properties to keep: names, wildcards, {script blocks} or "
	  "@{Name=...;Expression=...} hashtables." },
	{ "ExpandProperty", NULL, PT_STRING, 0, 0, NULL, 0, 0,
	  "System.String",
	  "Outputs the value of this property instead of an object; "
	  "collections are unrolled." },
	{ "First", NULL, PT_INT, 0, 0, NULL, 0, INT32_MAX, "System.Int32",
	  "Keeps only this many objects from the start." },
	{ "Last", NULL, PT_INT, 0, 0, NULL, 0, INT32_MAX, "System.Int32",
	  "Keeps only this many objects from the end." },
	{ "Skip", NULL, PT_INT, 0, 0, NULL, 0, INT32_MAX, "System.Int32",
	  "Leaves out this many objects from the start." },
	{ "Unique", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Drops objects identical to one already output (case-sensitive)." },
	{ "InputObject", NULL, PT_OBJECT, P_PIPELINE, 0, NULL, 0, 0,
	  "System.Management.Automation.PSObject",
	  "The objects to select from; usually piped in." },
	PARAM_END
};

const struct cmdlet_entry cmd_select_object_entry = {
	.name = "Select-Object",
	.synopsis = "Selects objects or object properties.",
	.params = select_object_params,
	.flags = 0,
	.class_name = PS_CLASS("SelectObjectCommand"),
	.exec = cmd_select_object_exec,
	.description = "Select-Object makes new objects holding only the "
	    "properties named by -Property, outputs the value of one "
	    "property with -ExpandProperty, or keeps some of the objects "
	    "with -First, -Last, -Skip and -Unique."
};

/*
 * Sort-Object.
 */
static const char *const sort_calc_keys[] = {
	"Expression", "Ascending", "Descending", NULL
};

static const struct param_entry sort_object_params[] = {
	{ "Property", NULL, PT_OBJECT, P_POSITIONAL, 0, NULL, 0, 0,
	  "System.Object[]",
	  "Sort keys, most significant first: names, {script blocks} or "
	  "@{Expression=...;Descending=$true} hashtables." },
	{ "Descending", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Sorts from the largest value to the smallest." },
	{ "Unique", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Keeps one object of each run with equal sort keys." },
	{ "CaseSensitive", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Compares text with case (lower case sorts first)." },
	{ "InputObject", NULL, PT_OBJECT, P_PIPELINE, 0, NULL, 0, 0,
	  "System.Management.Automation.PSObject",
	  "The objects to sort; usually piped in." },
	PARAM_END
};

const struct cmdlet_entry cmd_sort_object_entry = {
	.name = "Sort-Object",
	.synopsis = "Sorts objects by property values.",
	.params = sort_object_params,
	.flags = 0,
	.class_name = PS_CLASS("SortObjectCommand"),
	.exec = cmd_sort_object_exec,
	.description = "Sort-Object outputs its input in order. Text is "
	    "compared without case, numbers by value, dates by time and "
	    "False before True; $null sorts first. The sort is stable: "
	    "objects with equal keys keep their order."
};

/*
 * Get-Credential and ConvertTo-SecureString.
 */
static const struct param_entry get_credential_params[] = {
	{ "Credential", NULL, PT_OBJECT, P_POSITIONAL, 0, NULL, 0, 0,
	  CRED_TYPE,
	  "User name to fill in (only the password is asked), or a "
	  "credential to return as it is." },
	{ "Message", NULL, PT_STRING, 0, 0, NULL, 0, 0, "System.String",
	  "Text shown instead of \"Enter your credentials.\"" },
	{ "UserName", NULL, PT_STRING, 0, 0, NULL, 0, 0, "System.String",
	  "User name to fill in; only the password is asked." },
	PARAM_END
};

const struct cmdlet_entry cmd_get_credential_entry = {
	.name = "Get-Credential",
	.synopsis = "Gets a credential object based on a user name and "
	    "password.",
	.params = get_credential_params,
	.flags = C_NOINPUT,
	.class_name = PS_CLASS("GetCredentialCommand"),
	.exec = cmd_get_credential_exec,
	.description = "Get-Credential asks on the terminal for a user name "
	    "and a password (not echoed) and outputs a PSCredential, for "
	    "example for New-SendConnector -AuthenticationCredential. "
	    "Scripts without a terminal build one with New-Object "
	    "System.Management.Automation.PSCredential."
};

static const struct param_entry convertto_securestring_params[] = {
	{ "String", NULL, PT_STRING, P_MANDATORY | P_POSITIONAL | P_PIPELINE,
	  0, NULL, 0, 0, "System.String", "The text to convert." },
	{ "AsPlainText", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Says that the string is plain text (needs -Force too)." },
	{ "Force", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Confirms that plain text input is meant." },
	PARAM_END
};

const struct cmdlet_entry cmd_convertto_securestring_entry = {
	.name = "ConvertTo-SecureString",
	.synopsis = "Converts plain text to a secure string.",
	.params = convertto_securestring_params,
	.flags = 0,
	.class_name = PS_CLASS("ConvertToSecureStringCommand"),
	.exec = cmd_convertto_securestring_exec,
	.description = "ConvertTo-SecureString 'text' -AsPlainText -Force "
	    "makes a SecureString, for building a PSCredential. The text "
	    "is never printed; the value shows as "
	    "System.Security.SecureString."
};

/*
 * New-Object.
 */
static const struct param_entry new_object_params[] = {
	{ "TypeName", NULL, PT_STRING, P_MANDATORY | P_POSITIONAL, 0, NULL,
	  0, 0, "System.String",
	  "The type: System.Management.Automation.PSCredential or "
	  "PSObject." },
	{ "ArgumentList", "Args", PT_OBJECT, P_POSITIONAL, 1, NULL, 0, 0,
	  "System.Object[]",
	  "Constructor arguments: for PSCredential, the user name and a "
	  "SecureString." },
	{ "Property", NULL, PT_OBJECT, 0, 0, NULL, 0, 0,
	  "System.Collections.IDictionary",
	  "Hashtable of property names and values for a PSObject." },
	PARAM_END
};

const struct cmdlet_entry cmd_new_object_entry = {
	.name = "New-Object",
	.synopsis = "Creates an instance of a .NET object.",
	.params = new_object_params,
	.flags = C_NOINPUT,
	.class_name = PS_CLASS("NewObjectCommand"),
	.exec = cmd_new_object_exec,
	.description = "New-Object makes the two kinds of object Exchange "
	    "scripts build: a PSCredential from a user name and a "
	    "SecureString, and a PSObject from a hashtable of properties."
};

/*
 * Write-Host, Write-Output, Out-Null, Out-String.
 */
static const char *const console_colors[] = {
	"Black", "DarkBlue", "DarkGreen", "DarkCyan", "DarkRed",
	"DarkMagenta", "DarkYellow", "Gray", "DarkGray", "Blue", "Green",
	"Cyan", "Red", "Magenta", "Yellow", "White", NULL
};

static const struct param_entry write_host_params[] = {
	{ "Object", NULL, PT_OBJECT, P_POSITIONAL | P_PIPELINE, 0, NULL, 0,
	  0, "System.Object", "What to print; collections are joined by "
	  "the separator." },
	{ "NoNewline", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Leaves the cursor after the text instead of ending the line." },
	{ "Separator", NULL, PT_OBJECT, 0, 0, NULL, 0, 0, "System.Object",
	  "Text printed between the items of a collection (default: a "
	  "space)." },
	{ "ForegroundColor", NULL, PT_ENUM, 0, 0, console_colors, 0, 0,
	  "System.ConsoleColor", "Accepted for compatibility; hubsh prints "
	  "without colour." },
	{ "BackgroundColor", NULL, PT_ENUM, 0, 0, console_colors, 0, 0,
	  "System.ConsoleColor", "Accepted for compatibility; hubsh prints "
	  "without colour." },
	PARAM_END
};

const struct cmdlet_entry cmd_write_host_entry = {
	.name = "Write-Host",
	.synopsis = "Writes customized output to a host.",
	.params = write_host_params,
	.flags = 0,
	.class_name = PS_CLASS("WriteHostCommand"),
	.exec = cmd_write_host_exec,
	.description = "Write-Host prints text straight to the console. It "
	    "outputs nothing to the pipeline, so it cannot be captured in a "
	    "variable; use Write-Output for that."
};

static const struct param_entry write_output_params[] = {
	{ "InputObject", NULL, PT_OBJECT, P_POSITIONAL | P_PIPELINE, 0,
	  NULL, 0, 0, "System.Management.Automation.PSObject[]",
	  "The objects to send down the pipeline." },
	{ "NoEnumerate", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Outputs a collection as one object instead of item by item." },
	PARAM_END
};

const struct cmdlet_entry cmd_write_output_entry = {
	.name = "Write-Output",
	.synopsis = "Sends the specified objects to the next command in "
	    "the pipeline.",
	.params = write_output_params,
	.flags = 0,
	.class_name = PS_CLASS("WriteOutputCommand"),
	.exec = cmd_write_output_exec,
	.description = "Write-Output sends its arguments down the pipeline; "
	    "at the end of the pipeline they are displayed."
};

static const struct param_entry out_null_params[] = {
	{ "InputObject", NULL, PT_OBJECT, P_PIPELINE, 0, NULL, 0, 0,
	  "System.Management.Automation.PSObject",
	  "The objects to discard; usually piped in." },
	PARAM_END
};

const struct cmdlet_entry cmd_out_null_entry = {
	.name = "Out-Null",
	.synopsis = "Hides the output instead of sending it down the "
	    "pipeline or displaying it.",
	.params = out_null_params,
	.flags = 0,
	.class_name = PS_CLASS("OutNullCommand"),
	.exec = cmd_out_null_exec,
	.description = "Out-Null discards its input. Errors are still "
	    "shown."
};

static const struct param_entry out_string_params[] = {
	{ "Width", NULL, PT_INT, 0, 0, NULL, 2, INT32_MAX, "System.Int32",
	  "Line width of the formatted text (default: the console's)." },
	{ "Stream", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Outputs one string per line instead of one string in all." },
	{ "InputObject", NULL, PT_OBJECT, P_PIPELINE, 0, NULL, 0, 0,
	  "System.Management.Automation.PSObject",
	  "The objects to format; usually piped in." },
	PARAM_END
};

const struct cmdlet_entry cmd_out_string_entry = {
	.name = "Out-String",
	.synopsis = "Sends objects to the host as a series of strings.",
	.params = out_string_params,
	.flags = 0,
	.class_name = PS_CLASS("OutStringCommand"),
	.exec = cmd_out_string_exec,
	.description = "Out-String formats its input the way the console "
	    "would show it and outputs the text as a string."
};

/*
 * Get-Date and Measure-Object.
 */
static const struct param_entry get_date_params[] = {
	{ "Date", NULL, PT_STRING, P_POSITIONAL, 0, NULL, 0, 0,
	  "System.DateTime",
	  "The date to output instead of now: 2012-07-09, "
	  "2012-07-09 14:00 or 7/9/2012 2:00 PM (local time)." },
	{ "Format", NULL, PT_STRING, 0, 0, NULL, 0, 0, "System.String",
	  "Outputs text in this .NET format, e.g. yyyy-MM-dd or o." },
	PARAM_END
};

const struct cmdlet_entry cmd_get_date_entry = {
	.name = "Get-Date",
	.synopsis = "Gets the current date and time.",
	.params = get_date_params,
	.flags = C_NOINPUT,
	.class_name = PS_CLASS("GetDateCommand"),
	.exec = cmd_get_date_exec,
	.description = "Get-Date outputs the current date and time, or the "
	    "date given by -Date, as a DateTime; with -Format it outputs "
	    "the formatted text instead."
};

static const struct param_entry measure_object_params[] = {
	{ "Property", NULL, PT_STRING, P_POSITIONAL, 0, NULL, 0, 0,
	  "System.String", "Property to measure instead of the objects "
	  "themselves." },
	{ "Sum", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Adds up the values." },
	{ "Average", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Averages the values." },
	{ "Maximum", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Finds the largest value." },
	{ "Minimum", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Finds the smallest value." },
	{ "InputObject", NULL, PT_OBJECT, P_PIPELINE, 0, NULL, 0, 0,
	  "System.Management.Automation.PSObject",
	  "The objects to measure; usually piped in." },
	PARAM_END
};

const struct cmdlet_entry cmd_measure_object_entry = {
	.name = "Measure-Object",
	.synopsis = "Calculates the numeric properties of objects.",
	.params = measure_object_params,
	.flags = 0,
	.class_name = PS_CLASS("MeasureObjectCommand"),
	.exec = cmd_measure_object_exec,
	.description = "Measure-Object counts its input objects and, with "
	    "-Sum, -Average, -Maximum or -Minimum, computes those over the "
	    "values (of -Property when given)."
};

/*
 * Shared helpers.
 */

/*
 * The objects to work on, as a new array (caller unrefs): the pipeline
 * input, else the -InputObject argument, unrolled when flatten is set
 * (PowerShell treats an explicit -InputObject as one object).
 */
static struct value *
builtin_input(struct cmd_ctx *ctx, const char *param, bool flatten)
{
	struct value	*in, *v;
	size_t		 i;

	in = value_array();
	if (ctx->ninput > 0) {
		for (i = 0; i < ctx->ninput; i++)
			value_array_push(in, value_ref(ctx->input[i]));
	} else if ((v = bound_get(ctx->args, param)) != NULL) {
		if (flatten) {
			for (i = 0; i < value_count(v); i++)
				value_array_push(in,
				    value_ref(value_item(v, i)));
		} else if (v->type != V_NULL)
			value_array_push(in, value_ref(v));
	}
	return (in);
}

/* A member of a value (new reference), or NULL when it has none. */
static struct value *
builtin_member(const struct value *v, const char *name)
{
	struct value	*m;

	switch (v->type) {
	case V_OBJECT:
		m = object_get(v, name);
		return (m != NULL ? value_ref(m) : NULL);
	case V_HASH:
		if ((m = value_hash_get(v, name)) != NULL)
			return (value_ref(m));
		if (strcasecmp(name, "Count") == 0)
			return (value_int((int64_t)v->u.hash.n));
		return (NULL);
	case V_STRING:
		if (strcasecmp(name, "Length") == 0)
			return (value_int((int64_t)utf8_width(v->u.s)));
		return (NULL);
	case V_ARRAY:
		if (strcasecmp(name, "Count") == 0 ||
		    strcasecmp(name, "Length") == 0)
			return (value_int((int64_t)v->u.arr.n));
		return (NULL);
	default:
		return (NULL);
	}
}

/* Run a script block with $_ = item; its output array (caller unrefs). */
static struct value *
builtin_run(struct cmd_ctx *ctx, struct value *script, struct value *item)
{
	struct value	*out;
	bool		 failed = false;

	out = cmd_invoke_script(ctx, script, item, &failed);
	if (failed)
		ctx->failed = true;
	return (out);
}

/* Emit every item of v (unrolled); takes the reference to v. */
static void
builtin_emit_items(struct cmd_ctx *ctx, struct value *v)
{
	size_t	i;

	for (i = 0; i < value_count(v); i++)
		cmd_emit(ctx, value_ref(value_item(v, i)));
	value_unref(v);
}

/*
 * Index of a hashtable key among names: an exact match or a unique
 * prefix, without case; -1 when it matches none or several.
 */
static int
builtin_calc_key(const char *key, const char *const *names)
{
	size_t	len = strlen(key);
	int	i, found = -1;

	if (len == 0)
		return (-1);
	for (i = 0; names[i] != NULL; i++) {
		if (strcasecmp(names[i], key) == 0)
			return (i);
		if (strncasecmp(names[i], key, len) == 0) {
			if (found != -1)
				return (-1);
			found = i;
		}
	}
	return (found);
}

/* Value of a calculated expression (a name or a script block). */
static struct value *
builtin_eval_expr(struct cmd_ctx *ctx, struct value *expr,
    struct value *item)
{
	struct value	*v;
	char		*name;

	if (expr->type == V_SCRIPT)
		return (value_collapse(builtin_run(ctx, expr, item)));
	name = value_to_string(expr);
	v = builtin_member(item, name);
	free(name);
	return (v != NULL ? v : value_null());
}

/*
 * Text order: without case, then (when cs) lower case before upper case,
 * as culture-aware comparison does.
 */
static int
builtin_string_cmp(const char *a, const char *b, bool cs)
{
	int	c;

	c = strcasecmp_utf8(a, b);
	if (c == 0 && cs)
		c = -strcmp(a, b);
	return (c);
}

/*
 * Format-List and Format-Table: one V_FORMAT value for the whole input.
 */
static int
cmd_format_list_exec(struct cmd_ctx *ctx)
{
	struct value	*in;
	char		*text;

	if (format_check(ctx, format_list_keys) != 0)
		return (0);
	in = builtin_input(ctx, "InputObject", true);
	if (in->u.arr.n > 0) {
		text = format_list(ctx->sh, in->u.arr.v, in->u.arr.n,
		    bound_get(ctx->args, "Property"));
		cmd_emit(ctx, value_format(text));
	}
	value_unref(in);
	return (0);
}

static int
cmd_format_table_exec(struct cmd_ctx *ctx)
{
	struct value	*in;
	char		*text;

	if (format_check(ctx, format_table_keys) != 0)
		return (0);
	in = builtin_input(ctx, "InputObject", true);
	if (in->u.arr.n > 0) {
		text = format_table(ctx->sh, in->u.arr.v, in->u.arr.n,
		    bound_get(ctx->args, "Property"),
		    bound_switch(ctx->args, "AutoSize"),
		    bound_switch(ctx->args, "HideTableHeaders"));
		cmd_emit(ctx, value_format(text));
	}
	value_unref(in);
	return (0);
}

/*
 * The calculated properties of -Property checked before anything is
 * formatted, as 5.1 checks them: only the cmdlet's keys, and an
 * Expression in each.  -1 after writing the error.
 */
static int
format_check(struct cmd_ctx *ctx, const char *const *keys)
{
	struct value	*props, *sel, *expr;
	char		*label;
	size_t		 i;
	int		 dir;

	if ((props = bound_get(ctx->args, "Property")) == NULL)
		return (0);
	for (i = 0; i < value_count(props); i++) {
		sel = value_item(props, i);
		if (sel->type != V_HASH)
			continue;
		if (select_calc(ctx, sel, keys, &label, &expr, &dir) != 0)
			return (-1);
		free(label);
	}
	return (0);
}

/*
 * Where-Object.  -FilterScript holds a script block for the script form;
 * the binder may also have put the property name of the simplified form
 * there (both are positional 0), so any other value is a property name.
 */
static int
cmd_where_object_exec(struct cmd_ctx *ctx)
{
	struct value	*in, *filter;

	in = builtin_input(ctx, "InputObject", false);
	filter = bound_get(ctx->args, "FilterScript");
	if (filter != NULL && filter->type == V_SCRIPT)
		where_script(ctx, filter, in);
	else
		where_simple(ctx, filter, in);
	value_unref(in);
	return (0);
}

static void
where_script(struct cmd_ctx *ctx, struct value *script, struct value *in)
{
	struct value	*out, *item;
	size_t		 i;
	bool		 keep;

	for (i = 0; i < in->u.arr.n && !ctx->stop; i++) {
		item = in->u.arr.v[i];
		out = builtin_run(ctx, script, item);
		keep = value_truthy(out);
		value_unref(out);
		if (keep)
			cmd_emit(ctx, value_ref(item));
	}
}

static void
where_simple(struct cmd_ctx *ctx, struct value *filter, struct value *in)
{
	const struct where_op	*op;
	struct value		*pv, *rhs, *lhs, *item;
	char			*name;
	size_t			 i;

	if ((pv = bound_get(ctx->args, "Property")) == NULL)
		pv = filter;
	if (pv == NULL) {
		cmd_error(ctx, ERR_STATEMENT, "InvalidArgument",
		    "ParameterBindingException", "MissingMandatoryParameter",
		    "Cannot process command because of one or more missing "
		    "mandatory parameters: FilterScript.");
		return;
	}
	if (where_operator(ctx, &op) != 0 || in->u.arr.n == 0)
		return;
	if (!where_check(ctx, op))
		return;
	name = value_to_string(pv);
	rhs = bound_get(ctx->args, "Value");
	for (i = 0; i < in->u.arr.n && !ctx->stop; i++) {
		item = in->u.arr.v[i];
		if ((lhs = builtin_member(item, name)) == NULL)
			lhs = value_null();
		if (where_test(ctx, op, lhs, rhs != NULL ? rhs : value_null()))
			cmd_emit(ctx, value_ref(item));
		value_unref(lhs);
	}
	free(name);
}

/* The one operator switch given (or the W_TRUTHY entry); -1 on error. */
static int
where_operator(struct cmd_ctx *ctx, const struct where_op **opp)
{
	const struct where_op	*op;
	size_t			 n = 0;

	*opp = &where_ops[sizeof where_ops / sizeof where_ops[0] - 1];
	for (op = where_ops; op->name != NULL; op++) {
		if (bound_switch(ctx->args, op->name)) {
			*opp = op;
			n++;
		}
	}
	if (n > 1) {
		cmd_error(ctx, ERR_STATEMENT, "InvalidArgument",
		    "ParameterBindingException", "AmbiguousParameterSet",
		    "Parameter set cannot be resolved using the specified "
		    "named parameters.");
		return (-1);
	}
	return (0);
}

/* An operator needs -Value, and -Value needs an operator. */
static bool
where_check(struct cmd_ctx *ctx, const struct where_op *op)
{
	bool	has_value = bound_has(ctx->args, "Value");

	if (op->kind != W_TRUTHY && !has_value) {
		cmd_error(ctx, ERR_STATEMENT, "InvalidArgument",
		    "PSArgumentException", "ValueNotSpecifiedForWhereObject",
		    "The specified operator requires both the -Property and "
		    "-Value parameters. Provide values for both parameters, "
		    "and then try the command again.");
		return (false);
	}
	if (op->kind == W_TRUTHY && has_value) {
		cmd_error(ctx, ERR_STATEMENT, "InvalidArgument",
		    "PSArgumentException", "OperatorNotSpecified",
		    "An operator is required to compare the two specified "
		    "values. Include a valid operator in the command, and "
		    "then try the command again. For example, "
		    "Get-SendConnector | Where-Object -Property Name -eq "
		    "Internet");
		return (false);
	}
	return (true);
}

/*
 * One test of the simplified syntax.  A collection on the left is
 * filtered and the matching elements are judged for truth, as the
 * operators do inside a script block.
 */
static bool
where_test(struct cmd_ctx *ctx, const struct where_op *op,
    struct value *lhs, struct value *rhs)
{
	struct value	*hits;
	size_t		 i;
	bool		 r;

	switch (op->kind) {
	case W_TRUTHY:
		return (value_truthy(lhs));
	case W_CONTAINS:
	case W_NOTCONTAINS:
		r = where_contains(ctx, lhs, rhs, op->cs);
		return (op->kind == W_CONTAINS ? r : !r);
	case W_IN:
	case W_NOTIN:
		r = where_contains(ctx, rhs, lhs, op->cs);
		return (op->kind == W_IN ? r : !r);
	case W_IS:
	case W_ISNOT:
		r = where_is(lhs, rhs);
		return (op->kind == W_IS ? r : !r);
	default:
		break;
	}
	if (lhs->type != V_ARRAY)
		return (where_scalar(ctx, op->kind, op->cs, lhs, rhs));
	hits = value_array();
	for (i = 0; i < lhs->u.arr.n && !ctx->stop; i++) {
		if (where_scalar(ctx, op->kind, op->cs, lhs->u.arr.v[i], rhs))
			value_array_push(hits, value_ref(lhs->u.arr.v[i]));
	}
	r = value_truthy(hits);
	value_unref(hits);
	return (r);
}

/* A comparison of two scalars (eval.c's cmp_op rules). */
static bool
where_scalar(struct cmd_ctx *ctx, enum where_kind kind, bool cs,
    struct value *l, struct value *r)
{
	char	*ls, *rs;
	bool	 ok, res = false;
	int	 c;

	if (kind >= W_EQ && kind <= W_LE) {
		c = value_compare(l, r, cs, &ok);
		switch (kind) {
		case W_EQ:
			return (ok && c == 0);
		case W_NE:
			return (!(ok && c == 0));
		case W_GT:
			return (ok && c > 0);
		case W_LT:
			return (ok && c < 0);
		case W_GE:
			return (ok && c >= 0);
		default:
			return (ok && c <= 0);
		}
	}
	ls = value_to_string(l);
	rs = value_to_string(r);
	if (kind == W_LIKE || kind == W_NOTLIKE) {
		res = wildcard_match(rs, ls, cs);
		res = kind == W_LIKE ? res : !res;
	} else if (kind == W_MATCH || kind == W_NOTMATCH) {
		res = where_regex(ctx, ls, rs, cs);
		res = kind == W_MATCH ? res : (!ctx->stop && !res);
	}
	free(ls);
	free(rs);
	return (res);
}


/* -match: a POSIX extended expression found anywhere in s. */
static bool
where_regex(struct cmd_ctx *ctx, const char *s, const char *pat, bool cs)
{
	regex_t	re;
	char	err[128];
	int	r;

	r = regcomp(&re, pat, REG_EXTENDED | REG_NOSUB | (cs ? 0 : REG_ICASE));
	if (r != 0) {
		regerror(r, &re, err, sizeof err);
		cmd_error(ctx, ERR_STATEMENT, "InvalidOperation",
		    "RuntimeException", "InvalidRegularExpression",
		    "The regular expression pattern %s is not valid: %s.",
		    pat, err);
		ctx->stop = true;
		return (false);
	}
	r = regexec(&re, s, 0, NULL, 0);
	regfree(&re);
	return (r == 0);
}

/* A collection (a scalar is one element) holds an item equal to v. */
static bool
where_contains(struct cmd_ctx *ctx, struct value *coll, struct value *v,
    bool cs)
{
	size_t	i;

	if (coll->type == V_NULL)
		return (v->type == V_NULL);
	for (i = 0; i < value_count(coll); i++) {
		if (where_scalar(ctx, W_EQ, cs, value_item(coll, i), v))
			return (true);
	}
	return (false);
}

/* -is: the value's type against a name, [int], int or System.Int32. */
static bool
where_is(const struct value *v, const struct value *t)
{
	static const char *const accel[] = {
		"int", "System.Int32", "long", "System.Int64",
		"bool", "System.Boolean", "string", "System.String",
		"double", "System.Double", "datetime", "System.DateTime",
		"hashtable", "System.Collections.Hashtable",
		"scriptblock", "System.Management.Automation.ScriptBlock",
		"securestring", "System.Security.SecureString",
		"pscredential", CRED_TYPE, "array", "System.Object[]", NULL
	};
	const char	*type, *want;
	char		*name;
	size_t		 i, len;
	bool		 r;

	if (v->type == V_NULL)
		return (false);
	name = value_to_string(t);
	len = strlen(name);
	if (len > 2 && name[0] == '[' && name[len - 1] == ']') {
		memmove(name, name + 1, len - 2);
		name[len - 2] = '\0';
	}
	want = name;
	for (i = 0; accel[i] != NULL; i += 2) {
		if (strcasecmp(name, accel[i]) == 0)
			want = accel[i + 1];
	}
	type = value_type_name(v);
	if (strncmp(type, "Deserialized.", 13) == 0)
		type += 13;
	r = strcasecmp(want, "object") == 0 ||
	    strcasecmp(want, "psobject") == 0 ||
	    strcasecmp(want, "System.Object") == 0 ||
	    strcasecmp(type, want) == 0 || (strncmp(type, "System.", 7) == 0 &&
	    strcasecmp(type + 7, want) == 0);
	free(name);
	return (r);
}

/*
 * ForEach-Object.
 */
static int
cmd_foreach_object_exec(struct cmd_ctx *ctx)
{
	struct value	*in, *begin, *process, *end;
	size_t		 i;

	begin = bound_get(ctx->args, "Begin");
	process = bound_get(ctx->args, "Process");
	end = bound_get(ctx->args, "End");
	if (begin != NULL && !foreach_run(ctx, begin, value_null()))
		return (0);
	in = builtin_input(ctx, "InputObject", false);
	for (i = 0; i < in->u.arr.n && process != NULL; i++) {
		if (!foreach_run(ctx, process, in->u.arr.v[i]))
			break;
	}
	value_unref(in);
	if (end != NULL && !ctx->stop)
		foreach_run(ctx, end, value_null());
	return (0);
}

/*
 * Run one block and pass its output on; false once the script stops.
 * A name instead of a block is the -MemberName form: the property's value,
 * unrolled.
 */
static bool
foreach_run(struct cmd_ctx *ctx, struct value *script, struct value *item)
{
	struct value	*v;
	char		*name;

	if (script->type == V_SCRIPT) {
		builtin_emit_items(ctx, builtin_run(ctx, script, item));
		return (!ctx->stop);
	}
	name = value_to_string(script);
	if ((v = builtin_member(item, name)) != NULL)
		builtin_emit_items(ctx, v);
	free(name);
	return (true);
}

/*
 * Select-Object.
 */
static int
cmd_select_object_exec(struct cmd_ctx *ctx)
{
	struct value	*in, *out, *props, *expand, *o, *item;
	char		*name = NULL;
	size_t		 i;

	in = builtin_input(ctx, "InputObject", false);
	in = select_slice(ctx, in);
	props = bound_get(ctx->args, "Property");
	if ((expand = bound_get(ctx->args, "ExpandProperty")) != NULL)
		name = value_to_string(expand);
	out = value_array();
	for (i = 0; i < in->u.arr.n && !ctx->stop; i++) {
		item = in->u.arr.v[i];
		if (name != NULL)
			select_expand(ctx, item, name, out);
		else if (props != NULL) {
			if ((o = select_project(ctx, item, props)) == NULL)
				break;
			value_array_push(out, o);
		} else
			value_array_push(out, value_ref(item));
	}
	free(name);
	value_unref(in);
	if (bound_switch(ctx->args, "Unique"))
		out = select_unique(out);
	builtin_emit_items(ctx, out);
	return (0);
}

/* Apply -Skip, -First and -Last; takes in, returns a new array. */
static struct value *
select_slice(struct cmd_ctx *ctx, struct value *in)
{
	struct value	*v, *out;
	size_t		 n = in->u.arr.n, skip = 0, first, last = 0, i;
	bool		 has_first, has_last;

	if ((v = bound_get(ctx->args, "Skip")) != NULL && v->type == V_INT)
		skip = (size_t)v->u.i;
	has_first = (v = bound_get(ctx->args, "First")) != NULL &&
	    v->type == V_INT;
	first = has_first ? (size_t)v->u.i : 0;
	has_last = (v = bound_get(ctx->args, "Last")) != NULL &&
	    v->type == V_INT;
	if (has_last)
		last = (size_t)v->u.i;
	if (skip == 0 && !has_first && !has_last)
		return (in);
	out = value_array();
	for (i = skip; i < n; i++) {
		if ((has_first && i - skip < first) ||
		    (has_last && n - i <= last) || (!has_first && !has_last))
			value_array_push(out, value_ref(in->u.arr.v[i]));
	}
	value_unref(in);
	return (out);
}

/* A new "Selected." object with the chosen properties; NULL on error. */
static struct value *
select_project(struct cmd_ctx *ctx, struct value *item, struct value *props)
{
	struct value	*o, *sel, *expr, *v;
	char		*type, *label;
	size_t		 i;
	int		 which;

	type = xprintf("Selected.%s", value_type_name(item));
	o = value_object(type, NULL);
	free(type);
	for (i = 0; i < value_count(props) && !ctx->stop; i++) {
		sel = value_item(props, i);
		if (sel->type == V_SCRIPT) {
			v = builtin_eval_expr(ctx, sel, item);
			select_add(o, sel->u.script.body->str != NULL ?
			    sel->u.script.body->str : "", v);
		} else if (sel->type == V_HASH) {
			if (select_calc(ctx, sel, select_calc_keys, &label,
			    &expr, &which) != 0) {
				value_unref(o);
				return (NULL);
			}
			select_add(o, label, builtin_eval_expr(ctx, expr,
			    item));
			free(label);
		} else {
			label = value_to_string(sel);
			select_name(o, item, label);
			free(label);
		}
	}
	return (o);
}

/*
 * Read a calculated property @{Name=...;Expression=...}: the label (heap)
 * and the borrowed expression.  For Sort-Object, *dir is set to 1 or -1
 * by Ascending or Descending.  -1 after writing the error.
 */
static int
select_calc(struct cmd_ctx *ctx, struct value *h, const char *const *keys,
    char **label, struct value **expr, int *dir)
{
	struct value	*val;
	char		*k;
	size_t		 i;
	int		 which;

	*label = NULL;
	*expr = NULL;
	*dir = 0;
	for (i = 0; i < h->u.hash.n; i++) {
		k = value_to_string(h->u.hash.e[i].key);
		val = h->u.hash.e[i].val;
		if ((which = builtin_calc_key(k, keys)) == -1) {
			cmd_error(ctx, ERR_STATEMENT, "InvalidArgument",
			    "NotSupportedException", "DictionaryKeyIllegalKey",
			    "The %s key is not valid.", k);
			free(k);
			free(*label);
			return (-1);
		}
		free(k);
		if (strcmp(keys[which], "Expression") == 0)
			*expr = val;
		else if (strcmp(keys[which], "Ascending") == 0)
			*dir = value_truthy(val) ? 1 : -1;
		else if (strcmp(keys[which], "Descending") == 0)
			*dir = value_truthy(val) ? -1 : 1;
		else {
			free(*label);
			*label = value_to_string(val);
		}
	}
	if (*expr == NULL) {
		cmd_error(ctx, ERR_STATEMENT, "InvalidArgument",
		    "NotSupportedException", "DictionaryKeyMandatoryEntry",
		    "A mandatory entry for Expression is missing.");
		free(*label);
		return (-1);
	}
	if (*label == NULL)
		*label = (*expr)->type == V_SCRIPT ? xstrdup(
		    (*expr)->u.script.body->str != NULL ?
		    (*expr)->u.script.body->str : "") : value_to_string(*expr);
	return (0);
}

/*
 * A property selected by name or wildcard.  The label is the property's
 * own spelling; a name the object lacks gives an empty property.
 */
static void
select_name(struct value *o, struct value *item, const char *name)
{
	struct object	*obj;
	struct value	*v;
	char		*key;
	size_t		 i;

	if (has_wildcard(name)) {
		if (item->type == V_OBJECT) {
			obj = item->u.obj;
			for (i = 0; i < obj->nprops; i++) {
				if (wildcard_match(name, obj->props[i].name,
				    false))
					select_add(o, obj->props[i].name,
					    value_ref(obj->props[i].val));
			}
		} else if (item->type == V_HASH) {
			for (i = 0; i < item->u.hash.n; i++) {
				key = value_to_string(item->u.hash.e[i].key);
				if (wildcard_match(name, key, false))
					select_add(o, key, value_ref(
					    item->u.hash.e[i].val));
				free(key);
			}
		}
		return;
	}
	for (i = 0; item->type == V_OBJECT && i < item->u.obj->nprops; i++) {
		if (strcasecmp(item->u.obj->props[i].name, name) == 0) {
			select_add(o, item->u.obj->props[i].name,
			    value_ref(item->u.obj->props[i].val));
			return;
		}
	}
	v = builtin_member(item, name);
	select_add(o, name, v != NULL ? v : value_null());
}

/* Add a property unless the object has one of that name already. */
static void
select_add(struct value *o, const char *name, struct value *v)
{
	if (object_get(o, name) != NULL) {
		value_unref(v);
		return;
	}
	object_add(o, name, v);
}

/* -ExpandProperty: the property's value, a collection unrolled. */
static void
select_expand(struct cmd_ctx *ctx, struct value *item, const char *name,
    struct value *out)
{
	struct value	*v;
	size_t		 i;

	if ((v = builtin_member(item, name)) == NULL) {
		cmd_error(ctx, ERR_NONTERMINATING, "InvalidArgument",
		    "PSArgumentException", "ExpandPropertyNotFound",
		    "Property \"%s\" cannot be found.", name);
		return;
	}
	for (i = 0; i < value_count(v); i++)
		value_array_push(out, value_ref(value_item(v, i)));
	value_unref(v);
}

/* -Unique: drop items identical to an earlier one; takes out. */
static struct value *
select_unique(struct value *out)
{
	struct value	*u;
	char		**ids;
	size_t		 i, j, n = out->u.arr.n;

	ids = xcalloc(n + 1, sizeof *ids);
	u = value_array();
	for (i = 0; i < n; i++) {
		ids[i] = select_identity(out->u.arr.v[i]);
		for (j = 0; j < i; j++) {
			if (ids[j] != NULL && strcmp(ids[j], ids[i]) == 0)
				break;
		}
		if (j < i) {
			free(ids[i]);
			ids[i] = NULL;
		} else
			value_array_push(u, value_ref(out->u.arr.v[i]));
	}
	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	value_unref(out);
	return (u);
}

/* Text that is equal for identical values (compared with case). */
static char *
select_identity(const struct value *v)
{
	struct buf	 b;
	char		*s;
	size_t		 i;

	buf_init(&b);
	if (v->type != V_OBJECT) {
		s = value_to_string(v);
		buf_addf(&b, "%d:%s", (int)v->type, s);
		free(s);
		s = buf_detach(&b);
		buf_free(&b);
		return (s);
	}
	buf_adds(&b, v->u.obj->type_name);
	for (i = 0; i < v->u.obj->nprops; i++) {
		s = format_cell(v->u.obj->props[i].val);
		buf_addf(&b, "\n%s=%s", v->u.obj->props[i].name, s);
		free(s);
	}
	s = buf_detach(&b);
	buf_free(&b);
	return (s);
}

/*
 * Sort-Object.
 */
static int
cmd_sort_object_exec(struct cmd_ctx *ctx)
{
	struct sort_ctx		 sc;
	struct sort_item	*items, *tmp;
	struct value		*in;
	size_t			 n, i, k, last;

	if (sort_specs(ctx, &sc) != 0)
		return (0);
	in = builtin_input(ctx, "InputObject", false);
	n = in->u.arr.n;
	items = xcalloc(n + 1, sizeof *items);
	tmp = xcalloc(n + 1, sizeof *tmp);
	for (i = 0; i < n; i++) {
		items[i].item = in->u.arr.v[i];
		items[i].keys = xcalloc(sc.nspecs, sizeof *items[i].keys);
		for (k = 0; k < sc.nspecs; k++)
			items[i].keys[k] = sc.specs[k].expr == NULL ?
			    value_ref(items[i].item) : builtin_eval_expr(ctx,
			    sc.specs[k].expr, items[i].item);
	}
	sort_merge(items, tmp, n, &sc);
	for (i = 0, last = 0; i < n && !ctx->stop; i++) {
		if (i > 0 && bound_switch(ctx->args, "Unique") &&
		    sort_item_cmp(&items[last], &items[i], &sc) == 0)
			continue;
		cmd_emit(ctx, value_ref(items[i].item));
		last = i;
	}
	for (i = 0; i < n; i++) {
		for (k = 0; k < sc.nspecs; k++)
			value_unref(items[i].keys[k]);
		free(items[i].keys);
	}
	free(items);
	free(tmp);
	free(sc.specs);
	value_unref(in);
	return (0);
}

/* The sort keys from -Property (the items themselves without it). */
static int
sort_specs(struct cmd_ctx *ctx, struct sort_ctx *sc)
{
	struct value	*props, *sel, *expr;
	char		*label;
	size_t		 i, n;
	bool		 desc;
	int		 dir;

	desc = bound_switch(ctx->args, "Descending");
	sc->cs = bound_switch(ctx->args, "CaseSensitive");
	props = bound_get(ctx->args, "Property");
	n = props != NULL ? value_count(props) : 0;
	sc->specs = xcalloc(n + 1, sizeof *sc->specs);
	sc->nspecs = n > 0 ? n : 1;
	sc->specs[0].descending = desc;
	for (i = 0; i < n; i++) {
		sel = value_item(props, i);
		sc->specs[i].expr = sel;
		sc->specs[i].descending = desc;
		if (sel->type != V_HASH)
			continue;
		if (select_calc(ctx, sel, sort_calc_keys, &label, &expr,
		    &dir) != 0) {
			free(sc->specs);
			return (-1);
		}
		free(label);
		sc->specs[i].expr = expr;
		if (dir != 0)
			sc->specs[i].descending = dir < 0;
	}
	return (0);
}

/* Order of two sort keys: $null first, numbers, dates, then text. */
static int
sort_cmp(struct value *a, struct value *b, bool cs)
{
	double	 ad, bd;
	int64_t	 ai, bi;
	bool	 aint, bint;
	char	*as, *bs;
	int	 c;

	if (a->type == V_NULL || b->type == V_NULL)
		return ((a->type != V_NULL) - (b->type != V_NULL));
	if ((a->type == V_INT || a->type == V_DOUBLE || a->type == V_BOOL) &&
	    (b->type == V_INT || b->type == V_DOUBLE || b->type == V_BOOL) &&
	    value_to_number(a, &ad, &ai, &aint) &&
	    value_to_number(b, &bd, &bi, &bint)) {
		if (aint && bint)
			return (ai < bi ? -1 : ai > bi);
		return (ad < bd ? -1 : ad > bd);
	}
	if (a->type == V_DATE && b->type == V_DATE)
		return (a->u.date < b->u.date ? -1 : a->u.date > b->u.date);
	as = value_to_string(a);
	bs = value_to_string(b);
	c = builtin_string_cmp(as, bs, cs);
	free(as);
	free(bs);
	return (c);
}

static int
sort_item_cmp(const struct sort_item *a, const struct sort_item *b,
    const struct sort_ctx *sc)
{
	size_t	k;
	int	c;

	for (k = 0; k < sc->nspecs; k++) {
		c = sort_cmp(a->keys[k], b->keys[k], sc->cs);
		if (c != 0)
			return (sc->specs[k].descending ? -c : c);
	}
	return (0);
}

/* Stable merge sort of n items, tmp being scratch space of n items. */
static void
sort_merge(struct sort_item *v, struct sort_item *tmp, size_t n,
    const struct sort_ctx *sc)
{
	size_t	mid = n / 2, i = 0, j, k = 0;

	if (n < 2)
		return;
	sort_merge(v, tmp, mid, sc);
	sort_merge(v + mid, tmp, n - mid, sc);
	j = mid;
	while (i < mid && j < n) {
		if (sort_item_cmp(&v[j], &v[i], sc) < 0)
			tmp[k++] = v[j++];
		else
			tmp[k++] = v[i++];
	}
	while (i < mid)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof *v);
}

/*
 * Get-Credential.  Asks like the PowerShell 6+ console host: the caption,
 * the message, "User: " (unless given) and "Password for user X: " with
 * echo off.
 */
static int
cmd_get_credential_exec(struct cmd_ctx *ctx)
{
	struct shell	*sh = ctx->sh;
	struct value	*v, *msgv;
	char		*user, *pw, *msg, *prompt;

	v = bound_get(ctx->args, "Credential");
	if (v != NULL && v->type == V_OBJECT &&
	    strcmp(v->u.obj->type_name, CRED_TYPE) == 0) {
		cmd_emit(ctx, value_ref(v));
		return (0);
	}
	if (!sh->can_prompt || sh->read_line == NULL) {
		cmd_error(ctx, ERR_STATEMENT, "InvalidOperation",
		    "PSInvalidOperationException", "HostException",
		    "Get-Credential needs a terminal to ask for the password. "
		    "In a script, build the credential instead: New-Object "
		    "System.Management.Automation.PSCredential('user', "
		    "(ConvertTo-SecureString 'password' -AsPlainText "
		    "-Force))");
		return (0);
	}
	msgv = bound_get(ctx->args, "Message");
	msg = msgv != NULL ? value_to_string(msgv) :
	    xstrdup("Enter your credentials.");
	fprintf(sh->out, "PowerShell credential request\n%s\n", msg);
	fflush(sh->out);
	free(msg);
	if ((user = credential_user(ctx)) == NULL)
		return (0);
	prompt = xprintf("Password for user %s: ", user);
	pw = credential_read(ctx, prompt, true);
	free(prompt);
	if (pw != NULL) {
		cmd_emit(ctx, credential_object(user, pw));
		explicit_bzero(pw, strlen(pw));
		free(pw);
	}
	free(user);
	return (0);
}

/* The user name: given, or asked for; NULL after an error. */
static char *
credential_user(struct cmd_ctx *ctx)
{
	struct value	*v;
	char		*user = NULL;

	if ((v = bound_get(ctx->args, "Credential")) != NULL ||
	    (v = bound_get(ctx->args, "UserName")) != NULL)
		user = value_to_string(v);
	if (user == NULL || *user == '\0') {
		free(user);
		if ((user = credential_read(ctx, "User: ", false)) == NULL)
			return (NULL);
	}
	if (*user == '\0') {
		cmd_error(ctx, ERR_STATEMENT, "InvalidArgument",
		    "PSArgumentException", "CouldNotPromptForCredential",
		    "Cannot process argument because the value of argument "
		    "\"userName\" is not valid. Change the value of the "
		    "\"userName\" argument and run the operation again.");
		free(user);
		return (NULL);
	}
	return (user);
}

/* One answer; NULL (the prompt was cancelled) after an error. */
static char *
credential_read(struct cmd_ctx *ctx, const char *prompt, bool secret)
{
	char	*s;

	if ((s = ctx->sh->read_line(ctx->sh, prompt, secret)) == NULL) {
		cmd_error(ctx, ERR_STATEMENT, "InvalidArgument",
		    "ParameterBindingException", "CouldNotPromptForCredential",
		    "Cannot process command because of one or more missing "
		    "mandatory parameters: Credential.");
	}
	return (s);
}

/* A PSCredential; the password is copied into a SecureString. */
static struct value *
credential_object(const char *user, const char *password)
{
	struct value	*o;

	o = value_object(CRED_TYPE, NULL);
	object_add(o, "UserName", value_string(user));
	object_add(o, "Password", value_secure(password));
	o->u.obj->text = xstrdup(CRED_TYPE);
	return (o);
}

/*
 * ConvertTo-SecureString.  Windows PowerShell 5.1 wants both -AsPlainText
 * and -Force for plain text; without -AsPlainText the string would be an
 * encrypted standard string, which hubsh cannot decrypt.
 */
static int
cmd_convertto_securestring_exec(struct cmd_ctx *ctx)
{
	struct value	*v;
	size_t		 i;

	if (ctx->ninput > 0) {
		for (i = 0; i < ctx->ninput && !ctx->stop; i++)
			securestring_convert(ctx, ctx->input[i]);
	} else if ((v = bound_get(ctx->args, "String")) != NULL)
		securestring_convert(ctx, v);
	return (0);
}

static void
securestring_convert(struct cmd_ctx *ctx, struct value *v)
{
	char	*s;

	if (!bound_switch(ctx->args, "AsPlainText")) {
		cmd_error(ctx, ERR_NONTERMINATING, "NotSpecified",
		    "FormatException", "System.FormatException",
		    "Input string was not in a correct format.");
		return;
	}
	if (!bound_switch(ctx->args, "Force")) {
		cmd_error(ctx, ERR_STATEMENT, "InvalidArgument",
		    "ArgumentException", "ImportSecureString_InvalidArgument",
		    "The system cannot protect plain text input. To suppress "
		    "this warning and convert the plain text to a "
		    "SecureString, reissue the command specifying the Force "
		    "parameter. For more information ,type: get-help "
		    "ConvertTo-SecureString.");
		return;
	}
	s = value_to_string(v);
	cmd_emit(ctx, value_secure(s));
	explicit_bzero(s, strlen(s));
	free(s);
}

/*
 * New-Object.
 */
static int
cmd_new_object_exec(struct cmd_ctx *ctx)
{
	static const char *const creds[] = {
		CRED_TYPE, "Management.Automation.PSCredential", "PSCredential",
		NULL
	};
	static const char *const objs[] = {
		"System.Management.Automation.PSObject",
		"Management.Automation.PSObject", "PSObject",
		"System.Management.Automation.PSCustomObject",
		"Management.Automation.PSCustomObject", "PSCustomObject", NULL
	};
	struct value	*tv;
	char		*type;
	size_t		 i;

	tv = bound_get(ctx->args, "TypeName");
	type = tv != NULL ? value_to_string(tv) : xstrdup("");
	for (i = 0; creds[i] != NULL; i++) {
		if (strcasecmp(type, creds[i]) == 0) {
			new_object_credential(ctx,
			    bound_get(ctx->args, "ArgumentList"));
			free(type);
			return (0);
		}
	}
	for (i = 0; objs[i] != NULL; i++) {
		if (strcasecmp(type, objs[i]) == 0) {
			new_object_custom(ctx, bound_get(ctx->args,
			    "Property"));
			free(type);
			return (0);
		}
	}
	cmd_error(ctx, ERR_STATEMENT, "InvalidType", "PSArgumentException",
	    "TypeNotFound", "Cannot find type [%s]: verify that the assembly "
	    "containing this type is loaded.", type);
	free(type);
	return (0);
}

/* new PSCredential(string userName, SecureString password) */
static void
new_object_credential(struct cmd_ctx *ctx, struct value *args)
{
	struct value	*pw;
	size_t		 n = args != NULL ? value_count(args) : 0;
	char		*user, *s;

	if (n != 2) {
		cmd_error(ctx, ERR_STATEMENT, "InvalidOperation",
		    "MethodException", "ConstructorInvokedThrowException",
		    "Cannot find an overload for \"PSCredential\" and the "
		    "argument count: \"%zu\".", n);
		return;
	}
	pw = value_item(args, 1);
	if (pw->type != V_SECURE) {
		s = value_to_string(pw);
		cmd_error(ctx, ERR_STATEMENT, "NotSpecified",
		    "MethodException", "ConstructorInvokedThrowException",
		    "Cannot convert argument \"password\", with value: \"%s\", "
		    "for \"PSCredential\" to type "
		    "\"System.Security.SecureString\": \"Cannot convert the "
		    "\"%s\" value of type \"%s\" to type "
		    "\"System.Security.SecureString\".\"", s, s,
		    value_type_name(pw));
		free(s);
		return;
	}
	user = value_to_string(value_item(args, 0));
	if (*user == '\0') {
		cmd_error(ctx, ERR_STATEMENT, "InvalidOperation",
		    "MethodInvocationException",
		    "ConstructorInvokedThrowException", "Exception calling "
		    "\".ctor\" with \"2\" argument(s): \"Cannot process "
		    "argument because the value of argument \"userName\" is "
		    "not valid. Change the value of the \"userName\" argument "
		    "and run the operation again.\"");
	} else
		cmd_emit(ctx, credential_object(user, pw->u.s));
	free(user);
}

/* New-Object PSObject -Property @{...} */
static void
new_object_custom(struct cmd_ctx *ctx, struct value *props)
{
	struct value	*o;
	char		*k;
	size_t		 i;

	o = value_object("System.Management.Automation.PSCustomObject", NULL);
	if (props != NULL && props->type == V_HASH) {
		for (i = 0; i < props->u.hash.n; i++) {
			k = value_to_string(props->u.hash.e[i].key);
			object_add(o, k, value_ref(props->u.hash.e[i].val));
			free(k);
		}
	}
	cmd_emit(ctx, o);
}

/*
 * Write-Host: straight to the console, one line per piped object.
 */
static int
cmd_write_host_exec(struct cmd_ctx *ctx)
{
	struct value	*sepv, *obj;
	struct buf	 b;
	char		*sep;
	size_t		 i;
	bool		 nl;

	sepv = bound_get(ctx->args, "Separator");
	sep = sepv != NULL ? value_to_string(sepv) : xstrdup(" ");
	nl = !bound_switch(ctx->args, "NoNewline");
	buf_init(&b);
	if (ctx->ninput > 0) {
		for (i = 0; i < ctx->ninput; i++) {
			write_host_text(&b, ctx->input[i], sep);
			if (nl)
				buf_addc(&b, '\n');
		}
	} else {
		if ((obj = bound_get(ctx->args, "Object")) != NULL)
			write_host_text(&b, obj, sep);
		if (nl)
			buf_addc(&b, '\n');
	}
	fputs(b.s != NULL ? b.s : "", ctx->sh->out);
	fflush(ctx->sh->out);
	buf_free(&b);
	free(sep);
	return (0);
}

static void
write_host_text(struct buf *b, const struct value *v, const char *sep)
{
	char	*s;
	size_t	 i;

	if (v->type == V_ARRAY) {
		for (i = 0; i < v->u.arr.n; i++) {
			if (i > 0)
				buf_adds(b, sep);
			write_host_text(b, v->u.arr.v[i], sep);
		}
		return;
	}
	s = value_to_string(v);
	buf_adds(b, s);
	free(s);
}

/*
 * Write-Output, Out-Null, Out-String.
 */
static int
cmd_write_output_exec(struct cmd_ctx *ctx)
{
	struct value	*v;
	size_t		 i;

	if (ctx->ninput > 0) {
		for (i = 0; i < ctx->ninput; i++)
			cmd_emit(ctx, value_ref(ctx->input[i]));
		return (0);
	}
	if ((v = bound_get(ctx->args, "InputObject")) == NULL)
		return (0);
	if (bound_switch(ctx->args, "NoEnumerate"))
		cmd_emit(ctx, value_ref(v));
	else
		builtin_emit_items(ctx, value_ref(v));
	return (0);
}

static int
cmd_out_null_exec(struct cmd_ctx *ctx)
{
	(void)ctx;
	return (0);
}

static int
cmd_out_string_exec(struct cmd_ctx *ctx)
{
	struct value	*in, *w;
	char		*text, *line, *nl;
	int		 saved = ctx->sh->width;

	in = builtin_input(ctx, "InputObject", true);
	if ((w = bound_get(ctx->args, "Width")) != NULL && w->type == V_INT)
		ctx->sh->width = (int)w->u.i;
	text = format_default(ctx->sh, in->u.arr.v, in->u.arr.n);
	ctx->sh->width = saved;
	value_unref(in);
	if (!bound_switch(ctx->args, "Stream")) {
		cmd_emit(ctx, value_string_take(text));
		return (0);
	}
	for (line = text; *line != '\0'; line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL) {
			cmd_emit(ctx, value_string(line));
			break;
		}
		cmd_emit(ctx, value_string_take(xstrndup(line,
		    (size_t)(nl - line))));
	}
	free(text);
	return (0);
}

/*
 * Get-Date.  Dates are microseconds since the epoch (UTC); text is read
 * and written as local time.
 */
static int
cmd_get_date_exec(struct cmd_ctx *ctx)
{
	struct value	*v;
	int64_t		 usec;
	char		*s;

	if ((v = bound_get(ctx->args, "Date")) != NULL) {
		if (v->type == V_DATE)
			usec = v->u.date;
		else {
			s = value_to_string(v);
			if (bind_date_parse(s, &usec) != 0) {
				cmd_error(ctx, ERR_STATEMENT, "InvalidArgument",
				    "ParameterBindingException",
				    "CannotConvertArgumentNoMessage",
				    "Cannot bind parameter 'Date'. Cannot "
				    "convert value \"%s\" to type "
				    "\"System.DateTime\". Error: \"String was "
				    "not recognized as a valid DateTime.\"", s);
				free(s);
				return (0);
			}
			free(s);
		}
	} else
		usec = date_now();
	if ((v = bound_get(ctx->args, "Format")) != NULL) {
		s = value_to_string(v);
		cmd_emit(ctx, value_string_take(date_format(usec, s)));
		free(s);
	} else
		cmd_emit(ctx, value_date(usec));
	return (0);
}

static int64_t
date_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

/*
 * A .NET date format: the standard one-letter forms (o, s, d, D, t, T,
 * g, G, f, F, M, Y) and custom patterns such as yyyy-MM-dd HH:mm.
 */
static char *
date_format(int64_t usec, const char *fmt)
{
	static const char *const std[] = {
		"o", "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffzzz",
		"O", "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffzzz",
		"s", "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
		"d", "M/d/yyyy", "D", "dddd, MMMM d, yyyy",
		"t", "h:mm tt", "T", "h:mm:ss tt",
		"g", "M/d/yyyy h:mm tt", "G", "M/d/yyyy h:mm:ss tt",
		"f", "dddd, MMMM d, yyyy h:mm tt",
		"F", "dddd, MMMM d, yyyy h:mm:ss tt",
		"M", "MMMM d", "m", "MMMM d",
		"Y", "MMMM yyyy", "y", "MMMM yyyy", NULL
	};
	struct buf	 b;
	struct tm	 tm;
	time_t		 t;
	const char	*p;
	char		*s, q;
	size_t		 i, n;

	for (i = 0; std[i] != NULL; i += 2) {
		if (strcmp(fmt, std[i]) == 0)
			fmt = std[i + 1];
	}
	t = (time_t)(usec >= 0 ? usec / 1000000 : -((-usec + 999999) /
	    1000000));
	localtime_r(&t, &tm);
	buf_init(&b);
	for (p = fmt; *p != '\0'; p += n) {
		n = 1;
		if (*p == '\'' || *p == '"') {
			q = *p;
			while (p[n] != '\0' && p[n] != q)
				buf_addc(&b, p[n++]);
			if (p[n] == q)
				n++;
		} else if (*p == '\\' && p[1] != '\0') {
			buf_addc(&b, p[1]);
			n = 2;
		} else if (strchr("yMdHhmsfFtz", *p) != NULL) {
			while (p[n] == *p)
				n++;
			date_format_token(&b, &tm, usec, *p, (int)n);
		} else
			buf_addc(&b, *p);
	}
	s = buf_detach(&b);
	buf_free(&b);
	return (s != NULL ? s : xstrdup(""));
}

/* One run of n pattern letters c. */
static void
date_format_token(struct buf *b, const struct tm *tm, int64_t usec, char c,
    int n)
{
	static const char *const months[] = { "January", "February",
	    "March", "April", "May", "June", "July", "August", "September",
	    "October", "November", "December" };
	static const char *const days[] = { "Sunday", "Monday", "Tuesday",
	    "Wednesday", "Thursday", "Friday", "Saturday" };
	long	off = tm->tm_gmtoff;
	int	v, frac;

	switch (c) {
	case 'y':
		if (n <= 2)
			buf_addf(b, n == 1 ? "%d" : "%02d", tm->tm_year % 100);
		else
			buf_addf(b, "%0*d", n, tm->tm_year + 1900);
		return;
	case 'M':
		if (n >= 3)
			buf_addf(b, "%.*s", n == 3 ? 3 : 16,
			    months[tm->tm_mon]);
		else
			buf_addf(b, n == 1 ? "%d" : "%02d", tm->tm_mon + 1);
		return;
	case 'd':
		if (n >= 3)
			buf_addf(b, "%.*s", n == 3 ? 3 : 16,
			    days[tm->tm_wday]);
		else
			buf_addf(b, n == 1 ? "%d" : "%02d", tm->tm_mday);
		return;
	case 'f':
	case 'F':
		frac = (int)(((usec % 1000000) + 1000000) % 1000000) * 10;
		for (v = 1000000; n-- > 0 && v > 0; v /= 10)
			buf_addc(b, (char)('0' + (frac / v) % 10));
		return;
	case 't':
		buf_adds(b, tm->tm_hour < 12 ? (n == 1 ? "A" : "AM") :
		    (n == 1 ? "P" : "PM"));
		return;
	case 'z':
		buf_addc(b, off < 0 ? '-' : '+');
		off = off < 0 ? -off : off;
		buf_addf(b, n == 1 ? "%ld" : "%02ld", off / 3600);
		if (n >= 3)
			buf_addf(b, ":%02ld", (off % 3600) / 60);
		return;
	}
	v = c == 'H' ? tm->tm_hour : c == 'm' ? tm->tm_min : c == 's' ?
	    tm->tm_sec : (tm->tm_hour % 12 == 0 ? 12 : tm->tm_hour % 12);
	buf_addf(b, n == 1 ? "%d" : "%02d", v);
}

/*
 * Measure-Object: Count, and Sum, Average, Maximum, Minimum on demand.
 */
static int
cmd_measure_object_exec(struct cmd_ctx *ctx)
{
	struct value	*in, *pv, *v, *o;
	char		*prop = NULL;
	double		 st[4] = { 0, 0, 0, 0 };	/* count sum max min */
	size_t		 i;

	in = builtin_input(ctx, "InputObject", false);
	if ((pv = bound_get(ctx->args, "Property")) != NULL)
		prop = value_to_string(pv);
	for (i = 0; i < in->u.arr.n && !ctx->stop; i++) {
		v = prop != NULL ? builtin_member(in->u.arr.v[i], prop) :
		    value_ref(in->u.arr.v[i]);
		if (v != NULL)
			measure_add(ctx, v, st);
		value_unref(v);
	}
	if (prop != NULL && st[0] == 0 && in->u.arr.n > 0)
		cmd_error(ctx, ERR_NONTERMINATING, "InvalidArgument",
		    "PSArgumentException", "GenericMeasurePropertyNotFound",
		    "The property \"%s\" cannot be found in the input for any "
		    "objects.", prop);
	value_unref(in);
	o = value_object("Microsoft.PowerShell.Commands.GenericMeasureInfo",
	    NULL);
	object_add(o, "Count", value_int((int64_t)st[0]));
	object_add(o, "Average", bound_switch(ctx->args, "Average") &&
	    st[0] > 0 ? value_double(st[1] / st[0]) : value_null());
	object_add(o, "Sum", bound_switch(ctx->args, "Sum") ?
	    value_double(st[1]) : value_null());
	object_add(o, "Maximum", bound_switch(ctx->args, "Maximum") &&
	    st[0] > 0 ? value_double(st[2]) : value_null());
	object_add(o, "Minimum", bound_switch(ctx->args, "Minimum") &&
	    st[0] > 0 ? value_double(st[3]) : value_null());
	object_add(o, "Property", prop != NULL ? value_string_take(prop) :
	    value_null());
	cmd_emit(ctx, o);
	return (0);
}

/* Count one value and, when statistics are asked for, add it in. */
static void
measure_add(struct cmd_ctx *ctx, struct value *v, double *st)
{
	double	d;
	int64_t	i;
	bool	is_int;
	char	*s;

	st[0]++;
	if (!bound_switch(ctx->args, "Sum") &&
	    !bound_switch(ctx->args, "Average") &&
	    !bound_switch(ctx->args, "Maximum") &&
	    !bound_switch(ctx->args, "Minimum"))
		return;
	if (!value_to_number(v, &d, &i, &is_int)) {
		s = value_to_string(v);
		cmd_error(ctx, ERR_NONTERMINATING, "InvalidType",
		    "PSInvalidOperationException", "NonNumericInputObject",
		    "Input object \"%s\" is not numeric.", s);
		free(s);
		st[0]--;
		return;
	}
	st[1] += d;
	if (st[0] == 1 || d > st[2])
		st[2] = d;
	if (st[0] == 1 || d < st[3])
		st[3] = d;
}
