/*
 * shell.h - the hubsh shell: language, runtime, binder and cmdlet table.
 *
 * Layers, in the order text flows through them:
 *   lexer.c   PowerShell tokens, mode-dependent (command vs expression)
 *   parser.c  statements, pipelines, commands and expressions -> nodes
 *   eval.c    the interpreter: variables, expressions, pipelines
 *   runtime.c the session, its error sink, what cmdlets call as they run
 *   bind.c    the table-driven parameter binder
 *   dotnet.c  the .NET types: members, casts, -is/-as (dotnet.h maps
 *             its files)
 *   cmdlet.c  the cmdlet table, aliases, lookup
 *   cmd_*.c   the cmdlets themselves (one file per noun family);
 *             builtin.c the helpers of the PowerShell built-ins, opath.c
 *             the -Filter language of the queue and message cmdlets,
 *             textfile.c the files of the file cmdlets
 *   format.c  Out-Default, Format-List, Format-Table, value text
 *   error.c   error records and the PowerShell 5.1 NormalView layout
 *   complete.c, help.c  completion and help, both read from the table
 * main.c ties them to readline and to batch input.
 */
#ifndef HUBSH_SHELL_H
#define HUBSH_SHELL_H

#include <regex.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "ctl.h"
#include "store.h"

#define SHELL_WIDTH		120	/* EMS console buffer width */
#define SHELL_ENUM_LIMIT	16	/* $FormatEnumerationLimit in EMS */

/*
 * How deep anything may nest, in the lexer ($( ) inside strings), the
 * parser (constructs inside constructs: the syntax tree's height) and
 * the evaluator (the same, plus script blocks run by script blocks).
 * Past it the lexer and parser report ScriptTooComplicated and the
 * evaluator CallDepthOverflow, PowerShell's errors for the same.
 */
#define SHELL_MAX_DEPTH		200
#define SHELL_TOO_COMPLEX	"Processing was stopped because the script " \
				"is too complex."

/*
 * Strings are C strings, so a NUL character cannot be part of one: a NUL
 * in a script and the escape `0 are refused (lexer.c, parser.c).
 */
#define SHELL_NUL_SCRIPT	"The character NUL (U+0000) is not allowed " \
				"in a hubsh script; a file saved as UTF-16 " \
				"(\"Unicode\") must be saved as UTF-8."
#define SHELL_NUL_ESCAPE	"The escape sequence `0 makes a NUL " \
				"character (U+0000), which hubsh cannot keep " \
				"in a string."

/*
 * Source text and positions.
 */
/* A $( ) inside a string, once scanned (lexer.c): where its ')' is. */
struct subexpr_end {
	size_t	start;		/* offset of the '$' */
	size_t	close;		/* offset of the closing ')' */
};

struct source {
	char	*name;		/* "line" interactively, else the script path */
	char	*text;		/* UTF-8, NUL-terminated */
	size_t	 len;
	int	 refs;
	struct subexpr_end *subexprs;	/* sorted by start */
	size_t	 nsubexprs;
};

struct extent {
	size_t	start;		/* byte offsets into source text */
	size_t	end;
};

struct source	*source_create(const char *name, const char *text, size_t len);
struct source	*source_ref(struct source *);
void		 source_free(struct source *);
/* 1-based line and column (in characters) of a byte offset. */
void		 source_position(const struct source *, size_t, int *line,
		     int *col);

/*
 * Tokens (lexer.c).
 */
enum tok_type {
	T_EOF,
	T_NEWLINE,
	T_SEMI,		/* ; */
	T_PIPE,		/* | */
	T_COMMA,	/* , */
	T_LPAREN,	/* ( */
	T_RPAREN,	/* ) */
	T_LBRACE,	/* { */
	T_RBRACE,	/* } */
	T_LBRACKET,	/* [ */
	T_RBRACKET,	/* ] */
	T_AT_PAREN,	/* @( */
	T_AT_BRACE,	/* @{ */
	T_DOLLAR_PAREN,	/* $( */
	T_PARAM,	/* -Name or -Name: (text = name, colon flag) */
	T_STRING,	/* verbatim string (text = value) */
	T_XSTRING,	/* expandable: double-quoted string or bareword */
	T_NUMBER,	/* number (num) */
	T_VARIABLE,	/* $name or ${name} (text = name) */
	T_SPLAT,	/* @name (text = name) */
	T_OPERATOR,	/* -eq, !, +, =, +=, .., etc. (op) */
	T_DOT,		/* . member access */
	T_COLONCOLON,	/* :: static member access */
	T_AMP,		/* & */
	T_ERROR,	/* lexical error (text = message) */
	T_REDIRECT	/* > >> 2> 2>&1 *> ... (text = as written) */
};

enum lex_mode {
	LEX_COMMAND,	/* argument mode: barewords, parameters */
	LEX_EXPRESSION	/* expression mode: operators, numbers */
};

/* Operators, shared by lexer, parser and evaluator. */
enum op {
	OP_NONE = 0,
	OP_ASSIGN, OP_PLUS_ASSIGN, OP_MINUS_ASSIGN,
	OP_AND, OP_OR, OP_XOR, OP_NOT, OP_BANG,
	OP_EQ, OP_NE, OP_GT, OP_GE, OP_LT, OP_LE,
	OP_LIKE, OP_NOTLIKE, OP_MATCH, OP_NOTMATCH,
	OP_CONTAINS, OP_NOTCONTAINS, OP_IN, OP_NOTIN,
	OP_REPLACE, OP_SPLIT, OP_JOIN, OP_IS, OP_ISNOT, OP_AS, OP_F,
	OP_PLUS, OP_MINUS, OP_MUL, OP_DIV, OP_MOD, OP_RANGE,
	OP_BAND, OP_BOR, OP_BXOR, OP_BNOT, OP_SHL, OP_SHR,
	OP_MUL_ASSIGN, OP_DIV_ASSIGN, OP_MOD_ASSIGN,
	OP_INC, OP_DEC		/* ++ and --, before or after a variable */
};

/* A piece of an expandable string. */
enum xpart_type {
	XP_TEXT,	/* literal text, escapes already resolved */
	XP_VAR,		/* $name: text is the name */
	XP_SUBEXPR	/* $( ... ): ext is the inside of the parens */
};

struct xpart {
	enum xpart_type	 type;
	char		*text;
	struct extent	 ext;
};

struct token {
	enum tok_type	 type;
	struct extent	 ext;
	char		*text;
	bool		 colon;		/* T_PARAM written -Name: */
	bool		 quoted;	/* T_STRING/T_XSTRING came from quotes */
	enum op		 op;
	struct value	*num;		/* T_NUMBER */
	struct xpart	*parts;		/* T_XSTRING */
	size_t		 nparts;
	bool		 space_before;	/* whitespace preceded the token */
};

struct lexer {
	struct source	*src;
	size_t		 pos;
	size_t		 end;		/* lexing stops here */
	bool		 incomplete;	/* error was premature end of input */
	int		 depth;		/* $( ) strings being scanned */
	bool		 too_deep;	/* error was SHELL_MAX_DEPTH */
};

void	lexer_init(struct lexer *, struct source *, size_t start,
	    size_t end);
