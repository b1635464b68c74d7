/*
 * parser_test.c - unit tests of the parser: shapes, errors, and the
 * "incomplete input" verdict that drives the ">> " prompt.
 */
#include <stdlib.h>
#include <string.h>

#include "shell.h"
#include "tap.h"
#include "xmalloc.h"

static const char *node_names[] = {
	"block", "pipe", "cmd", "param", "assign", "if", "foreach", "exit",
	"throw", "const", "xstr", "var", "splat", "array", "arraysub", "hash",
	"script", "paren", "subexpr", "member", "static", "invoke", "index",
	"unary", "binary", "cast", "while", "do", "for", "switch", "break",
	"continue", "try", "catch", "function", "paramblock", "paramdef",
	"attr", "incdec", "redirect", "type", "trap"
};

static void
dump_node(struct buf *b, struct node *n)
{
	size_t	i, nkids;
	char	*s;

	if (n == NULL) {
		buf_adds(b, "nil");
		return;
	}
	buf_adds(b, node_names[n->type]);
	if (n->type == N_CONST && n->val != NULL) {
		s = value_to_string(n->val);
		buf_addf(b, "'%s'", s);
		free(s);
	}
	if (n->str != NULL && n->type != N_SCRIPT)
		buf_addf(b, "'%s'", n->str);
	if (n->type == N_BINARY || n->type == N_UNARY || n->type == N_INCDEC ||
	    (n->type == N_ASSIGN && n->op != OP_ASSIGN))
		buf_addf(b, "[%s]", op_name(n->op));
	if (n->flags != 0 && (n->type == N_SWITCH || n->type == N_DO ||
	    n->type == N_CATCH || n->type == N_FUNCTION || n->type == N_ATTR ||
	    n->type == N_INCDEC || n->type == N_REDIRECT))
		buf_addf(b, "{%x}", (unsigned)n->flags);
	if (n->label != NULL)
		buf_addf(b, ":%s", n->label);
	/* A script block's missing param, begin and process are not shown. */
	nkids = n->nkids;
	while (n->type == N_SCRIPT && nkids > 1 && n->kids[nkids - 1] == NULL)
		nkids--;
	if (nkids == 0)
		return;
	buf_addc(b, '(');
	for (i = 0; i < nkids; i++) {
		if (i > 0)
			buf_addc(b, ' ');
		dump_node(b, n->kids[i]);
	}
	buf_addc(b, ')');
}

static char *
parse_dump(const char *text)
{
	struct source		*src;
	struct parse_error	 err;
	struct node		*n;
	struct buf		 b;

	src = source_create("line", text, strlen(text));
	n = parse_script(src, 0, src->len, &err);
	buf_init(&b);
	if (n == NULL)
		buf_addf(&b, "error%s: %s [%s]", err.incomplete ?
		    " (incomplete)" : "", err.message, err.id);
	else
		dump_node(&b, n);
	node_free(n);
	parse_error_clear(&err);
	source_free(src);
	return (buf_detach(&b));
}

#define PARSE_IS(text, want) do {					\
	char *got_ = parse_dump(text);					\
	TAP_STREQ(got_, want);						\
	free(got_);							\
} while (0)

static void
test_commands(void)
{
	PARSE_IS("Get-SendConnector",
	    "block(pipe(cmd(const'Get-SendConnector')))");
	PARSE_IS("New-SendConnector -Name 'TLS' -AddressSpaces 'SMTP:*;1'",
	    "block(pipe(cmd(const'New-SendConnector' param'Name' "
	    "const'TLS' param'AddressSpaces' const'SMTP:*;1')))");
	PARSE_IS("Remove-SendConnector x -Confirm:$false",
	    "block(pipe(cmd(const'Remove-SendConnector' const'x' "
	    "param'Confirm'(var'false'))))");
	PARSE_IS("Set-SendConnector x -SmartHosts a,b",
	    "block(pipe(cmd(const'Set-SendConnector' const'x' "
	    "param'SmartHosts' array(const'a' const'b'))))");
}

static void
test_pipelines(void)
{
	PARSE_IS("Get-SendConnector | fl",
	    "block(pipe(cmd(const'Get-SendConnector') cmd(const'fl')))");
	PARSE_IS("Get-SendConnector |\n fl",
	    "block(pipe(cmd(const'Get-SendConnector') cmd(const'fl')))");
	PARSE_IS("$c | fl", "block(pipe(var'c' cmd(const'fl')))");
	PARSE_IS("Get-X | where {$_.Sender -eq 'a' -and $_.EventId -eq "
	    "'SEND'}", "block(pipe(cmd(const'Get-X') cmd(const'where' "
	    "script(block(pipe(binary[and](binary[eq](member(var'_' "
	    "const'Sender') const'a') binary[eq](member(var'_' "
	    "const'EventId') const'SEND'))))))))");
}

