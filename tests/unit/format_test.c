/*
 * format_test.c - unit tests for the formatter and the error layout
 * (shell/format.c, shell/error.c): Format-List, Format-Table, value text,
 * wildcards and the Windows PowerShell 5.1 error view.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shell.h"
#include "tap.h"
#include "xmalloc.h"

/* Check a returned string and free it. */
#define STR_IS(expr, want) do {						\
	char *s_ = (expr);						\
	TAP_STREQ(s_, want);						\
	free(s_);							\
} while (0)

static struct shell	test_shell;

static struct shell *
sh(void)
{
	memset(&test_shell, 0, sizeof test_shell);
	test_shell.width = SHELL_WIDTH;
	return (&test_shell);
}

/* A Send connector shaped object, 28-character labels included. */
static struct value *
connector(const char *name, bool tls)
{
	struct value	*o, *a;

	o = value_object("Deserialized.Microsoft.Exchange.Data.Directory."
	    "SystemConfiguration.SmtpSendConnectorConfig", NULL);
	a = value_array();
	value_array_push(a, value_string("SMTP:*;1"));
	object_add(o, "AddressSpaces", a);
	object_add(o, "AuthenticationCredential", value_null());
	object_add(o, "Name", value_string(name));
	object_add(o, "RequireTLS", value_bool(tls));
	object_add(o, "SmtpMaxMessagesPerConnection", value_int(20));
	object_add(o, "UseExternalDNSServersEnabled", value_bool(false));
	return (o);
}

#define CONNECTOR_LIST(name, tls)					\
	"AddressSpaces                : {SMTP:*;1}\n"			\
	"AuthenticationCredential     : \n"				\
	"Name                         : " name "\n"			\
	"RequireTLS                   : " tls "\n"			\
	"SmtpMaxMessagesPerConnection : 20\n"				\
	"UseExternalDNSServersEnabled : False\n"

/* A small object: Name, Enabled, Port. */
static struct value *
small(const char *name, bool enabled, int64_t port)
{
	struct value	*o;

	o = value_object("Test.Small", NULL);
	object_add(o, "Name", value_string(name));
	object_add(o, "Enabled", value_bool(enabled));
	object_add(o, "Port", value_int(port));
	return (o);
}

static struct value *
strings(const char *const *s)
{
	struct value	*a = value_array();

	for (; *s != NULL; s++)
		value_array_push(a, value_string(*s));
	return (a);
}

static void
test_list_labels(void)
{
	struct value	*o = connector("Internet", false);
	char		*s;

	s = format_list(sh(), &o, 1, NULL);
	TAP_STREQ(s, "\n\n" CONNECTOR_LIST("Internet", "False") "\n\n\n");
	/* Values start at column 31; empty values keep " : ". */
	TAP_CHECK(strstr(s, "\nSmtpMaxMessagesPerConnection : 20\n") !=
	    NULL);
	TAP_CHECK(strstr(s, "\nAuthenticationCredential     : \n") != NULL);
	free(s);
	value_unref(o);
}

static void
test_list_framing(void)
{
	struct value	*o[2];

	o[0] = connector("Internet", false);
	o[1] = connector("TLS", true);
	STR_IS(format_list(sh(), o, 2, NULL),
	    "\n\n" CONNECTOR_LIST("Internet", "False") "\n"
	    CONNECTOR_LIST("TLS", "True") "\n\n\n");
	STR_IS(format_list(sh(), o, 0, NULL), "");
	value_unref(o[0]);
	value_unref(o[1]);
}

static void
test_list_selectors(void)
{
	struct value	*o = connector("Internet", true), *p, *h;

	/* Names: real name as label, missing names dropped. */
	p = strings((const char *const[]){ "requiretls", "nosuch", "NAME",
	    NULL });
	STR_IS(format_list(sh(), &o, 1, p),
	    "\n\nRequireTLS : True\nName       : Internet\n\n\n\n");
	value_unref(p);

	/* Wildcards: object order, no duplicates. */
	p = strings((const char *const[]){ "*tls*", "Use*", NULL });
	STR_IS(format_list(sh(), &o, 1, p),
	    "\n\nRequireTLS                   : True\n"
	    "UseExternalDNSServersEnabled : False\n\n\n\n");
	value_unref(p);

	/* A calculated property with a label. */
	h = value_hash();
	value_hash_set(h, value_string("n"), value_string("Host"));
	value_hash_set(h, value_string("e"), value_string("name"));
	p = value_array();
	value_array_push(p, h);
	STR_IS(format_list(sh(), &o, 1, p), "\n\nHost : Internet\n\n\n\n");
	value_unref(p);
	value_unref(o);
}