/* Scan the next token in the given mode; caller frees with token_clear. */
void	lexer_next(struct lexer *, enum lex_mode, struct token *);
void	token_clear(struct token *);
bool	lex_is_dash(uint32_t);
bool	lex_is_squote(uint32_t);
bool	lex_is_dquote(uint32_t);
bool	lex_is_space(uint32_t);
const char *op_name(enum op);

/*
 * Syntax tree (parser.c).  Nodes are generic: a type, an extent, kids and
 * a few payload fields.
 */
enum node_type {
	N_BLOCK,	/* statements (kids) */
	N_PIPELINE,	/* kids: commands or one leading expression */
	N_COMMAND,	/* kids[0] name expression, rest: N_PARAM/args */
	N_PARAM,	/* str = name as typed; kids[0] = colon argument */
	N_ASSIGN,	/* op; kids[0] target, kids[1] value statement */
	N_IF,		/* kids: cond, block, [cond, block]..., [else block] */
	N_FOREACH,	/* str = variable; kids: collection, body */
	N_EXIT,		/* kids[0] optional expression */
	N_THROW,	/* kids[0] optional expression */
	N_CONST,	/* val */
	N_XSTRING,	/* parts */
	N_VAR,		/* str = name */
	N_SPLAT,	/* str = name */
	N_ARRAY,	/* comma list: kids */
	N_ARRAY_SUB,	/* @( block ): kids[0] */
	N_HASH,		/* kids: key, value, key, value ... */
	N_SCRIPT,	/* kids[0] block; str = text between braces */
	N_PAREN,	/* ( pipeline ): kids[0] */
	N_SUBEXPR,	/* $( block ): kids[0] */
	N_MEMBER,	/* kids[0] object, kids[1] name expression */
	N_STATIC,	/* str = type name, kids[0] member name */
	N_INVOKE,	/* kids[0] object, kids[1] name, rest args */
	N_INDEX,	/* kids[0] object, kids[1] index */
	N_UNARY,	/* op, kids[0] */
	N_BINARY,	/* op, kids[0], kids[1]; flags: NF_CASE */
	N_CAST,		/* str = type name, kids[0] */
	N_WHILE,	/* kids: condition, body */
	N_DO,		/* kids: body, condition; NF_UNTIL */
	N_FOR,		/* kids: init, condition, step (each
			   may be NULL), body */
	N_SWITCH,	/* flags SW_*; kids: value, then pairs
			   of clause condition (NULL: default) and body */
	N_BREAK,	/* str = label or NULL */
	N_CONTINUE,	/* str = label or NULL */
	N_TRY,		/* kids: body, then N_CATCH clauses */
	N_CATCH,	/* str = "Type,Type" or NULL; kids[0] body;
			   NF_FINALLY for the finally block */
	N_FUNCTION,	/* str = name; kids[0] N_SCRIPT; NF_FILTER */
	N_PARAMBLOCK,	/* kids: N_ATTR of the block, N_PARAMDEF */
	N_PARAMDEF,	/* str = variable; kids[0] default (or NULL),
			   then N_ATTR */
	N_ATTR,		/* str = name; NF_TYPE for a type constraint;
			   kids: positional arguments and N_PARAM named
			   ones (kids[0] value, none for a bare name) */
	N_INCDEC,	/* op OP_INC/OP_DEC; kids[0] target; NF_PREFIX */
	N_REDIRECT,	/* flags RD_*; kids[0] target (none for a merge) */
	N_TYPE,		/* str = type name: [type] alone, a type object */
	N_TRAP		/* str = type or NULL; kids[0] block */
};

/* N_REDIRECT: the stream (RD_ALL for *), appending, a merge (2>&1). */
#define RD_STREAM	0x0f
#define RD_ALL		0
#define RD_OUTPUT	1
#define RD_ERROR	2
#define RD_WARNING	3
#define RD_VERBOSE	4
#define RD_APPEND	0x10
#define RD_MERGE	0x20

/*
 * N_SCRIPT: kids[0] the end (or only) block, kids[1] the param block,
 * kids[2] begin, kids[3] process; the last three may be NULL.
 */
#define SCRIPT_END	0
#define SCRIPT_PARAMS	1
#define SCRIPT_BEGIN	2
#define SCRIPT_PROCESS	3

#define NF_CASE		0x1	/* case-sensitive operator (-ceq) */
#define NF_IGNORE	0x2	/* explicitly insensitive (-ieq) */
#define NF_UNTIL	0x4	/* do { } until () */
#define NF_FINALLY	0x4	/* N_CATCH: the finally block */
#define NF_FILTER	0x4	/* N_FUNCTION: filter, body is process */
#define NF_TYPE		0x4	/* N_ATTR: [type] constraint */
#define NF_PREFIX	0x4	/* N_INCDEC: ++$i */
#define SW_REGEX	0x10	/* switch -Regex */
#define SW_WILDCARD	0x20	/* switch -Wildcard */
#define SW_CASE		0x40	/* switch -CaseSensitive */
#define SW_FILE		0x80	/* switch -File: value is a path */
#define NF_CALL		0x4	/* N_STATIC [type]::Name(args): kids[1..] */

struct node {
	enum node_type	 type;
	struct extent	 ext;
	struct node	**kids;
	size_t		 nkids;
	char		*str;
	struct value	*val;
	struct xpart	*parts;
	size_t		 nparts;
	enum op		 op;
	int		 flags;
	int		 depth;		/* levels at and below, blocks and
					   pipelines not counted */
	char		*label;		/* a loop's or switch's :label */
};

struct parse_error {
	char		*message;
	char		*id;		/* FullyQualifiedErrorId */
	struct extent	 ext;
	bool		 incomplete;	/* more input could complete it */
};

/* Parse src[start..end); NULL with *err filled on a syntax error. */
struct node	*parse_script(struct source *, size_t start, size_t end,
		     struct parse_error *);
void		 parse_error_clear(struct parse_error *);
void		 node_free(struct node *);

/*
 * Values (value.c).  Reference counted; strings and most values are
 * immutable once built.
 */
enum vtype {
	V_NULL,
	V_BOOL,
	V_INT,
	V_DOUBLE,
	V_STRING,
	V_ARRAY,
	V_HASH,
	V_SCRIPT,
	V_OBJECT,
	V_SECURE,	/* SecureString; text kept in memory only */
	V_DATE,		/* microseconds since the epoch, UTC */
	V_FORMAT,	/* rendered formatter output, printed verbatim */
	V_TIMESPAN,	/* System.TimeSpan: ticks of 100 ns */
	V_CHAR		/* System.Char: one code point */
};

/*
 * What a V_ARRAY is in .NET terms (dotnet.c).  Object[] and T[] are
 * built once and never change after they are shared, like every value.
 * ArrayList and List[T] are the exception: a script makes one, keeps it
 * in a variable and Add()s to it, and every reference sees the change,
 * as in .NET.  They are the same struct value, changed in place by
 * dotnet.c alone; sharing stays reference counting, and a list that
 * holds itself (directly) is refused, so no cycle can keep one alive.
 */
enum arr_kind {
	ARR_OBJECT,	/* System.Object[] */
	ARR_TYPED,	/* T[]: elem is T */
	ARR_ARRAYLIST,	/* System.Collections.ArrayList */
	ARR_LIST,	/* System.Collections.Generic.List[T]: elem is T */
	ARR_COLLECTION	/* a read-only .NET collection: elem is its type */
};

struct dn_type;