static void
test_expressions(void)
{
	PARSE_IS("$c = Get-SendConnector x", "block(assign(var'c' "
	    "pipe(cmd(const'Get-SendConnector' const'x'))))");
	PARSE_IS("$c.AddressSpaces += 'a.com'", "block(assign[+=](member("
	    "var'c' const'AddressSpaces') pipe(const'a.com')))");
	/* Without blanks: a statement that starts with '$' is an expression. */
	PARSE_IS("$c=Get-SendConnector x", "block(assign(var'c' "
	    "pipe(cmd(const'Get-SendConnector' const'x'))))");
	PARSE_IS("$n+=1", "block(assign[+=](var'n' pipe(const'1')))");
	PARSE_IS("$a+1", "block(pipe(binary[+](var'a' const'1')))");
	/* A statement may start with a unary operator; other dash words
	   are commands. */
	PARSE_IS("-not $a", "block(pipe(unary[not](var'a')))");
	PARSE_IS("-Foo", "block(pipe(cmd(const'-Foo')))");
	PARSE_IS("1 + 2 * 3", "block(pipe(binary[+](const'1' binary[*]("
	    "const'2' const'3'))))");
	PARSE_IS("$a -eq 1 -or $b", "block(pipe(binary[or](binary[eq]("
	    "var'a' const'1') var'b')))");
	PARSE_IS("@{Add='a','b'; Remove='c'}", "block(pipe(hash(const'Add' "
	    "pipe(array(const'a' const'b')) const'Remove' pipe(const'c'))))");
	PARSE_IS("(Get-Date).AddHours(-1)", "block(pipe(invoke(paren(pipe("
	    "cmd(const'Get-Date'))) const'AddHours' const'-1')))");
	PARSE_IS("$a[0]", "block(pipe(index(var'a' const'0')))");
	PARSE_IS("1..3 | fl", "block(pipe(binary[..](const'1' const'3') "
	    "cmd(const'fl')))");
}

static void
test_statements(void)
{
	PARSE_IS("if ($x) { a } else { b }", "block(if(pipe(var'x') "
	    "block(pipe(cmd(const'a'))) block(pipe(cmd(const'b')))))");
	PARSE_IS("foreach ($c in $list) { $c }", "block(foreach'c'("
	    "pipe(var'list') block(pipe(var'c'))))");
	PARSE_IS("exit 3", "block(exit(const'3'))");
	PARSE_IS("a; b\nc", "block(pipe(cmd(const'a')) pipe(cmd(const'b')) "
	    "pipe(cmd(const'c')))");
}