/* A view: curated list for fl, left-aligned columns for the table. */
static void
test_views(void)
{
	static const char *const table[] = { "Identity", "AddressSpaces",
	    "Enabled", NULL };
	static const char *const list[] = { "Name", "Enabled", "Nosuch",
	    NULL };
	static const struct view view = { "Test.Connector", SHAPE_TABLE,
	    table, list };
	struct value	*o[2], *a;
	size_t		 i;

	for (i = 0; i < 2; i++) {
		o[i] = value_object("Test.Connector", &view);
		object_add(o[i], "Name", value_string(i ? "TLS" : "Internet"));
		a = value_array();
		value_array_push(a, value_string("SMTP:*;1"));
		object_add(o[i], "AddressSpaces", a);
		object_add(o[i], "Enabled", value_bool(i == 0));
		object_add(o[i], "Identity", value_string(i ? "TLS" :
		    "Internet"));
		object_add(o[i], "Port", value_int(25));
	}
	STR_IS(format_default(sh(), o, 2), "\n"
	    "Identity AddressSpaces Enabled\n"
	    "-------- ------------- -------\n"
	    "Internet {SMTP:*;1}    True   \n"
	    "TLS      {SMTP:*;1}    False  \n"
	    "\n\n");
	STR_IS(format_list(sh(), o, 1, NULL),
	    "\n\nName    : Internet\nEnabled : True\n\n\n\n");
	a = value_string("*");
	STR_IS(format_list(sh(), o, 1, a),
	    "\n\nName          : Internet\nAddressSpaces : {SMTP:*;1}\n"
	    "Enabled       : True\nIdentity      : Internet\n"
	    "Port          : 25\n\n\n\n");
	value_unref(a);
	value_unref(o[0]);
	value_unref(o[1]);
}

/* A script block's label is its text between the braces. */
static void
test_script_label(void)
{
	struct node	 body;
	struct source	*src;
	struct value	*o, *p;

	memset(&body, 0, sizeof body);
	body.type = N_SCRIPT;
	body.str = (char *)" $_.Recipients ";
	src = source_create("line", "{ $_.Recipients }", 17);
	p = value_script(&body, src);
	source_free(src);
	o = small("x", true, 1);
	/* No shell: no evaluation, an empty value. */
	STR_IS(format_list(NULL, &o, 1, p),
	    "\n\n $_.Recipients  : \n\n\n\n");
	STR_IS(format_cell(p), " $_.Recipients ");
	value_unref(p);
	value_unref(o);
}

static void
test_list_wrap(void)
{
	struct value	*o;
	struct buf	 b, want;
	int		 i;

	buf_init(&b);
	for (i = 1; i <= 30; i++)
		buf_addf(&b, "%sword%02d", i > 1 ? " " : "", i);
	o = value_object("Test.Wrap", NULL);
	object_add(o, "Name", value_string("x"));
	object_add(o, "Comment", value_string(b.s));

	/* Field width 119 - 10 = 109: fifteen 7-cell words a line. */
	buf_init(&want);
	buf_adds(&want, "\n\nName    : x\nComment : ");
	for (i = 1; i <= 15; i++)
		buf_addf(&want, "word%02d ", i);
	buf_adds(&want, "\n          ");
	for (i = 16; i <= 30; i++)
		buf_addf(&want, "%sword%02d", i > 16 ? " " : "", i);
	buf_adds(&want, "\n\n\n\n");
	STR_IS(format_list(sh(), &o, 1, NULL), want.s);
	value_unref(o);
	buf_free(&b);
	buf_free(&want);

	/* Multi-line values: continuation lines under the values. */
	o = value_object("Test.Lines", NULL);
	object_add(o, "Text", value_string("one\r\ntwo"));
	STR_IS(format_list(sh(), &o, 1, NULL),
	    "\n\nText : one\n       two\n\n\n\n");
	value_unref(o);

	STR_IS(format_wrap("aaa bbb ccc", 7), "aaa \nbbb ccc\n");
	STR_IS(format_wrap("ab abcdefghij", 4), "ab a\nbcde\nfghi\nj\n");
	STR_IS(format_wrap("short\n\nx", 10), "short\n\nx\n");
}