struct hash_entry {
	struct value	*key;
	struct value	*val;
};

struct prop {
	const char	*name;
	struct value	*val;
	bool		 const_name;	/* name is a constant, not freed */
};

struct view;

struct object {
	char			*type_name;
	const struct view	*view;		/* default shapes, or NULL */
	struct prop		*props;
	size_t			 nprops;
	size_t			 propcap;	/* allocated props */
	char			*text;		/* ToString(), or NULL */
	char			*key;		/* hidden identity (a guid) */
	struct errrec		*err;		/* an ErrorRecord's error */
	bool			 clr;		/* type_name is what GetType()
						   says (an ErrorRecord, an
						   exception), not a PSObject's */
};

struct value {
	enum vtype	type;
	int		refs;
	union {
		bool	b;
		int64_t	i;
		double	d;
		char	*s;		/* V_STRING, V_SECURE */
		struct {
			char	*text;	/* what Out-Default prints */
			int	 entries; /* objects formatted, or -1 */
		} fmt;			/* V_FORMAT */
		int64_t	date;
		int64_t	ticks;		/* V_TIMESPAN */
		uint32_t c;		/* V_CHAR */
		struct {
			struct value	**v;
			size_t		  n;
			size_t		  cap;
			enum arr_kind	  kind;
			const struct dn_type *elem;
		} arr;
		struct {
			struct hash_entry *e;
			size_t		   n;
			bool		   ordered;	/* [ordered] */
		} hash;
		struct {
			struct node	*body;	/* N_SCRIPT node (shared) */
			struct source	*src;
		} script;
		struct object	*obj;
	} u;
};

struct value	*value_null(void);
struct value	*value_bool(bool);
struct value	*value_int(int64_t);
struct value	*value_double(double);
struct value	*value_string(const char *);
struct value	*value_string_take(char *);
struct value	*value_secure(const char *);
struct value	*value_date(int64_t usec);
struct value	*value_timespan(int64_t ticks);
struct value	*value_char(uint32_t);
/*
 * Format-List's or Format-Table's output: the rendered text (taken), and
 * the number of objects it formats, for ToString (the format objects'
 * type names PowerShell's Set-Content writes); -1 when it is text only.
 */
struct value	*value_format(char *, int entries);
struct value	*value_array(void);
void		 value_array_push(struct value *, struct value *);
struct value	*value_hash(void);
void		 value_hash_set(struct value *, struct value *key,
		     struct value *val);
struct value	*value_hash_get(const struct value *, const char *key);
struct value	*value_script(struct node *, struct source *);
struct value	*value_object(const char *type_name, const struct view *);
void		 object_add(struct value *, const char *name, struct value *);
/* object_add for a name that lives as long as the program: not copied. */
void		 object_add_const(struct value *, const char *name,
		     struct value *);
/* Make room for n properties in all, before adding many. */
void		 object_reserve(struct value *, size_t n);
struct value	*object_get(const struct value *, const char *name);
struct value	*value_ref(struct value *);
void		 value_unref(struct value *);
/* Flatten: an array's elements, else the value itself (not null). */
size_t		 value_count(const struct value *);
struct value	*value_item(const struct value *, size_t);
bool		 value_truthy(const struct value *);
/* PowerShell's ToString of a scalar ($OFS-joined for arrays). */
char		*value_to_string(const struct value *);
const char	*value_type_name(const struct value *);
/* Numeric conversion; false when the value is not a number. */
bool		 value_to_number(const struct value *, double *, int64_t *,
		     bool *is_int);
struct value	*value_copy_shallow(const struct value *);
/* An output array as $null, its only item, or itself (takes out). */
struct value	*value_collapse(struct value *out);
/*
 * PowerShell's scalar comparison: the right operand is converted to the
 * left one's kind.  <0, 0, >0; *ok false when they cannot be ordered.
 */
int		 value_compare(struct value *, struct value *, bool cs,
		     bool *ok);

/*
 * Errors (error.c).
 */
enum err_kind {
	ERR_NONTERMINATING,	/* WriteError: the command goes on */
	ERR_STATEMENT,		/* the statement stops, the script goes on */
	ERR_SCRIPT		/* the script stops (-ErrorAction Stop, throw) */
};

struct errrec {
	enum err_kind	 kind;
	char		*message;
	char		*category;	/* "NotSpecified", "InvalidArgument" */
	char		*reason;	/* exception type, short */
	char		*activity;	/* cmdlet name for CategoryInfo */
	char		*target;	/* TargetName, may be NULL */
	char		*target_type;
	char		*fqid;		/* FullyQualifiedErrorId */
	char		*invocation;	/* name as typed, "" for none */
	struct source	*src;		/* for the position message */
	struct extent	 ext;
	bool		 has_position;
	bool		 parse_error;
	bool		 details;	/* message is ErrorDetails': no line
					   of one space after the record */
};

struct errrec	*errrec_create(const char *message);
/* Replace a string field of an error record, taking the new string. */
static inline void
errrec_set(char **field, char *s)
{
	free(*field);
	*field = s;
}
struct errrec	*errrec_vcreate(enum err_kind, const char *category,
		     const char *reason, char *fqid, struct source *,
		     struct extent, const char *fmt, va_list)
		     __attribute__((format(printf, 7, 0)));
void		 errrec_free(struct errrec *);
struct errrec	*errrec_dup(const struct errrec *);
struct parse_error;
struct errrec	*errrec_parse(const struct parse_error *, struct source *,
		     enum err_kind);
/* $_ in a catch block: the ErrorRecord object of an error. */
struct value	*errrec_value(const struct errrec *);
/* Is the error's exception of this .NET type (or derived from it)? */
bool		 errrec_is_a(const struct errrec *, const char *type);
/*
 * For -is and -as: whether v is of type when type names an ErrorRecord
 * or an exception hubsh's errors carry (System.Exception, [IOException],
 * ...); -1 when type names neither.
 */
int		 errrec_type_match(const struct value *v, const char *type);
/* Render in Windows PowerShell 5.1 NormalView layout. */
char		*errrec_render(const struct errrec *, int width);
char		*position_message(const struct source *, struct extent);

/*
 * Cmdlet table (cmdlet.c) and binder (bind.c).
 */
enum ptype {
	PT_STRING,
	PT_BOOL,
	PT_SWITCH,
	PT_INT,
	PT_ENUM,		/* one of choices */
	PT_FLAGS,		/* comma-joined choices */
	PT_SIZE,		/* Unlimited<ByteQuantifiedSize> */
	PT_TIMESPAN,
	PT_ADDRSPACE,		/* AddressSpace (list) */
	PT_SMARTHOST,		/* SmartHost (list) */
	PT_SERVER,		/* server identity (list) */
	PT_FQDN,
	PT_IP,
	PT_TLSDOMAIN,
	PT_X509,
	PT_CREDENTIAL,
	PT_IDENTITY,		/* connector identity */
	PT_OBJECT,		/* any value, unconverted */
	PT_SCRIPT,		/* script block */
	PT_ACTIONPREF,		/* ActionPreference */
	PT_STRINGS,		/* string[] */
	PT_DATETIME,		/* DateTime: a date, or text as local time */
	PT_UNLIMITED,		/* Unlimited<int>: "Unlimited" or min..max */
	PT_LOCALPATH,		/* LocalLongFullPath: an absolute path */
	PT_BYTES,		/* ByteQuantifiedSize: PT_SIZE, no Unlimited */
	PT_GUID			/* Guid */
};

