/*
 * lexer_test.c - unit tests of the PowerShell tokenizer.
 */
#include <stdlib.h>
#include <string.h>

#include "shell.h"
#include "tap.h"
#include "xmalloc.h"

/* Lex text in one mode; a compact dump "TYPE:text|TYPE:text|...". */
static char *
dump(const char *text, enum lex_mode mode)
{
	static const char *names[] = {
		"EOF", "NL", "SEMI", "PIPE", "COMMA", "LP", "RP", "LB", "RB",
		"LK", "RK", "AT(", "AT{", "$(", "PARAM", "STR", "XSTR", "NUM",
		"VAR", "SPLAT", "OP", "DOT", "::", "AMP", "ERR", "REDIR"
	};
	struct source	*src;
	struct lexer	 lx;
	struct token	 t;
	struct buf	 b;
	char		*s;
	size_t		 i;

	src = source_create("line", text, strlen(text));
	lexer_init(&lx, src, 0, src->len);
	buf_init(&b);
	for (;;) {
		lexer_next(&lx, mode, &t);
		buf_addf(&b, "%s%s", b.len ? "|" : "", names[t.type]);
		if (t.type == T_NUMBER) {
			s = value_to_string(t.num);
			buf_addf(&b, ":%s", s);
			free(s);
		} else if (t.type == T_XSTRING) {
			buf_addc(&b, ':');
			for (i = 0; i < t.nparts; i++)
				buf_addf(&b, "%s%s", t.parts[i].type ==
				    XP_TEXT ? "" : "$", t.parts[i].text);
		} else if (t.text != NULL)
			buf_addf(&b, ":%s%s", t.text, t.colon ? ":" : "");
		if (t.type == T_EOF || t.type == T_ERROR) {
			token_clear(&t);
			break;
		}
		token_clear(&t);
	}
	source_free(src);
	s = buf_detach(&b);
	return (s);
}

#define LEX_IS(text, mode, want) do {					\
	char *got_ = dump(text, mode);					\
	TAP_STREQ(got_, want);						\
	free(got_);							\
} while (0)

static void
test_quotes(void)
{
	LEX_IS("'TLS'", LEX_COMMAND, "STR:TLS|EOF");
	LEX_IS("\xe2\x80\x98TLS'", LEX_COMMAND, "STR:TLS|EOF");
	LEX_IS("'O''Neil'", LEX_COMMAND, "STR:O'Neil|EOF");
	LEX_IS("\xe2\x80\x9c" "contoso.com" "\xe2\x80\x9d", LEX_COMMAND,
	    "XSTR:contoso.com|EOF");
	LEX_IS("\"a`tb\"", LEX_COMMAND, "XSTR:a\tb|EOF");
	LEX_IS("\"He said \"\"hi\"\"\"", LEX_COMMAND,
	    "XSTR:He said \"hi\"|EOF");
	LEX_IS("'abc", LEX_COMMAND, "ERR:The string is missing the "
	    "terminator: '.");
}

static void
test_params(void)
{
	LEX_IS("-Name x", LEX_COMMAND, "PARAM:Name|STR:x|EOF");
	LEX_IS("\xe2\x80\x93Name x", LEX_COMMAND, "PARAM:Name|STR:x|EOF");
	LEX_IS("\xe2\x80\x94" "Confirm:$false", LEX_COMMAND,
	    "PARAM:Confirm:|VAR:false|EOF");
	LEX_IS("--Name", LEX_COMMAND, "STR:--Name|EOF");
	LEX_IS("-Name'x'", LEX_COMMAND, "STR:-Namex|EOF");
}

static void
test_barewords(void)
{
	LEX_IS("*.outlook.com", LEX_COMMAND, "STR:*.outlook.com|EOF");
	LEX_IS("SMTP:*;1", LEX_COMMAND, "STR:SMTP:*|SEMI|NUM:1|EOF");
	LEX_IS("a.com,b.com", LEX_COMMAND, "STR:a.com|COMMA|STR:b.com|EOF");
	LEX_IS("EX01\\Default EX01", LEX_COMMAND,
	    "STR:EX01\\Default|STR:EX01|EOF");
	LEX_IS("x#y", LEX_COMMAND, "STR:x#y|EOF");
	LEX_IS("2012-07-09", LEX_COMMAND, "STR:2012-07-09|EOF");
	LEX_IS("10.0.0.1", LEX_COMMAND, "STR:10.0.0.1|EOF");
	LEX_IS("EX01\\$srv", LEX_COMMAND, "XSTR:EX01\\$srv|EOF");
	LEX_IS("[10.1.1.1]", LEX_COMMAND, "STR:[10.1.1.1]|EOF");
}

static void
test_numbers(void)
{
	LEX_IS("35MB", LEX_COMMAND, "NUM:36700160|EOF");
	LEX_IS("25", LEX_COMMAND, "NUM:25|EOF");
	LEX_IS("7z", LEX_COMMAND, "STR:7z|EOF");
	LEX_IS("1.5GB", LEX_COMMAND, "NUM:1610612736|EOF");
	LEX_IS("0x10", LEX_EXPRESSION, "NUM:16|EOF");
	LEX_IS("35MB+1", LEX_EXPRESSION, "NUM:36700160|OP|NUM:1|EOF");
}