static void
test_table_align(void)
{
	struct value	*o[2];

	o[0] = small("Internet", true, 25);
	o[1] = small("TLS to partner", false, 587);
	STR_IS(format_table(sh(), o, 2, NULL, true, false),
	    "\n"
	    "Name           Enabled Port\n"
	    "----           ------- ----\n"
	    "Internet          True   25\n"
	    "TLS to partner   False  587\n"
	    "\n\n");
	/* The last column is padded too (5.1). */
	STR_IS(format_default(sh(), o, 2) , "\n"
	    "Name           Enabled Port\n"
	    "----           ------- ----\n"
	    "Internet          True   25\n"
	    "TLS to partner   False  587\n"
	    "\n\n");
	value_unref(o[0]);
	value_unref(o[1]);
}

static void
test_table_pad_truncate(void)
{
	struct value	*o[2], *p, *h;
	char		 longname[131];

	o[0] = small("Internet", true, 25);
	o[1] = small("TLS to partner", false, 587);
	p = strings((const char *const[]){ "Port", "name", "Missing",
	    NULL });
	STR_IS(format_table(sh(), o, 2, p, false, false),
	    "\n"
	    "Port Name           Missing\n"
	    "---- ----           -------\n"
	    "  25 Internet              \n"
	    " 587 TLS to partner        \n"
	    "\n\n");
	value_unref(p);

	/* Width 6: cut to 3 characters and "..."; tail kept on the right. */
	h = value_hash();
	value_hash_set(h, value_string("Expression"), value_string("Name"));
	value_hash_set(h, value_string("Width"), value_int(6));
	p = value_array();
	value_array_push(p, h);
	h = value_hash();
	value_hash_set(h, value_string("e"), value_string("Name"));
	value_hash_set(h, value_string("l"), value_string("R"));
	value_hash_set(h, value_string("w"), value_int(6));
	value_hash_set(h, value_string("a"), value_string("right"));
	value_array_push(p, h);
	STR_IS(format_table(sh(), o, 2, p, false, true),
	    "\n"
	    "Int... ...net\n"
	    "TLS... ...ner\n"
	    "\n\n");
	value_unref(p);
	value_unref(o[0]);
	value_unref(o[1]);

	/* Too wide for 119 columns: the last column shrinks. */
	memset(longname, 'x', 130);
	longname[130] = '\0';
	o[0] = small(longname, true, 1);
	p = strings((const char *const[]){ "Port", "Name", NULL });
	{
		struct buf	want;

		buf_init(&want);
		buf_adds(&want, "\nPort Name");
		buf_pad(&want, ' ', 110);
		buf_adds(&want, "\n---- ----");
		buf_pad(&want, ' ', 110);
		buf_adds(&want, "\n   1 ");
		buf_pad(&want, 'x', 111);
		buf_adds(&want, "...\n\n\n");
		STR_IS(format_table(sh(), o, 1, p, true, false), want.s);
		buf_free(&want);
	}
	value_unref(p);
	value_unref(o[0]);
}

