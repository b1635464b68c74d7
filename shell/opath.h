/*
 * opath.h - the OPATH filter language (opath.c) of -Filter in the queue
 * viewer cmdlets (cmd_queue.c, cmd_message.c).
 *
 *	or	= and { "-or" and }
 *	and	= unary { "-and" unary }
 *	unary	= ("-not" | "!") unary | "(" or ")" | Property op value
 *	op	= -eq -ne -gt -ge -lt -le -like -notlike
 */
#ifndef HUBSH_OPATH_H
#define HUBSH_OPATH_H

#include <stdbool.h>
#include <stdint.h>

struct value;

/* How a property compares in -Filter and -SortOrder. */
enum opath_kind {
	QK_STRING,
	QK_INT,
	QK_NUMBER,	/* double */
	QK_DATE,
	QK_SIZE,	/* ByteQuantifiedSize text, compared in bytes */
	QK_ENUM,
	QK_IDENTITY	/* backslash-separated, numbers as numbers */
};

struct opath_field {
	const char		*name;
	enum opath_kind		 kind;
	const struct choice	*choices;	/* QK_ENUM */
	const char		*type_name;
};

/* A parsed filter. */
struct opath_node;

/*
 * Parse text over fields: 0 with *out, or -1 with *error (Exchange's
 * message; caller frees) and *reason (its exception name).
 */
int	 opath_parse(const char *text, const struct opath_field *fields,
	    struct opath_node **out, char **error, const char **reason);
/* Does obj (an object with the fields as properties) pass the filter? */
bool	 opath_match(const struct opath_node *, const struct value *obj);
void	 opath_free(struct opath_node *);
/* Order two values of field f: <0, 0, >0; *ok false when they cannot. */
int	 opath_order(const struct opath_field *f, struct value *,
	    struct value *, bool *ok);
/* The field of that name (any case), or NULL. */
const struct opath_field *opath_field_find(const struct opath_field *,
	    const char *name);
/* "A, B, C" (caller frees). */
char	*opath_field_names(const struct opath_field *);

#endif