static void
test_operators(void)
{
	LEX_IS("$a -eq 1", LEX_EXPRESSION, "VAR:a|OP:eq|NUM:1|EOF");
	LEX_IS("$a \xe2\x80\x93" "eq 1", LEX_EXPRESSION,
	    "VAR:a|OP:eq|NUM:1|EOF");
	LEX_IS("$a -ceq 'x'", LEX_EXPRESSION, "VAR:a|OP:ceq:|STR:x|EOF");
	LEX_IS("-not $x", LEX_EXPRESSION, "OP:not|VAR:x|EOF");
	LEX_IS("$x -bogus 1", LEX_EXPRESSION, "VAR:x|ERR:Unexpected token "
	    "'-bogus' in expression or statement.");
}

static void
test_comments_and_continuation(void)
{
	LEX_IS("a # comment\nb", LEX_COMMAND, "STR:a|NL|STR:b|EOF");
	LEX_IS("a <# block\n#> b", LEX_COMMAND, "STR:a|STR:b|EOF");
	LEX_IS("a `\nb", LEX_COMMAND, "STR:a|STR:b|EOF");
	LEX_IS("a ` \nb", LEX_COMMAND, "STR:a|STR: |NL|STR:b|EOF");
	LEX_IS("a\r\nb", LEX_COMMAND, "STR:a|NL|STR:b|EOF");
}

static void
test_variables(void)
{
	LEX_IS("$true", LEX_COMMAND, "VAR:true|EOF");
	LEX_IS("${a b}", LEX_COMMAND, "VAR:a b|EOF");
	LEX_IS("$_.Name", LEX_EXPRESSION, "VAR:_|DOT|STR:Name|EOF");
	LEX_IS("\"$c.Name\"", LEX_COMMAND, "XSTR:$c.Name|EOF");
	LEX_IS("@p", LEX_COMMAND, "SPLAT:p|EOF");
	LEX_IS("$env:HOME", LEX_COMMAND, "VAR:env:HOME|EOF");
}

static void
test_lookalikes(void)
{
	/* A prime where a quote was meant is refused and named. */
	LEX_IS("\xe2\x80\xb2TLS\xe2\x80\xb2", LEX_COMMAND,
	    "ERR:The character '\xe2\x80\xb2' (U+2032) is not a quote, "
	    "dash or blank PowerShell accepts; use ' or a typographic single "
	    "quote.");
	LEX_IS("\xe2\x88\x92Name", LEX_COMMAND, "ERR:The character "
	    "'\xe2\x88\x92' (U+2212) is not a quote, dash or blank "
	    "PowerShell accepts; use - or an en dash.");
	/* Inside a quoted string the same characters are just text. */
	LEX_IS("'5\xe2\x80\xb2'", LEX_COMMAND, "STR:5\xe2\x80\xb2|EOF");
}

/* n strings, each one's $( ) holding the next. */
static char *
nested_strings(int n)
{
	struct buf	b;
	int		i;

	buf_init(&b);
	for (i = 0; i < n; i++)
		buf_adds(&b, "\"$(");
	buf_addc(&b, '1');
	for (i = 0; i < n; i++)
		buf_adds(&b, ")\"");
	return (buf_detach(&b));
}

static void
test_nesting(void)
{
	char	*text;

	text = nested_strings(SHELL_MAX_DEPTH);
	LEX_IS(text, LEX_EXPRESSION, "XSTR:$|EOF");
	free(text);
	text = nested_strings(SHELL_MAX_DEPTH + 1);
	LEX_IS(text, LEX_EXPRESSION, "ERR:Processing was stopped because "
	    "the script is too complex.");
	free(text);
	text = nested_strings(100000);
	LEX_IS(text, LEX_COMMAND, "ERR:Processing was stopped because the "
	    "script is too complex.");
	free(text);
}

/* `0 would make a NUL, which no string can hold: refused everywhere. */
static void
test_nul_escape(void)
{
	static const char *want = "ERR:The escape sequence `0 makes a NUL "
	    "character (U+0000), which hubsh cannot keep in a string.";

	LEX_IS("\"a`0b\"", LEX_EXPRESSION, want);
	LEX_IS("a`0b", LEX_COMMAND, want);
	LEX_IS("@\"\na`0b\n\"@", LEX_EXPRESSION, want);
	LEX_IS("\"a`0\"", LEX_COMMAND, want);
	LEX_IS("'a`0b'", LEX_EXPRESSION, "STR:a`0b|EOF");
	LEX_IS("\"a`tb`0\"", LEX_EXPRESSION, want);
	LEX_IS("\"a`t`\"b\"", LEX_EXPRESSION, "XSTR:a\t\"b|EOF");
}

static const struct tap_case cases[] = {
	{ "quote classes and doubling", test_quotes },
	{ "parameter tokens and dash classes", test_params },
	{ "barewords end only at hard terminators", test_barewords },
	{ "numbers and multipliers", test_numbers },
	{ "operators in expression mode", test_operators },
	{ "comments and backtick continuation", test_comments_and_continuation },
	{ "variables and splats", test_variables },
	{ "look-alike characters are refused outside quotes", test_lookalikes },
	{ "$( ) in strings nests SHELL_MAX_DEPTH deep", test_nesting },
	{ "the escape `0 is refused", test_nul_escape },
};

TAP_MAIN(cases)