static void
test_default_shapes(void)
{
	struct value	*v[4], *h;
	char		*s;

	/* Five or more properties: a list. */
	v[0] = connector("Internet", false);
	s = format_default(sh(), v, 1);
	TAP_STREQ(s, "\n\n" CONNECTOR_LIST("Internet", "False") "\n\n\n");
	free(s);
	value_unref(v[0]);

	/* Scalars: one a line, no blank lines; $null prints nothing. */
	v[0] = value_string("abc");
	v[1] = value_int(42);
	v[2] = value_null();
	v[3] = value_bool(true);
	STR_IS(format_default(sh(), v, 4), "abc\n42\nTrue\n");
	value_unref(v[0]);
	value_unref(v[1]);
	value_unref(v[3]);

	/* Hashtables: Name (30 wide) and Value. */
	h = value_hash();
	value_hash_set(h, value_string("a"), value_int(1));
	s = format_default(sh(), &h, 1);
	TAP_CHECK(strncmp(s, "\nName                           Value", 37) ==
	    0);
	TAP_CHECK(strstr(s, "\na                              1") != NULL);
	TAP_CHECK(strlen(strchr(s + 1, '\n')) == 1 + 119 * 2 + 2 + 2);
	free(s);
	value_unref(h);

	/* A foreign object inside a table is listed out of band. */
	v[0] = small("A", true, 1);
	v[1] = value_object("Test.Other", NULL);
	object_add(v[1], "Id", value_int(7));
	v[2] = small("B", false, 2);
	STR_IS(format_default(sh(), v, 3), "\n"
	    "Name Enabled Port\n"
	    "---- ------- ----\n"
	    "A       True    1\n"
	    "\nId : 7\n\n"
	    "B      False    2\n"
	    "\n\n");
	value_unref(v[0]);
	value_unref(v[1]);
	value_unref(v[2]);
}

static void
test_cells(void)
{
	static const char *const two[] = { "a", "b", NULL };
	static const char *const many[] = { "1", "2", "3", "4", "5", "6",
	    "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17",
	    NULL };
	struct value	*v, *o;

	v = strings(two);
	STR_IS(format_cell(v), "{a, b}");
	value_unref(v);
	v = strings(many);
	STR_IS(format_cell(v), "{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, "
	    "14, 15, 16...}");
	value_unref(v);
	v = strings(many + 1);
	STR_IS(format_cell(v), "{2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, "
	    "15, 16, 17}");
	value_unref(v);
	v = value_array();
	STR_IS(format_cell(v), "{}");
	value_unref(v);

	STR_IS(format_cell(NULL), "");
	v = value_null();
	STR_IS(format_cell(v), "");
	v = value_bool(false);
	STR_IS(format_cell(v), "False");
	value_unref(v);
	v = value_secure("secret");
	STR_IS(format_cell(v), "System.Security.SecureString");
	value_unref(v);
	v = value_hash();
	STR_IS(format_cell(v), "System.Collections.Hashtable");
	value_unref(v);
	o = value_object("Some.Type", NULL);
	STR_IS(format_cell(o), "Some.Type");
	o->u.obj->text = xstrdup("EX01\\Default EX01");
	STR_IS(format_cell(o), "EX01\\Default EX01");
	value_unref(o);

	/* 2012-07-09 10:15:03 UTC, shown in local time (TZ=UTC here). */
	v = value_date(INT64_C(1341828903) * 1000000);
	STR_IS(format_cell(v), "7/9/2012 10:15:03 AM");
	value_unref(v);
	v = value_date(INT64_C(1341868503) * 1000000);
	STR_IS(format_cell(v), "7/9/2012 9:15:03 PM");
	value_unref(v);
}