/* Loops, switch, try, break and continue, labels, ++ and --. */
static void
test_flow(void)
{
	PARSE_IS("while ($i -lt 3) { $i++ }", "block(while(pipe(binary[lt]("
	    "var'i' const'3')) block(incdec[++](var'i'))))");
	PARSE_IS("do { a } until ($x)", "block(do{4}(block(pipe(cmd("
	    "const'a'))) pipe(var'x')))");
	PARSE_IS("do { a }\nwhile ($x)", "block(do(block(pipe(cmd("
	    "const'a'))) pipe(var'x')))");
	PARSE_IS("for ($i = 0; $i -lt 2; $i++) { $i }", "block(for(assign("
	    "var'i' pipe(const'0')) pipe(binary[lt](var'i' const'2')) "
	    "pipe(incdec[++](var'i')) block(pipe(var'i'))))");
	PARSE_IS("for (;;) { break }", "block(for(nil nil nil block(break)))");
	PARSE_IS(":outer foreach ($a in $b) { continue outer }",
	    "block(foreach'a':outer(pipe(var'b') block(continue'outer')))");
	PARSE_IS("switch -Wildcard ($d) { '*.com' { 1 } default { 2 } }",
	    "block(switch{20}(pipe(var'd') const'*.com' block(pipe("
	    "const'1')) nil block(pipe(const'2'))))");
	PARSE_IS("try { a } catch [System.IO.IOException], [Exception] { b } "
	    "finally { c }", "block(try(block(pipe(cmd(const'a'))) "
	    "catch'System.IO.IOException,Exception'(block(pipe(cmd("
	    "const'b')))) catch{4}(block(pipe(cmd(const'c'))))))");
	PARSE_IS("trap [System.IO.IOException] { continue }; trap { a }",
	    "block(trap'System.IO.IOException'(block(continue)) "
	    "trap(block(pipe(cmd(const'a')))))");
	PARSE_IS("trap", "error (incomplete): Missing statement block after "
	    "trap. [MissingStatementBlock]");
	PARSE_IS("Get-X a>$null 2>&1 >>'f.txt'", "block(pipe(cmd(const'Get-X' "
	    "const'a' redirect{1}(var'null') redirect{22} "
	    "redirect{11}(const'f.txt'))))");
	PARSE_IS("Get-X *> out.txt", "block(pipe(cmd(const'Get-X' "
	    "redirect(const'out.txt'))))");
	PARSE_IS("Get-X 1>&2", "error: The '1>&2' operator is reserved for "
	    "future use. [RedirectionNotSupported]");
	PARSE_IS("Get-X >", "error (incomplete): Missing file specification "
	    "after redirection operator. [MissingFileSpecification]");
	PARSE_IS("$n *= 2", "block(assign[*=](var'n' pipe(const'2')))");
	PARSE_IS("$x = ++$i", "block(assign(var'x' pipe(incdec[++]{4}("
	    "var'i'))))");
	PARSE_IS("try { a }", "error (incomplete): The Try statement is missing its Catch "
	    "or Finally block. [MissingCatchOrFinally]");
	PARSE_IS("do { a }", "error (incomplete): Missing while or until "
	    "keyword in do loop. [MissingWhileOrUntilInDoWhile]");
}

/* function, filter, param blocks, attributes, named blocks. */
static void
test_functions(void)
{
	PARSE_IS("function f($a, $b = 1, 2) { }", "error: Missing ')' in "
	    "function parameter list. "
	    "[MissingEndParenthesisInFunctionParameterList]");
	PARSE_IS("function f($a, $b = 1) { $a }", "block(function'f'("
	    "script(block(pipe(var'a')) paramblock(paramdef'a'(nil) "
	    "paramdef'b'(const'1')))))");
	PARSE_IS("filter d { $_ }", "block(function'd'{4}(script(block("
	    "pipe(var'_')))))");
	PARSE_IS("function g { [CmdletBinding()] param([Parameter("
	    "Mandatory = $true, Position = 0)] [string[]] $Name) process "
	    "{ $Name } }", "block(function'g'(script(block "
	    "paramblock(paramdef'Name'(nil attr'Parameter'(param'Mandatory'("
	    "var'true') param'Position'(const'0')) attr'string[]'{4}) "
	    "attr'CmdletBinding') nil block(pipe(var'Name')))))");
	PARSE_IS("param([ValidateSet('a', 'b')] $x)\n$x", "block(paramblock("
	    "paramdef'x'(nil attr'ValidateSet'(const'a' const'b'))) "
	    "pipe(var'x'))");
	PARSE_IS("[string]$x = 5", "block(assign(cast'string'(var'x') "
	    "pipe(const'5')))");
}

static void
test_incomplete(void)
{
	PARSE_IS("Get-SendConnector |", "error (incomplete): An empty pipe "
	    "element is not allowed. [EmptyPipeElement]");
	PARSE_IS("Get-SendConnector \"x", "error (incomplete): The string "
	    "is missing the terminator: \". [TerminatorExpectedAtEndOfString]");
	PARSE_IS("where { $_", "error (incomplete): Missing closing '}' in "
	    "statement block or type definition. [MissingEndCurlyBrace]");
	PARSE_IS("(1 + 2", "error (incomplete): Missing closing ')' in "
	    "expression. [MissingEndParenthesisInExpression]");
	TAP_CHECK(shell_check_complete("Get-SendConnector `\n") == 0 ||
	    shell_check_complete("Get-SendConnector `") == 0);
	TAP_CHECK(shell_check_complete("Get-SendConnector x") == 1);
	/* A backtick right after a word or a variable continues too. */
	TAP_CHECK(shell_check_complete("Get-SendConnector x`") == 0);
	TAP_CHECK(shell_check_complete("Get-SendConnector $x`") == 0);
	PARSE_IS("Get-X -A x`\n -B y", "block(pipe(cmd(const'Get-X' param'A' "
	    "const'x' param'B' const'y')))");
	PARSE_IS("Get-X -A $x`\n -B y", "block(pipe(cmd(const'Get-X' param'A' "
	    "var'x' param'B' const'y')))");
}

