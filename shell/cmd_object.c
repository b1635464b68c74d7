/*
 * cmd_object.c - New-Object: a PSCredential, a PSObject (-Property), or
 * any .NET type hubsh knows that has a constructor (dotnet.c):
 * System.Collections.ArrayList, List[T], Hashtable, DateTime, TimeSpan,
 * Guid, Regex, String.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shell.h"
#include "xmalloc.h"

static int		 cmd_new_object_exec(struct cmd_ctx *);
static void		 new_object_credential(struct cmd_ctx *,
			    struct value *);
static void		 new_object_custom(struct cmd_ctx *, struct value *);
static void		 new_object_dotnet(struct cmd_ctx *, const char *,
			    struct value *);

/*
 * New-Object.
 */
static const struct param_entry new_object_params[] = {
	PARAM("TypeName", NULL, PT_STRING, P_MANDATORY | P_POSITIONAL, 0, NULL,
	  0, 0, NULL,
	  "The type: System.Management.Automation.PSCredential, PSObject, "
	  "System.Collections.ArrayList or another .NET type hubsh knows."),
	PARAM("ArgumentList", "Args", PT_OBJECT, P_POSITIONAL, 1, NULL, 0, 0,
	  "System.Object[]",
	  "Constructor arguments: for PSCredential, the user name and a "
	  "SecureString; for the others, their constructor's."),
	PARAM("Property", NULL, PT_OBJECT, 0, 0, NULL, 0, 0,
	  "System.Collections.IDictionary",
	  "Hashtable of property names and values for a PSObject."),
	PARAM_END
};

const struct cmdlet_entry cmd_new_object_entry = {
	.name = "New-Object",
	.synopsis = "Creates an instance of a .NET object.",
	.params = new_object_params,
	.flags = C_NOINPUT,
	.class_name = PS_CLASS("NewObjectCommand"),
	.exec = cmd_new_object_exec,
	.description = "New-Object makes the objects Exchange scripts build: "
	    "a PSCredential from a user name and a SecureString, a PSObject "
	    "from a hashtable of properties, and the .NET collections and "
	    "values hubsh knows (System.Collections.ArrayList, "
	    "System.Collections.Generic.List[string], DateTime, TimeSpan, "
	    "Guid) from their constructor's arguments."
};

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
	new_object_dotnet(ctx, type, bound_get(ctx->args, "ArgumentList"));
	free(type);
	return (0);
}

/* Any other type hubsh knows (dotnet.c): its constructor. */
static void
new_object_dotnet(struct cmd_ctx *ctx, const char *type, struct value *args)
{
	struct dn_error	 err;
	struct value	*v, **argv = NULL;
	size_t		 n = 0;

	if (args != NULL && args->type == V_ARRAY) {
		argv = args->u.arr.v;
		n = args->u.arr.n;
	} else if (args != NULL) {
		argv = &args;
		n = 1;
	}
	memset(&err, 0, sizeof err);
	if ((v = dotnet_new(type, argv, n, &err)) != NULL) {
		cmd_emit(ctx, v);
		return;
	}
	cmd_error(ctx, ERR_STATEMENT, err.category, err.reason, err.id, "%s",
	    err.message);
	dn_error_clear(&err);
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

	o = value_object(PSOBJECT_TYPE, NULL);
	if (props != NULL && props->type == V_HASH) {
		for (i = 0; i < props->u.hash.n; i++) {
			k = value_to_string(props->u.hash.e[i].key);
			object_add(o, k, value_ref(props->u.hash.e[i].val));
			free(k);
		}
	}
	cmd_emit(ctx, o);
}