static void
test_wildcards(void)
{
	TAP_CHECK(wildcard_match("*tls*", "RequireTLS", false));
	TAP_CHECK(wildcard_match("*tls*", "TlsDomain", false));
	TAP_CHECK(!wildcard_match("*tls*", "Port", false));
	TAP_CHECK(!wildcard_match("*tls*", "RequireTLS", true));
	TAP_CHECK(wildcard_match("?ort", "Port", false));
	TAP_CHECK(!wildcard_match("?ort", "ort", false));
	TAP_CHECK(!wildcard_match("?ort", "Ports", false));
	TAP_CHECK(wildcard_match("[a-c]x", "bx", false));
	TAP_CHECK(wildcard_match("[a-c]x", "Bx", false));
	TAP_CHECK(!wildcard_match("[a-c]x", "Bx", true));
	TAP_CHECK(!wildcard_match("[a-c]x", "dx", false));
	TAP_CHECK(!wildcard_match("[a-c]x", "bxx", false));
	TAP_CHECK(wildcard_match("[xyz]", "y", false));
	TAP_CHECK(wildcard_match("a`*", "a*", false));
	TAP_CHECK(!wildcard_match("a`*", "ab", false));
	TAP_CHECK(wildcard_match("a`?b", "a?b", false));
	TAP_CHECK(wildcard_match("`[x]", "[x]", false));
	TAP_CHECK(wildcard_match("*", "", false));
	TAP_CHECK(wildcard_match("", "", false));
	TAP_CHECK(!wildcard_match("", "a", false));
	TAP_CHECK(wildcard_match("a*b*c", "aXXbYYc", false));
	TAP_CHECK(!wildcard_match("a*b*c", "aXXbYY", false));
	TAP_CHECK(wildcard_match("EX01\\*", "ex01\\Default EX01", false));
	TAP_CHECK(wildcard_match("?", "\xc3\xa9", false));
	TAP_CHECK(wildcard_match("[ab", "[ab", false));
	TAP_CHECK(has_wildcard("*tls*"));
	TAP_CHECK(has_wildcard("[a]"));
	TAP_CHECK(!has_wildcard("a`*"));
	TAP_CHECK(!has_wildcard("RequireTLS"));
	TAP_CHECK(strcasecmp_utf8("RequireTLS", "requiretls") == 0);
	TAP_CHECK(strcasecmp_utf8("a", "B") < 0);
	TAP_CHECK(strcasecmp_utf8("\xc3\xa9", "\xc3\xa9") == 0);
}

static struct errrec *
cmdlet_error(const char *text, size_t start, size_t end)
{
	struct errrec	*e;

	e = errrec_create("The operation couldn't be performed because "
	    "object 'x' couldn't be found on 'DC01.contoso.com'.");
	errrec_set(&e->invocation, xstrdup("Get-SendConnector"));
	errrec_set(&e->activity, xstrdup("Get-SendConnector"));
	errrec_set(&e->reason, xstrdup("ManagementObjectNotFoundException"));
	errrec_set(&e->fqid, xstrdup("7E8B2E1,Microsoft.Exchange."
	    "Management.SystemConfigurationTasks.GetSendConnector"));
	e->src = source_create("line", text, strlen(text));
	e->ext.start = start;
	e->ext.end = end;
	e->has_position = true;
	return (e);
}

static void
test_error_cmdlet(void)
{
	struct errrec	*e;

	e = cmdlet_error("Get-SendConnector x", 0, 19);
	STR_IS(errrec_render(e, SHELL_WIDTH),
	    "Get-SendConnector : The operation couldn't be performed because "
	    "object 'x' couldn't be found on 'DC01.contoso.com'.\n"
	    "At line:1 char:1\n"
	    "+ Get-SendConnector x\n"
	    "+ ~~~~~~~~~~~~~~~~~~~\n"
	    "    + CategoryInfo          : NotSpecified: (:) "
	    "[Get-SendConnector], ManagementObjectNotFoundException\n"
	    "    + FullyQualifiedErrorId : 7E8B2E1,Microsoft.Exchange."
	    "Management.SystemConfigurationTasks.GetSendConnector\n"
	    " \n");
	errrec_free(e);

	/*
	 * A script: the path, the line, tabs as four spaces; a CategoryInfo
	 * over 114 characters goes on in a second chunk.
	 */
	e = cmdlet_error("# x\n\tGet-SendConnector\tx  \n", 5, 24);
	source_free(e->src);
	e->src = source_create("/tmp/x.ps1", "# x\n\tGet-SendConnector\tx  \n",
	    27);
	errrec_set(&e->target, xstrdup("x"));
	errrec_set(&e->target_type, xstrdup("String"));
	errrec_set(&e->activity, xstrdup("An.Activity.Name.That.Is.Longer."
	    "Than.Forty.Characters"));
	STR_IS(errrec_render(e, SHELL_WIDTH),
	    "Get-SendConnector : The operation couldn't be performed because "
	    "object 'x' couldn't be found on 'DC01.contoso.com'.\n"
	    "At /tmp/x.ps1:2 char:2\n"
	    "+     Get-SendConnector    x\n"
	    "+     ~~~~~~~~~~~~~~~~~~~~~~\n"
	    "    + CategoryInfo          : NotSpecified: (x:String) "
	    "[An.Activity.Nam...orty.Characters], "
	    "ManagementObjectNotFoundEx \n"
	    "   ception\n"
	    "    + FullyQualifiedErrorId : 7E8B2E1,Microsoft.Exchange."
	    "Management.SystemConfigurationTasks.GetSendConnector\n"
	    " \n");
	errrec_free(e);
}