static void
test_errors(void)
{
	PARSE_IS("Get-X | | fl", "error: An empty pipe element is not "
	    "allowed. [EmptyPipeElement]");
	PARSE_IS("Get-X -Name:", "error: Parameter -Name requires an "
	    "argument. [ParameterRequiresArgument]");
	PARSE_IS("Get-X | 1", "error: Expressions are only allowed as the "
	    "first element of a pipeline. [ExpressionsMustBeFirstInPipeline]");
	PARSE_IS("1 = 2", "error: The assignment expression is not valid. "
	    "The input to an assignment operator must be an object that is "
	    "able to accept assignments, such as a variable or a property. "
	    "[InvalidLeftHandSide]");
	PARSE_IS("@{a 1}", "error: Missing '=' operator after key in hash "
	    "literal. [MissingEqualsInHashLiteral]");
}

/* lead, prefix n times, middle, suffix n times: a heap string. */
static char *
nest(const char *lead, const char *prefix, int n, const char *middle,
    const char *suffix)
{
	struct buf	b;
	int		i;

	buf_init(&b);
	buf_adds(&b, lead);
	for (i = 0; i < n; i++)
		buf_adds(&b, prefix);
	buf_adds(&b, middle);
	for (i = 0; i < n; i++)
		buf_adds(&b, suffix);
	return (buf_detach(&b));
}

/* Parses (1) or fails with ScriptTooComplicated (0); -1 otherwise. */
static int
parse_nested(const char *lead, const char *prefix, int n,
    const char *middle, const char *suffix)
{
	char	*text, *got;
	int	 r;

	text = nest(lead, prefix, n, middle, suffix);
	got = parse_dump(text);
	if (strncmp(got, "error", 5) != 0)
		r = 1;
	else if (strcmp(got, "error: Processing was stopped because the "
	    "script is too complex. [ScriptTooComplicated]") == 0)
		r = 0;
	else {
		printf("# %.200s\n", got);
		r = -1;
	}
	free(got);
	free(text);
	return (r);
}

static void
test_nesting(void)
{
	/* The tree may be SHELL_MAX_DEPTH levels high, the value included. */
	TAP_CHECK(parse_nested("", "(", SHELL_MAX_DEPTH - 1, "1", ")") == 1);
	TAP_CHECK(parse_nested("", "(", SHELL_MAX_DEPTH, "1", ")") == 0);
	TAP_CHECK(parse_nested("", "$(", SHELL_MAX_DEPTH - 1, "1", ")") == 1);
	TAP_CHECK(parse_nested("", "$(", SHELL_MAX_DEPTH, "1", ")") == 0);
	TAP_CHECK(parse_nested("", "\"$(", SHELL_MAX_DEPTH - 1, "1", ")\"") ==
	    1);
	TAP_CHECK(parse_nested("", "\"$(", SHELL_MAX_DEPTH, "1", ")\"") == 0);
	/* Every construct that nests, far past the limit. */
	TAP_CHECK(parse_nested("1 -and ", "!", 50000, "1", "") == 0);
	TAP_CHECK(parse_nested("1 -and ", "-not ", 20000, "1", "") == 0);
	TAP_CHECK(parse_nested("", "[int]", 20000, "1", "") == 0);
	TAP_CHECK(parse_nested("", "@(", 20000, "1", ")") == 0);
	TAP_CHECK(parse_nested("", "@{a=", 20000, "1", "}") == 0);
	TAP_CHECK(parse_nested("", "{", 20000, "1", "}") == 0);
	TAP_CHECK(parse_nested("", "Write-Output (", 20000, "1", ")") == 0);
	TAP_CHECK(parse_nested("", "if (", 20000, "1", ") {1}") == 0);
	TAP_CHECK(parse_nested("", "if (1) {", 20000, "1", "}") == 0);
	TAP_CHECK(parse_nested("", "foreach ($x in ", 20000, "1", ") {1}") ==
	    0);
	TAP_CHECK(parse_nested("", "$a = ", 20000, "1", "") == 0);
	TAP_CHECK(parse_nested("", "exit (", 20000, "1", ")") == 0);
	TAP_CHECK(parse_nested("", "$a[", 20000, "1", "]") == 0);
	TAP_CHECK(parse_nested("", "$a.M(", 20000, "1", ")") == 0);
	TAP_CHECK(parse_nested("", "Get-X \"$(", 5000, "1", ")\"") == 0);
	TAP_CHECK(parse_nested("", "@\"\n$(", 5000, "1", ")\n\"@") == 0);
	/* Chains are as deep as they are long. */
	TAP_CHECK(parse_nested("", "", 150, "'x'", ".Length") == 1);
	TAP_CHECK(parse_nested("", "", 100000, "'x'", ".Length") == 0);
	TAP_CHECK(parse_nested("", "", 100000, "$a", "[0]") == 0);
	TAP_CHECK(parse_nested("", "", 100000, "$a", ".M()") == 0);
	TAP_CHECK(parse_nested("", "", 100000, "1", "+1") == 0);
	TAP_CHECK(parse_nested("", "", 100000, "1", " -and 1") == 0);
	TAP_CHECK(parse_nested("", "", 150, "1", "+1") == 1);
}

