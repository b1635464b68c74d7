/*
 * parse_fuzz.c - libFuzzer target for the lexer and parser.
 *
 * Feeds arbitrary bytes to parse_script() and, independently, walks the
 * whole input with the lexer in both modes.  Neither may crash, hang or
 * leak, whatever the input.
 */
#include <stddef.h>
#include <stdint.h>

#include "shell.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct source		*src;
	struct parse_error	 err;
	struct node		*n;
	struct lexer		 lx;
	struct token		 t;
	enum lex_mode		 mode;
	int			 i;

	src = source_create("line", (const char *)data, size);
	n = parse_script(src, 0, src->len, &err);
	node_free(n);
	parse_error_clear(&err);
	for (i = 0; i < 2; i++) {
		mode = i == 0 ? LEX_COMMAND : LEX_EXPRESSION;
		lexer_init(&lx, src, 0, src->len);
		for (;;) {
			size_t	before = lx.pos;

			lexer_next(&lx, mode, &t);
			if (t.type == T_EOF || t.type == T_ERROR ||
			    lx.pos <= before) {
				token_clear(&t);
				break;
			}
			token_clear(&t);
		}
	}
	source_free(src);
	return (0);
}