static void
test_error_parse(void)
{
	struct errrec	*e;
	const char	*text = "Get-SendConnector \"x";

	e = errrec_create("The string is missing the terminator: \".");
	e->parse_error = true;
	e->kind = ERR_SCRIPT;
	errrec_set(&e->category, xstrdup("ParserError"));
	errrec_set(&e->reason, xstrdup("ParentContainsErrorRecordException"));
	errrec_set(&e->fqid, xstrdup("TerminatorExpectedAtEndOfString"));
	e->src = source_create("line", text, strlen(text));
	e->ext.start = 18;
	e->ext.end = 20;
	STR_IS(errrec_render(e, SHELL_WIDTH),
	    "At line:1 char:19\n"
	    "+ Get-SendConnector \"x\n"
	    "+                   ~~\n"
	    "The string is missing the terminator: \".\n"
	    "    + CategoryInfo          : ParserError: (:) [], "
	    "ParentContainsErrorRecordException\n"
	    "    + FullyQualifiedErrorId : TerminatorExpectedAtEndOfString\n"
	    " \n");
	errrec_free(e);
}

static void
test_error_window(void)
{
	struct source	*src;
	struct extent	 ext;
	const char	*a = "Set-SendConnector -Identity 'Outbound to "
	    "Contoso Partners' -AddressSpaces 'contoso.com' -Bogus 1 "
	    "-RequireTLS $true -Port 25";
	const char	*b = "New-SendConnector -Name 'Internet' "
	    "-AddressSpaces 'SMTP:*;1' -Usage Internet -RequireTLS $true "
	    "-Bogus";
	const char	*c = "New-SendConnector -Name 'Internet' "
	    "-AddressSpaces 'SMTP:*;1' -Usage Internet -RequireTLS $true";

	src = source_create("line", a, strlen(a));
	ext.start = 88;
	ext.end = 94;
	STR_IS(position_message(src, ext), "At line:1 char:89\n"
	    "+ ... ound to Contoso Partners' -AddressSpaces 'contoso.com' "
	    "-Bogus 1 -Requ ...\n"
	    "+                                                            "
	    "~~~~~~");
	source_free(src);

	src = source_create("line", b, strlen(b));
	ext.start = 95;
	ext.end = 101;
	STR_IS(position_message(src, ext), "At line:1 char:96\n"
	    "+ ... t' -AddressSpaces 'SMTP:*;1' -Usage Internet -RequireTLS "
	    "$true -Bogus\n"
	    "+                                                              "
	    "      ~~~~~~");
	source_free(src);

	src = source_create("line", c, strlen(c));
	ext.start = 0;
	ext.end = strlen(c);
	STR_IS(position_message(src, ext), "At line:1 char:1\n"
	    "+ New-SendConnector -Name 'Internet' -AddressSpaces 'SMTP:*;1' "
	    "-Usage I ...\n"
	    "+ ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~"
	    "~~~~~~~~~");
	source_free(src);
}