#define P_MANDATORY	0x001
#define P_POSITIONAL	0x002
#define P_PIPELINE	0x004	/* ValueFromPipeline */
#define P_BYNAME	0x008	/* ValueFromPipelineByPropertyName */
#define P_MULTI		0x010	/* multi-valued; accepts @{Add;Remove}
				   (PT_IP: a MultiValuedProperty of them) */
#define P_COMMON	0x020	/* common parameter (not declared) */
#define P_LEGACY	0x040	/* Exchange 2010 only: clear error */
#define P_SECRET	0x080	/* never echoed */
#define P_NOTAB		0x100	/* hidden from completion and help */
#define P_REMAINING	0x200	/* ValueFromRemainingArguments */
#define P_NULLABLE	0x400	/* $null is a value (PT_UNLIMITED) */

/*
 * One value of an enumeration: its name, and the code the cmdlet keeps
 * for it (0 where the name is all it needs).  Lists end with a NULL name.
 */
struct choice {
	const char	*name;
	int		 code;
};

struct param_entry {
	const char		*name;
	const char		*alias;		/* one alias or NULL */
	enum ptype		 type;
	int			 flags;
	int			 position;	/* with P_POSITIONAL */
	const struct choice	*choices;	/* PT_ENUM, PT_FLAGS */
	int64_t			 min;
	int64_t			 max;
	const char		*type_name;	/* .NET type, if not its ptype's */
	const char		*help;
	size_t			 member;	/* PT_BOOL: offsetof the object's
						   bool it sets as given, or 0 */
	unsigned		 sets;		/* parameter sets it is in, one
						   bit each; 0: every set */
};

/* A row of a table in the order above (no member), and the last row. */
#define PARAM(n, a, t, f, pos, ch, lo, hi, tn, h) \
	{ .name = (n), .alias = (a), .type = (t), .flags = (f), \
	  .position = (pos), .choices = (ch), .min = (lo), .max = (hi), \
	  .type_name = (tn), .help = (h) }
#define PARAM_END	{ .name = NULL }

/*
 * What each enum ptype means (bind.c, ptype_table[] indexed by ptype):
 * the .NET type messages and help name for a parameter that gives none
 * of its own, and the converter the binder applies.
 */
struct ptype_entry {
	const char	*type_name;
	int		(*convert)(const struct param_entry *, struct value *,
			    struct value **, char **);
};

extern const struct ptype_entry	ptype_table[];

struct cmd_ctx;

#define C_SHOULDPROCESS	0x01	/* has -WhatIf and -Confirm */
#define C_CONFIRM	0x02	/* asks for confirmation by default */
#define C_EXCHANGE	0x04	/* Exchange cmdlet: -DomainController */
#define C_NOINPUT	0x08	/* pipeline input is an error */
#define C_LOWIMPACT	0x10	/* ConfirmImpact Low (default Medium) */

struct cmdlet_entry {
	const char		*name;
	const char		*synopsis;
	const struct param_entry *params;
	int			 flags;
	const char		*class_name;	/* .NET class for the FQID */
	int			(*exec)(struct cmd_ctx *);
	const char		*description;
	/*
	 * Parameter sets, when the cmdlet has several: their names (bit i
	 * of param_entry.sets is set_names[i]) and the set chosen when the
	 * arguments leave more than one possible (a bit; 0: none).
	 */
	const char *const	*set_names;
	unsigned		 default_set;
};

struct alias_entry {
	const char	*alias;
	const char	*name;
};

extern const struct cmdlet_entry	*cmdlet_table[];
extern const struct alias_entry		 alias_table[];
extern const struct param_entry		 common_params[];
extern const struct param_entry		 shouldprocess_params[];

const struct cmdlet_entry *cmdlet_find(const char *name);
const char	*alias_resolve(const char *);

/*
 * Bound arguments of one command invocation: one slot per parameter the
 * cmdlet takes (declared first, then the common ones), the three arrays
 * allocated with the structure.
 */
struct bound {
	const struct cmdlet_entry *entry;
	const struct param_entry **p;		/* all params, declared first */
	size_t			 np;
	struct value		**v;		/* NULL: not given */
	struct extent		*ext;
	unsigned		 sets;		/* the sets still possible */
};

struct bound	*bound_create(const struct cmdlet_entry *);
void		 bound_free(struct bound *);
/*
 * Index of a parameter by exact name, or -1 when it is not bound here
 * (-WhatIf of a cmdlet without ShouldProcess).  bound_index and the
 * three below abort with an internal error on a name the cmdlet does
 * not declare and no common or ShouldProcess parameter has: a misspelt
 * lookup is a bug, never a silent NULL (tests/shell/params.sh finds
 * them without running the cmdlets).
 */
int		 bound_index(const struct bound *, const char *);
struct value	*bound_get(const struct bound *, const char *);
bool		 bound_has(const struct bound *, const char *);
bool		 bound_switch(const struct bound *, const char *);
/*
 * bound_get for code that several cmdlets share: NULL also when this
 * cmdlet does not declare the name, which must be a parameter of some
 * cmdlet (Get-Message's -IncludeRecipientInfo, asked by every queue
 * query); it aborts on a name no cmdlet has.
 */
struct value	*bound_get_opt(const struct bound *, const char *);
/*
 * The code of an enumeration parameter's value: cur when it was not
 * given, dflt for $null or a name not in its choices, for PT_FLAGS the
 * codes of all its names or-ed.
 */
int		 bound_code(const struct bound *, const char *, int cur,
		     int dflt);
/*
 * The parameter set the arguments chose: its name, the first of several
 * still possible, or __AllParameterSets for a cmdlet with one set.
 */
const char	*bound_set_name(const struct bound *);

/*
 * The session and the cmdlet runtime (runtime.c), the interpreter
 * (eval.c).
 */
struct var {
	char		*name;
	struct value	*val;
};

/*
 * A function (function.c): a script block with a name, or a script file
 * called as a command.  Its param block becomes a parameter table for
 * the binder on the first call (entry, params).
 */
struct func {
	char			*name;
	struct value		*script;	/* N_SCRIPT value, or NULL */
	struct node		*file_block;	/* a script file's statements */
	char			*file;		/* its full path */
	struct source		*src;
	struct node		*param_node;	/* N_PARAMBLOCK or NULL */
	bool			 filter;
	bool			 broken;	/* a script that did not parse */
	bool			 compiled;
	bool			 advanced;	/* CmdletBinding or Parameter */
	struct cmdlet_entry	*entry;
	struct param_entry	*params;
	char			**set_names;	/* ParameterSetName values */
};

/*
 * Scopes (scope.c), as PowerShell's: the global scope, a script scope
 * for each script file run, a local scope for each function or script
 * block called with &.  A name is looked up from the current scope
 * outwards; an assignment makes or changes it in the current scope
 * unless qualified ($script:, $global:).
 */
struct scope {
	struct var	*vars;
	size_t		 nvars;
	struct func	**funcs;
	size_t		 nfuncs;
	struct scope	*parent;
	bool		 is_script;
};

/*
 * How statements are being left: normally, or unwinding to the loop a
 * break or continue names, to the function a return leaves, to the try
 * that catches a terminating error (FLOW_THROW, the error in thrown),
 * or to the top (FLOW_STOP: the script stops).
 */