/*
 * Type literals: a cast, [type]::Member(args), or [type] alone; method
 * arguments and a cast's operand end at a comma; the bitwise operators
 * rank between -and and the comparisons.
 */
static void
test_types(void)
{
	PARSE_IS("[int]'5'", "block(pipe(cast'int'(const'5')))");
	PARSE_IS("[int[]]$a", "block(pipe(cast'int[]'(var'a')))");
	PARSE_IS("[System.Collections.Generic.List[string]]::new()",
	    "block(pipe(static'System.Collections.Generic.List[string]'("
	    "const'new')))");
	PARSE_IS("[math]::Round(2.5, 1)", "block(pipe(static'math'("
	    "const'Round' const'2.5' const'1')))");
	PARSE_IS("[math]::PI", "block(pipe(static'math'(const'PI')))");
	PARSE_IS("[string]", "block(pipe(type'string'))");
	PARSE_IS("$x -is [string]", "block(pipe(binary[is](var'x' "
	    "type'string')))");
	PARSE_IS("$x -as [int] -eq 5", "block(pipe(binary[eq](binary[as]("
	    "var'x' type'int') const'5')))");
	PARSE_IS("[datetime].FullName", "block(pipe(member(type'datetime' "
	    "const'FullName')))");
	PARSE_IS("[string]1,2", "block(pipe(array(cast'string'(const'1') "
	    "const'2')))");
	PARSE_IS("$s.Split(',', 2)", "block(pipe(invoke(var's' const'Split' "
	    "const',' const'2')))");
	PARSE_IS("$s.M((1,2), 3)", "block(pipe(invoke(var's' const'M' "
	    "paren(pipe(array(const'1' const'2'))) const'3')))");
	PARSE_IS("$s.M([char]',', 2)", "block(pipe(invoke(var's' const'M' "
	    "cast'char'(const',') const'2')))");
	PARSE_IS("[void]$l.Add(1)", "block(pipe(cast'void'(invoke(var'l' "
	    "const'Add' const'1'))))");
	PARSE_IS("[int]$n = '5'", "block(assign(cast'int'(var'n') "
	    "pipe(const'5')))");
	PARSE_IS("1 -band 3 -eq 3", "block(pipe(binary[band](const'1' "
	    "binary[eq](const'3' const'3'))))");
	PARSE_IS("$a -and 1 -bor 2", "block(pipe(binary[and](var'a' "
	    "binary[bor](const'1' const'2'))))");
	PARSE_IS("-bnot 5", "block(pipe(unary[bnot](const'5')))");
	PARSE_IS("1 -shl 2 + 1", "block(pipe(binary[shl](const'1' "
	    "binary[+](const'2' const'1'))))");
	PARSE_IS("[int", "error (incomplete): Missing ] at end of type "
	    "token. [EndSquareBracketExpectedAtEndOfType]");
}

static const struct tap_case cases[] = {
	{ "commands, parameters and arrays", test_commands },
	{ "type literals, method arguments, bitwise operators",
	    test_types },
	{ "pipelines and script blocks", test_pipelines },
	{ "expressions, assignment, precedence", test_expressions },
	{ "if, foreach, exit, separators", test_statements },
	{ "loops, switch, try, labels, ++", test_flow },
	{ "functions, param blocks, attributes", test_functions },
	{ "incomplete input asks for more", test_incomplete },
	{ "syntax errors carry PowerShell's text", test_errors },
	{ "nesting past the limit is too complex, never a crash",
	    test_nesting },
};

TAP_MAIN(cases)