/* The remote shape: no prefix, no position, FQID chunked and wrapped. */
static void
test_error_chunks(void)
{
	struct errrec	*e;

	e = errrec_create("The operation couldn't be performed because "
	    "object 'DEV-E15CAS' couldn't be found on 'Dev-DC1.Dev.local'.");
	errrec_set(&e->activity, xstrdup("Get-TransportService"));
	errrec_set(&e->reason, xstrdup("ManagementObjectNotFoundException"));
	errrec_set(&e->fqid, xstrdup("[Server=DEV-E15A,RequestId="
	    "4e96e2e6-1d2f-4a3b-9c8d-0123456789ab,TimeStamp=9/17/2018 "
	    "7:18:43 PM] [FailureCategory=Cmdlet-ManagementObjectNotFound"
	    "Exception] "
	    "B06714DB,Microsoft.Exchange.Management.SystemConfigurationTasks."
	    "GetTransportService"));
	STR_IS(errrec_render(e, SHELL_WIDTH),
	    "The operation couldn't be performed because object 'DEV-E15CAS' "
	    "couldn't be found on 'Dev-DC1.Dev.local'.\n"
	    "    + CategoryInfo          : NotSpecified: (:) "
	    "[Get-TransportService], ManagementObjectNotFoundException\n"
	    "    + FullyQualifiedErrorId : [Server=DEV-E15A,RequestId="
	    "4e96e2e6-1d2f-4a3b-9c8d-0123456789ab,TimeStamp=9/17/2018 7:18 \n"
	    "   :43 PM] [FailureCategory=Cmdlet-ManagementObjectNotFound"
	    "Exception] B06714DB,Microsoft.Exchange.Management.SystemCo  \n"
	    "  nfigurationTasks.GetTransportService\n"
	    " \n");
	errrec_free(e);
}

/*
 * A PSCustomObject shows as "@{Name=value; ...}": each value its
 * ToString(), a collection its type name, a nested one nested; other
 * objects keep their text or type name.
 */
static void
test_custom_text(void)
{
	struct value	*o, *a, *inner, *coll;

	o = value_object(PSOBJECT_TYPE, NULL);
	object_add(o, "Name", value_string("Contoso"));
	a = value_array();
	value_array_push(a, value_int(25));
	object_add(o, "Ports", a);
	object_add(o, "Note", value_null());
	inner = value_object("Selected.X", NULL);
	object_add(inner, "TLS", value_bool(true));
	object_add(o, "Inner", inner);
	TAP_CHECK(format_is_custom(o) && format_is_custom(inner));
	STR_IS(format_cell(o), "@{Name=Contoso; Ports=System.Object[]; "
	    "Note=; Inner=@{TLS=True}}");
	STR_IS(value_to_string(o), "@{Name=Contoso; Ports=System.Object[]; "
	    "Note=; Inner=@{TLS=True}}");
	coll = value_array();
	value_array_push(coll, value_ref(inner));
	value_array_push(coll, value_string("x"));
	STR_IS(format_cell(coll), "{@{TLS=True}, x}");
	value_unref(coll);
	value_unref(o);
	o = small("Internet", true, 25);
	TAP_CHECK(!format_is_custom(o));
	STR_IS(format_cell(o), o->u.obj->type_name);
	value_unref(o);
}

static const struct tap_case cases[] = {
	{ "fl: 28-character labels, values at column 31", test_list_labels },
	{ "fl: blank lines around one and two objects", test_list_framing },
	{ "fl: names, wildcards, calculated properties", test_list_selectors },
	{ "fl: word wrap and multi-line values", test_list_wrap },
	{ "views: default table and curated list", test_views },
	{ "script block selectors are labelled by their text",
	    test_script_label },
	{ "ft: alignment, header and dashes", test_table_align },
	{ "ft: padding, missing columns, truncation", test_table_pad_truncate },
	{ "Out-Default: list, scalars, hashtables, foreign objects",
	    test_default_shapes },
	{ "cells: collections, enumeration limit, scalars, dates",
	    test_cells },
	{ "cells: a PSCustomObject is @{Name=value; ...}", test_custom_text },
	{ "wildcards and case-insensitive compare", test_wildcards },
	{ "error: cmdlet error with position", test_error_cmdlet },
	{ "error: parse error", test_error_parse },
	{ "error: 69-character source window", test_error_window },
	{ "error: chunked and wrapped FullyQualifiedErrorId",
	    test_error_chunks },
};

int
main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	return (tap_run(cases, sizeof cases / sizeof cases[0]));
}
