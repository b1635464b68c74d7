/*
 * complete.c - tab completion, read from the cmdlet table.
 *
 * The word under the cursor is completed by where it stands: the first
 * word of a command gets cmdlet names and aliases; a word starting with a
 * dash gets the parameters of that command not yet given; the word after
 * a parameter gets its enum values, $true/$false for booleans, or the
 * connector names from the store for an identity; a word starting with
 * '$' gets $true, $false, $null and the shell's variables.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shell.h"
#include "xmalloc.h"

struct cands {
	char	**v;
	size_t	  n;
};

static void
cands_add(struct cands *c, const char *prefix, const char *s)
{
	size_t	i;

	if (strncasecmp(s, prefix, strlen(prefix)) != 0)
		return;
	for (i = 0; i < c->n; i++) {
		if (strcasecmp(c->v[i], s) == 0)
			return;
	}
	c->v = xreallocarray(c->v, c->n + 2, sizeof *c->v);
	c->v[c->n++] = xstrdup(s);
	c->v[c->n] = NULL;
}

/* Split line[0..end) into words of the current command. */
static size_t
complete_words(const char *line, size_t end, char ***words)
{
	struct buf	 w;
	char		 quote = 0;
	size_t		 i, n = 0;

	*words = NULL;
	buf_init(&w);
	for (i = 0; i <= end; i++) {
		char	c = i < end ? line[i] : ' ';

		if (quote != 0) {
			if (c == quote)
				quote = 0;
			else
				buf_addc(&w, c);
			continue;
		}
		if (c == '\'' || c == '"') {
			quote = c;
			continue;
		}
		if (c == '|' || c == ';') {
			while (n > 0)
				free((*words)[--n]);
			buf_reset(&w);
			continue;
		}
		if (c == ' ' || c == '\t') {
			if (w.len == 0)
				continue;
			*words = xreallocarray(*words, n + 1, sizeof **words);
			(*words)[n++] = xstrdup(w.s);
			buf_reset(&w);
			continue;
		}
		buf_addc(&w, c);
	}
	buf_free(&w);
	return (n);
}

static const struct cmdlet_entry *
complete_cmdlet(const char *name)
{
	const char	*real = alias_resolve(name);

	return (cmdlet_find(real != NULL ? real : name));
}

static void
complete_commands(struct cands *c, const char *prefix)
{
	size_t	i;

	for (i = 0; cmdlet_table[i] != NULL; i++)
		cands_add(c, prefix, cmdlet_table[i]->name);
	for (i = 0; alias_table[i].alias != NULL; i++)
		cands_add(c, prefix, alias_table[i].alias);
}

static bool
given(char **words, size_t n, const char *name)
{
	size_t	i;

	for (i = 1; i < n; i++) {
		if (words[i][0] == '-' && strncasecmp(words[i] + 1, name,
		    strcspn(words[i] + 1, ":")) == 0 &&
		    strcspn(words[i] + 1, ":") > 0)
			return (true);
	}
	return (false);
}

static void
complete_params(struct cands *c, const struct cmdlet_entry *ce,
    char **words, size_t n, const char *prefix)
{
	struct bound	*b;
	char		*s;
	size_t		 i;

	b = bound_create(ce);
	for (i = 0; i < b->np; i++) {
		if ((b->p[i]->flags & P_NOTAB) ||
		    given(words, n, b->p[i]->name))
			continue;
		s = xprintf("-%s", b->p[i]->name);
		cands_add(c, prefix, s);
		free(s);
	}
	bound_free(b);
}

static void
complete_identities(struct shell *sh, struct cands *c, const char *prefix)
{
	struct send_connector	**list;
	struct store		 *st;
	char			 *cause = NULL, *q;
	size_t			  n, i;

	if (sh == NULL || store_open(&st, sh->store_path, sh->server_name,
	    &cause) != 0) {
		free(cause);
		return;
	}
	if (store_connector_list(st, &list, &n, &cause) == 0) {
		for (i = 0; i < n; i++) {
			if (strpbrk(list[i]->name, " \t'") != NULL)
				q = xprintf("\"%s\"", list[i]->name);
			else
				q = xstrdup(list[i]->name);
			cands_add(c, prefix[0] == '"' || prefix[0] == '\'' ?
			    prefix + 1 : prefix, list[i]->name);
			if (c->n > 0 && strcmp(c->v[c->n - 1],
			    list[i]->name) == 0) {
				free(c->v[c->n - 1]);
				c->v[c->n - 1] = q;
			} else
				free(q);
		}
		store_connector_list_free(list, n);
	}
	free(cause);
	store_close(st);
}

static void
complete_values(struct shell *sh, struct cands *c,
    const struct cmdlet_entry *ce, const char *param, const char *prefix)
{
	struct bound			*b;
	const struct param_entry	*p = NULL;
	size_t				 i;

	b = bound_create(ce);
	for (i = 0; i < b->np && p == NULL; i++) {
		if (strncasecmp(b->p[i]->name, param, strlen(param)) == 0)
			p = b->p[i];
	}
	bound_free(b);
	if (p == NULL)
		return;
	if (p->choices != NULL) {
		for (i = 0; p->choices[i].name != NULL; i++)
			cands_add(c, prefix, p->choices[i].name);
	} else if (p->type == PT_BOOL) {
		cands_add(c, prefix, "$true");
		cands_add(c, prefix, "$false");
	} else if (p->type == PT_IDENTITY)
		complete_identities(sh, c, prefix);
}

struct var_cands {
	struct cands	*c;
	const char	*prefix;
};

static void
complete_var(const char *name, void *arg)
{
	struct var_cands	*vc = arg;
	char			*v = xprintf("$%s", name);

	cands_add(vc->c, vc->prefix, v);
	free(v);
}

char **
complete_line(struct shell *sh, const char *line, size_t start, size_t end)
{
	const struct cmdlet_entry	*ce;
	struct cands			 c = { NULL, 0 };
	char				**words, *prefix;
	size_t				 n, i;

	prefix = xstrndup(line + start, end - start);
	n = complete_words(line, start, &words);
	if (prefix[0] == '$') {
		cands_add(&c, prefix, "$true");
		cands_add(&c, prefix, "$false");
		cands_add(&c, prefix, "$null");
		if (sh != NULL) {
			struct var_cands	vc = { &c, prefix };

			shell_each_var(sh, complete_var, &vc);
		}
	} else if (n == 0)
		complete_commands(&c, prefix);
	else if ((ce = complete_cmdlet(words[0])) != NULL) {
		if (prefix[0] == '-')
			complete_params(&c, ce, words, n, prefix);
		else if (words[n - 1][0] == '-')
			complete_values(sh, &c, ce, words[n - 1] + 1, prefix);
	}
	for (i = 0; i < n; i++)
		free(words[i]);
	free(words);
	free(prefix);
	return (c.v);
}