enum flow {
	FLOW_NONE,
	FLOW_BREAK,
	FLOW_CONTINUE,
	FLOW_RETURN,
	FLOW_THROW,
	FLOW_STOP
};

/*
 * Where a stream goes while a command with redirections runs (eval.c):
 * the terminal, nowhere (2>$null), the command's output (2>&1), or a
 * file (2> errors.txt, appended to).
 */
enum stream_dest {
	STREAM_HOST,
	STREAM_DROP,
	STREAM_OUTPUT,
	STREAM_FILE
};

struct stream_to {
	enum stream_dest	 to;
	char			*path;
};

struct streams {
	struct stream_to	 error;
	struct stream_to	 warning;
	struct stream_to	 verbose;
	struct stream_to	 information;	/* Write-Host */
	struct value		*merge_into;	/* STREAM_OUTPUT's array */
};

enum action_pref {
	AP_SILENTLY_CONTINUE,
	AP_STOP,
	AP_CONTINUE,
	AP_INQUIRE,
	AP_IGNORE
};

struct shell {
	struct store	*store;
	char		*store_path;
	char		*key_file;	/* --key-file, or NULL */
	char		*server_name;
	char		*store_cause;	/* why the store could not open */
	char		*control_path;	/* hubd's control socket */
	const char	*state_dir;	/* hubd's state directory (not owned) */

	struct scope	*global;
	struct scope	*scope;		/* current */

	enum flow	 flow;
	char		*flow_label;	/* break/continue label, or NULL */
	struct errrec	*thrown;	/* FLOW_THROW: the error to catch */
	int		 try_depth;	/* try blocks being run */
	char		**script_args;	/* -File arguments for param() */
	size_t		 nscript_args;

	bool		 interactive;	/* reading from a terminal */
	bool		 can_prompt;	/* may ask for mandatory values */
	int		 width;
	FILE		*out;
	FILE		*err;

	bool		 any_error;	/* a command failed: exit non-zero */
	bool		 last_ok;	/* $? */
	bool		 exiting;
	int		 exit_code;
	int		 pipeline_depth;
	int		 depth;		/* nodes being evaluated (eval.c) */
	struct value	*under;		/* $_ (not a reference of its own) */
	struct fmt_stream *fmt;		/* Out-Default's shape (format.c) */
	struct cmdlet_frame *cmdlet;	/* innermost advanced function */
	/*
	 * The arrays whose output goes on to Out-Default, outermost first
	 * (a statement's, its last command's, that command's last
	 * command's...): shell_flush prints them in that order.
	 */
	struct value	**live;
	size_t		 nlive;
	struct streams	 streams;	/* redirections in force */

	struct node	**trees;	/* parsed input, kept for script blocks */
	struct source	**tree_src;
	size_t		 ntrees;

	/* Reads one line for prompts; NULL at end of input. */
	char		*(*read_line)(struct shell *, const char *prompt,
			    bool secret);
};

/* Execution status of a statement. */
enum exec_status {
	EXEC_OK,
	EXEC_FAILED,	/* errors written; go on */
	EXEC_STOP	/* script-terminating: unwind */
};

/* runtime.c */
struct shell	*shell_create(void);
void		 shell_free(struct shell *);
/* Open the store lazily; -1 with an error written when it cannot. */
int		 shell_store(struct shell *, struct store **);
/* Print an error (unless silenced), keep it in $Error; frees it. */
void		 shell_report(struct shell *, struct errrec *);
/* Only print it (or send it where 2> says): it is in $Error already. */
void		 shell_error_print(struct shell *, struct errrec *);
enum action_pref shell_pref_parse(const char *);
/* Push and pop an array of output bound for Out-Default (sh->live). */
void		 shell_live_push(struct shell *, struct value *);
void		 shell_live_pop(struct shell *);
/* Is confirmation asked by default ($ConfirmPreference, the impact)? */
bool		 shell_confirm(struct shell *, const struct cmdlet_entry *);
/* The ActionPreference a preference variable holds. */
enum action_pref shell_pref(struct shell *, const char *var);

struct bind_call;

/* eval.c */
/* Run a whole script (parse, then execute statement by statement). */
enum exec_status shell_run(struct shell *, struct source *);
/* Parse only: 1 complete, 0 incomplete (needs more lines), -1 error. */
int		 shell_check_complete(const char *text);
/* Run a script block with $_ bound; its output as one value (caller
 * unrefs): $null, a scalar, or an array for several outputs. */
struct value	*shell_eval_script(struct shell *, struct value *script,
		     struct value *dollar_under);
/* Run a block of a kept tree in the current scope (function.c). */
void		 shell_run_block(struct shell *, struct source *, struct node *,
		     struct value *);
/* Evaluate one expression node of a kept tree in the current scope. */
struct value	*shell_eval_node(struct shell *, struct source *,
		     struct node *);
/* Keep a parsed tree alive for the session: script blocks point into it. */
void		 shell_keep_tree(struct shell *, struct node *,
		     struct source *);
struct streams	 streams_copy(const struct streams *);
void		 streams_free(struct streams *);
/*
 * Text written to a stream: false when a redirection took it (dropped,
 * or written to its file); true when it is for the terminal.
 */
bool		 shell_stream_text(struct shell *, struct stream_to *,
		     const char *);
/* Write (or append) text to a file; -1 with *cause. */
int		 shell_write_file(const char *, const char *, bool append,
		     char **cause);
/* Print formatted text (taken) on the output now. */
void		 shell_print_text(struct shell *, char *);
/* Write the table rows Out-Default holds (before other output). */
void		 shell_flush(struct shell *);
/* Ctrl-C at an interactive session while a command runs (main.c). */
extern volatile sig_atomic_t shell_interrupted;
/* Unwind quietly if Ctrl-C was pressed; true when it was. */
bool		 shell_check_interrupt(struct shell *);
/* Unwind to the top: a script-terminating error (no-op if unwinding). */
void		 shell_stop(struct shell *);
/* A whole file, at most SHELL_FILE_MAX bytes, a UTF-8 BOM dropped. */
#define SHELL_FILE_MAX	(64 * 1024 * 1024)
char		*shell_read_file(const char *, size_t *, char **cause);

/* scope.c */
void		 scope_init(struct shell *);
void		 scope_push(struct shell *, bool is_script);
void		 scope_pop(struct shell *);
void		 scope_free_all(struct shell *);
struct value	*shell_getvar(struct shell *, const char *);
void		 shell_setvar(struct shell *, const char *, struct value *);
bool		 shell_unsetvar(struct shell *, const char *);
void		 shell_each_var(struct shell *, void (*)(const char *, void *),
		     void *);
struct func	*shell_getfunc(struct shell *, const char *);
void		 shell_setfunc(struct shell *, const char *, struct func *);

/* function.c */
struct func	*func_create(struct value *script, struct node *params,
		     bool filter);
void		 func_free(struct func *);
int		 func_call(struct shell *, struct func *,
		     const struct bind_call *, struct value **input,
		     size_t ninput, struct value *out, bool new_scope);
int		 func_bind_script(struct shell *, struct source *,
		     struct node *);
struct func	*func_script_file(struct shell *, const char *);
bool		 func_script_exists(const char *);
/*
 * $PSCmdlet's methods (ShouldProcess, ...), called on obj by eval.c's
 * method call n: true when obj is $PSCmdlet, with the result in *out.
 */
#define PSCMDLET_TYPE	"System.Management.Automation.PSScriptCmdlet"
bool		 func_cmdlet_invoke(struct shell *, struct source *,
		     struct node *n, struct value *obj, const char *method,
		     struct value **args, size_t nargs, struct value **out);
/* $MyInvocation: name, script path (or NULL), name as called, args. */
struct value	*func_invocation(const char *, const char *, const char *,
		     struct value *, struct value *);
void		 shell_print_value(struct shell *, struct value *);

/* Context handed to a cmdlet's exec function. */
struct cmd_ctx {
	struct shell			*sh;
	const struct cmdlet_entry	*entry;
	const char			*invocation;	/* as typed */
	struct node			*node;		/* N_COMMAND */
	struct source			*src;
	struct bound			*args;
	struct value			**input;	/* pipeline input */
	size_t				 ninput;
	bool				 piped;		/* not first in pipeline */
	struct value			*out;		/* V_ARRAY */
	enum action_pref		 ea;
	bool				 whatif;
	bool				 confirm;	/* prompt before acting */
	bool				 verbose;
	bool				 failed;
	bool				 stop;		/* script-terminating */
	bool				 yes_to_all;
	bool				 no_to_all;
	/*
	 * The server that cmd_ctl asks (cmd_ctl_target): NULL for the
	 * local hubd on control_path, else another server's registered
	 * name, "tls:" endpoint and FQDN.  Cleared after the command.
	 */
	char				*ctl_name;
	char				*ctl_endpoint;
	char				*ctl_fqdn;
};

/* runtime.c */
void	cmd_emit(struct cmd_ctx *, struct value *);
/* Write an error; kind may be raised to ERR_SCRIPT by -ErrorAction Stop. */
void	cmd_error(struct cmd_ctx *, enum err_kind, const char *category,
	    const char *reason, const char *fqid_base, const char *fmt, ...)
	    __attribute__((format(printf, 6, 7)));
/* cmd_error with a TargetObject: CategoryInfo shows (target:String). */
void	cmd_error_target(struct cmd_ctx *, enum err_kind, const char *category,
	    const char *reason, const char *fqid_base, const char *target,
	    const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* The record cmd_error writes, for a cmdlet to add to before cmd_report. */
struct errrec *cmd_errrec(struct cmd_ctx *, enum err_kind,
	    const char *category, const char *reason, const char *fqid_base,
	    const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Write an error record the cmdlet built, as -ErrorAction says; frees it. */
void	cmd_report(struct cmd_ctx *, struct errrec *);
void	cmd_warning(struct cmd_ctx *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	cmd_verbose(struct cmd_ctx *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * Ask hubd over the control channel (common/ctl.h): result records go to
 * fn.  0 when hubd said ok; -1 after writing the error (hubd not running,
 * access denied, or hubd's refusal with its category and message).
 */
/* Ask another server's hubd from now on (name NULL: the local one). */
void	cmd_ctl_target(struct cmd_ctx *, const char *name,
	    const char *endpoint, const char *fqdn);
int	cmd_ctl(struct cmd_ctx *, const struct ctl_rec *req, ctl_result_fn fn,
	    void *arg);
/* ShouldProcess: true to go ahead (prints What if / asks to confirm). */
bool	cmd_should_process(struct cmd_ctx *, const char *description);
/*
 * eval.c: run a script block with $_ set; result array (caller unrefs).
 * With output, what it writes is the command's output (ForEach-Object's):
 * bound for Out-Default, it is printed as it comes (shell_flush).
 */
struct value *cmd_invoke_script(struct cmd_ctx *, struct value *script,
	    struct value *dollar_under, bool output, bool *failed);

/* bind.c */
/* One command-line element, as the evaluator parsed and evaluated it. */
struct bind_arg {
	const char	*name;		/* -Name, or NULL: positional */
	bool		 colon;		/* -Name:value, one element */
	struct value	*v;		/* NULL: -Name with nothing after */
	struct extent	 ext;		/* for the error's position */
};

/* A command to bind: the cmdlet, where it was typed, its elements. */
struct bind_call {
	const struct cmdlet_entry *entry;
	const char		*invocation;	/* the name as typed */
	struct node		*cmd;		/* N_COMMAND */
	struct source		*src;
	const struct bind_arg	*args;
	size_t			 nargs;
	bool			 pipeline_input; /* input will come */
};

/*
 * Bind a command's elements to its cmdlet's parameters.  Returns NULL
 * after writing the binding error to the shell (*st says how bad).
 */
struct bound	*bind_command(struct shell *, const struct bind_call *,
		     enum exec_status *st);
/*
 * Is typed one of a parameter's aliases, or with !exact the start of one?
 * An alias may be a list: "First, Head".
 */
bool		 param_alias_match(const struct param_entry *, const char *,
		     bool exact);
/* A parameter's .NET type: its own type_name, else its ptype's. */
const char	*param_type_name(const struct param_entry *);
/* Convert a value for a parameter; -1 with *cause (the full message). */
int		 bind_convert(const struct param_entry *, struct value *,
		     struct value **out, char **cause);
/*
 * A DateTime typed as text, read as local time in the forms the EMS
 * takes (dotnet_date_parse): 2012-07-09, 2012-07-09 14:00[:05],
 * 2012-07-09T14:00:05, 7/9/2012, 07/09/2012 14:00, 7/9/2012 2:00 PM.
 * Microseconds since the epoch; -1 when it is none of these.
 */
int		 bind_date_parse(const char *, int64_t *usec);
/* Unique-prefix match over a choice list: its index, or -1 with cause. */
int		 choice_match(const struct choice *, const char *,
		     char **cause, const char *type_name);
/* The name of the choice with code, or NULL. */
const char	*choice_name(const struct choice *, int code);

/*
 * Formatting (format.c).
 */
enum view_shape {
	SHAPE_TABLE,
	SHAPE_LIST
};

struct view {
	const char	*type_name;
	enum view_shape	 shape;
	const char	*const *table;	/* default table columns */
	const char	*const *list;	/* curated Format-List properties */
};

char	*format_list(struct shell *, struct value **, size_t,
	    struct value *props);
char	*format_table(struct shell *, struct value **, size_t,
	    struct value *props, bool autosize, bool hide_headers);
/* Out-Default: text for a run of pipeline output. */
char	*format_default(struct shell *, struct value **, size_t);
/* Out-Default across the statements of a script (see format.c). */
char	*format_stream(struct shell *, struct value **, size_t);
char	*format_stream_flush(struct shell *);
char	*format_stream_end(struct shell *);
/* The text a value shows in a list or table cell. */
char	*format_cell(const struct value *);
/* A PSCustomObject, shown as "@{Name=value; ...}" in a cell. */
bool	 format_is_custom(const struct value *);
/* Word-wrap text to width cells (5.1 rules); each line ends in LF. */
char	*format_wrap(const char *, int width);

/* Wildcard match, PowerShell -like rules, case-insensitive unless cs. */
bool	wildcard_match(const char *pattern, const char *s, bool cs);
bool	has_wildcard(const char *);
int	strcasecmp_utf8(const char *, const char *);

/* cmd_sendconnector.c */
extern const struct cmdlet_entry cmd_new_sendconnector_entry;
extern const struct cmdlet_entry cmd_set_sendconnector_entry;
extern const struct cmdlet_entry cmd_get_sendconnector_entry;
extern const struct cmdlet_entry cmd_remove_sendconnector_entry;
/* Build the shell object of a connector. */
struct value	*sendconnector_object(const struct send_connector *);
/* The session's RunspaceId, shown on every Exchange object. */
const char	*shell_runspace_id(void);

/* cmd_queue.c */
extern const struct cmdlet_entry cmd_get_queue_entry;
extern const struct cmdlet_entry cmd_retry_queue_entry;
extern const struct cmdlet_entry cmd_suspend_queue_entry;
extern const struct cmdlet_entry cmd_resume_queue_entry;

/* cmd_queuedigest.c */
extern const struct cmdlet_entry cmd_get_queuedigest_entry;

/* cmd_message.c */
extern const struct cmdlet_entry cmd_get_message_entry;
extern const struct cmdlet_entry cmd_suspend_message_entry;
extern const struct cmdlet_entry cmd_resume_message_entry;
extern const struct cmdlet_entry cmd_remove_message_entry;

/* cmd_exchangeserver.c */
extern const struct cmdlet_entry cmd_get_exchangeserver_entry;
/* What is done to one server of the registry. */
typedef void	(*server_fn)(struct cmd_ctx *, struct store *,
		    const struct server_info *);
/*
 * fn for each server the pipeline input names, else -Identity (a name,
 * else an FQDN, or a wildcard; an unknown one is Exchange's not-found
 * error, one of several servers its ambiguity error unless all and a
 * wildcard), else every server (all) or the local one.
 */
void		 exchangeserver_for_each(struct cmd_ctx *, struct store *,
		     server_fn, bool all);
/*
 * The local server and every registered server that has started, by
 * name (caller frees with server_info_free); NULL after the error.
 */
struct server_info *exchangeserver_servers(struct cmd_ctx *,
		     struct store *, size_t *);
/* Report a store failure (WriteError); frees cause.  Returns -1. */
int		 exchangeserver_store_failed(struct cmd_ctx *, char *cause);
/* A directory date of Unix seconds: $null when 0; utc: *UTC's value. */
struct value	*exchangeserver_date(int64_t secs, bool utc);

/* cmd_testconnector.c */
extern const struct cmdlet_entry cmd_test_sendconnector_entry;
extern const struct cmdlet_entry cmd_get_connectorcert_entry;

/* cmd_mtastspolicy.c */
extern const struct cmdlet_entry cmd_get_mtastspolicy_entry;

/* cmd_tracking.c */
extern const struct cmdlet_entry cmd_get_messagetrackinglog_entry;

/* cmd_transportservice.c */
extern const struct cmdlet_entry cmd_get_transportservice_entry;
extern const struct cmdlet_entry cmd_set_transportservice_entry;

/* builtin.c: what the PowerShell built-in cmdlets share. */
#define PS_CLASS(x)	"Microsoft.PowerShell.Commands." x
#define CRED_TYPE	"System.Management.Automation.PSCredential"
#define PSOBJECT_TYPE	"System.Management.Automation.PSCustomObject"
/* The pipeline input, else the -InputObject argument (caller unrefs). */
struct value	*builtin_input(struct cmd_ctx *, const char *, bool);
/* A member of a value (new reference), or NULL when it has none. */
struct value	*builtin_member(const struct value *, const char *);
/*
 * Run a script block with $_ = item; its output array (caller unrefs).
 * builtin_run_output when that is the command's output (ForEach-Object).
 */
struct value	*builtin_run(struct cmd_ctx *, struct value *,
		    struct value *);
struct value	*builtin_run_output(struct cmd_ctx *, struct value *,
		    struct value *);
/* Emit every item of v (unrolled); takes the reference to v. */
void		 builtin_emit_items(struct cmd_ctx *, struct value *);
/* Value of a calculated expression (a name or a script block). */
struct value	*builtin_eval_expr(struct cmd_ctx *, struct value *,
		    struct value *);
/* Read a calculated property @{Name=...;Expression=...}; -1 on error. */
int		 builtin_calc(struct cmd_ctx *, struct value *,
		    const char *const *, char **, struct value **, int *);

/* cmd_credential.c */
extern const struct cmdlet_entry cmd_get_credential_entry;
extern const struct cmdlet_entry cmd_convertto_securestring_entry;
/* A PSCredential; the password is copied into a SecureString. */
struct value	*credential_object(const char *, const char *);

/* cmd_host.c */
extern const struct cmdlet_entry cmd_read_host_entry;

/* cmd_path.c */
extern const struct cmdlet_entry cmd_test_path_entry;
extern const struct cmdlet_entry cmd_join_path_entry;
extern const struct cmdlet_entry cmd_split_path_entry;

/* cmd_sleep.c */
extern const struct cmdlet_entry cmd_start_sleep_entry;

/* cmd_stream.c */
extern const struct cmdlet_entry cmd_write_warning_entry;
extern const struct cmdlet_entry cmd_write_verbose_entry;
extern const struct cmdlet_entry cmd_write_error_entry;

/* cmd_content.c */
extern const struct cmdlet_entry cmd_get_content_entry;
extern const struct cmdlet_entry cmd_set_content_entry;
extern const struct cmdlet_entry cmd_add_content_entry;

/* cmd_csv.c */
extern const struct cmdlet_entry cmd_import_csv_entry;
extern const struct cmdlet_entry cmd_convertfrom_csv_entry;
/* -Delimiter of a CSV cmdlet: one character as UTF-8 (a comma without
 * it); -1 after the error. */
int		 csv_delimiter_arg(struct cmd_ctx *, char delim[8]);
/* The header of CSV text as Import-Csv reads it: NULL when there is none,
 * else n heap names in a NULL-terminated heap array. */
char		**csv_header_names(const char *text, const char *delim,
		     size_t *n);

/* cmd_file.c */
extern const struct cmdlet_entry cmd_out_file_entry;
/*
 * What Out-File, and the redirection operators > and >> (append), write:
 * the text Out-Default shows for the items, laid out 120 columns wide, to
 * the file at path (relative to the current directory; a backslash is a
 * separator), replaced atomically or appended to, as UTF-8 without a byte
 * order mark (an appended file keeps the encoding its byte order mark
 * declares).  0, or -1 with *err the message in .NET's words ("Could not
 * find a part of the path '/x/y.txt'."; caller frees); Out-File reports
 * such errors as OpenError, FileOpenFailure.
 */
int		 outfile_write(struct shell *, const char *path, bool append,
		     struct value **items, size_t n, char **err);

/* cmd_group.c */
extern const struct cmdlet_entry cmd_group_object_entry;

/* cmd_date.c */
extern const struct cmdlet_entry cmd_get_date_entry;
/* Now, in microseconds since the epoch (UTC), as V_DATE keeps dates. */
int64_t		 date_now(void);
/* A date in a .NET format (standard letter or custom pattern). */
char		*date_format(int64_t usec, const char *fmt);
/* The custom pattern of a standard format letter, else fmt. */
const char	*date_pattern(const char *fmt);

/*
 * strops.c: -replace, -split (r NULL: unary) and -f.  A new value, or
 * NULL with *id (FullyQualifiedErrorId) and *err (caller frees).
 */
struct value	*strop_replace(struct value *, struct value *, bool cs,
		     const char **id, char **err);
struct value	*strop_split(struct value *, struct value *, bool cs,
		     const char **id, char **err);
struct value	*strop_format(struct value *fmt, struct value *args,
		     const char **id, char **err);
/* A .NET pattern compiled as POSIX extended (REG_ICASE unless cs). */
int		 strop_regcomp(regex_t *, const char *pattern, bool cs,
		     const char **id, char **err);
/*
 * The same with its groups: names[k] is what POSIX group k+1 is in .NET,
 * its name or its number in digits (NULL for a (?:) group), number[k]
 * its .NET number (-1 for none); nnet counts .NET groups, 0 included.
 */
struct strop_re {
	regex_t		  re;
	size_t		  ngroups;	/* POSIX groups (re.re_nsub) */
	char		**names;
	int		 *number;
	size_t		  nnet;
};
int		 strop_re_compile(struct strop_re *, const char *pattern,
		     bool cs, const char **id, char **err);
void		 strop_re_free(struct strop_re *);
/* Match at s + off: ngroups + 1 offsets from s (caller frees) or NULL. */
regmatch_t	*strop_re_exec(struct strop_re *, const char *s, size_t off);
/* The POSIX group of a .NET group number or name, or -1. */
int		 strop_re_group(const struct strop_re *, int);
int		 strop_re_named(const struct strop_re *, const char *);
struct value	*strop_re_text(const char *s, const regmatch_t *);
/* Regex.Replace and Regex.Split over a compiled pattern. */
char		*strop_re_replace(struct strop_re *, const char *s,
		     const char *replacement);
void		 strop_re_split(struct value *out, struct strop_re *,
		     const char *s, int64_t max);
/* -match: 1 and $Matches, 0, or -1 with *id and *err. */
int		 strop_match(const char *s, const char *pattern, bool cs,
		     struct value **matches, const char **id, char **err);

/*
 * dotnet.c: the .NET types scripts call members of (String, DateTime,
 * TimeSpan, Math, Regex, Path, Guid, the collections...), their members
 * and the conversions to them.  The evaluator calls in at member access,
 * method calls, [type]::Member, casts and -is/-isnot/-as; nothing else
 * of it knows a member by name.  A function that can fail returns NULL
 * with *err filled, which the caller raises and clears (dn_error_clear).
 */
struct dn_error {
	const char	*id;		/* FullyQualifiedErrorId */
	const char	*category;	/* ErrorCategory */
	const char	*reason;	/* exception type, short */
	char		*message;
	char		*target;	/* TargetObject text, or NULL */
	const char	*target_type;
	bool		 at_type;	/* about the [type] literal */
};

void		 dn_error_clear(struct dn_error *);
/* $obj.Name: a property, a hashtable key, member enumeration or $null. */
struct value	*dotnet_member(struct value *obj, const char *name);
/* A property or key of v (new reference), or NULL when it has none. */
struct value	*dotnet_property(const struct value *v, const char *name);
/* $obj.Name(args). */
struct value	*dotnet_invoke(struct value *obj, const char *name,
		     struct value **args, size_t nargs, struct dn_error *);
/* [type]::Name, or [type]::Name(args) when call is set. */
struct value	*dotnet_static(const char *type, const char *name,
		     bool call, struct value **args, size_t nargs,
		     struct dn_error *);
/* [type]value; with err NULL, NULL and no error when it cannot be. */
struct value	*dotnet_cast(const char *type, struct value *,
		     struct dn_error *);
/* [type] alone: its System.RuntimeType object. */
struct value	*dotnet_type_value(const char *type, struct dn_error *);
/* v -is, -isnot or -as type (a type object or a type name). */
struct value	*dotnet_typeop(enum op, struct value *v, struct value *type,
		     struct dn_error *);
/*
 * + and - of dates and time spans: NULL with err->id NULL when they are
 * not for them, NULL with *err when the result is out of range.
 */
struct value	*dotnet_arith(enum op, struct value *, struct value *,
		     struct dn_error *);
/* $v[i] of a string or a .NET collection; NULL when not one of them. */
struct value	*dotnet_index(struct value *, struct value *index);
/* New-Object type -ArgumentList args. */
struct value	*dotnet_new(const char *type, struct value **args,
		     size_t nargs, struct dn_error *);
/* A DictionaryEntry (Name, Key, Value): a hashtable's entry shown. */
struct value	*dotnet_dict_entry(struct value *key, struct value *val);
/* What the formatter shows for v: an object for a TimeSpan, else NULL. */
struct value	*dotnet_display(const struct value *, bool json);
/* The .NET type name of an array or hashtable (System.String[]...). */
const char	*dotnet_type_name(const struct value *);
/*
 * DateTime.Parse in the invariant culture, as local time: a date
 * (2012-07-09, 7/9/2012, July 9, 2012, 9 July 2012), a time (14:00,
 * 2:00:05.5 PM), or both, with Z or an offset.  0, or -1.
 */
int		 dotnet_date_parse(const char *, int64_t *usec);
/* Guid.NewGuid()'s text: a random version 4 GUID, lower case. */
void		 dotnet_guid_text(char out[37]);
/* .NET's Double.ToString(): 15 significant digits, "E+15" past them. */
char		*dotnet_double_text(double);
/* TimeSpan.ToString(): [-][d.]hh:mm:ss[.fffffff]. */
char		*dotnet_timespan_text(int64_t ticks);
/* TimeSpan.ToString(format) ("hh\:mm", "g"...); NULL for a bad one. */
char		*dotnet_timespan_format(int64_t ticks, const char *fmt);

/* cmd_foreach.c */
extern const struct cmdlet_entry cmd_foreach_object_entry;

/* cmd_format.c */
extern const struct cmdlet_entry cmd_format_list_entry;
extern const struct cmdlet_entry cmd_format_table_entry;

/* cmd_measure.c */
extern const struct cmdlet_entry cmd_measure_object_entry;

/* cmd_object.c */
extern const struct cmdlet_entry cmd_new_object_entry;

/* cmd_output.c */
extern const struct cmdlet_entry cmd_write_host_entry;
extern const struct cmdlet_entry cmd_write_output_entry;
extern const struct cmdlet_entry cmd_out_null_entry;
extern const struct cmdlet_entry cmd_out_string_entry;

/* cmd_select.c */
extern const struct cmdlet_entry cmd_select_object_entry;

/* cmd_sort.c */
extern const struct cmdlet_entry cmd_sort_object_entry;

/* cmd_where.c */
extern const struct cmdlet_entry cmd_where_object_entry;

/* cmd_convert.c */
extern const struct cmdlet_entry cmd_convertto_json_entry;
extern const struct cmdlet_entry cmd_convertto_csv_entry;
extern const struct cmdlet_entry cmd_export_csv_entry;

/* help.c */
extern const struct cmdlet_entry cmd_get_help_entry;
extern const struct cmdlet_entry cmd_get_command_entry;
/* Markdown reference of every cmdlet (hubsh --dump-cmdlets). */
void	help_dump_markdown(FILE *);
char	*help_syntax(const struct cmdlet_entry *);

/* complete.c */
/*
 * Candidates for completing the word at [start, end) of line: a
 * NULL-terminated heap array of heap strings, or NULL.
 */
char	**complete_line(struct shell *, const char *line, size_t start,
	    size_t end);

#endif
