/*
 * dirs.c - the directories hubd keeps: its state directory (queue,
 * pickup, logs) and the control socket's directory.
 *
 * They are made at start when missing, missing parents included, as
 * Postfix's start-up makes its queue directories, and hubd says which
 * one it could not make and why.  hubd is still root here, and the
 * state directory belongs to the user hubd becomes (--user): that user
 * can put a symbolic link where pickup or log was, so nothing here
 * follows a link to change an owner.  Each directory is opened with
 * O_NOFOLLOW, its children relative to that descriptor, and handed over
 * with fchown on the descriptor; a link is refused and named.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xmalloc.h"
#include "transport.h"

static int	 dir_parents(const char *, const char *, char **);
static char	*dir_user(uid_t);

/*
 * Make the missing parents of path, mode 0755, as mkdir -p does; what
 * is the directory's role in messages ("the state directory").
 */
static int
dir_parents(const char *path, const char *what, char **cause)
{
	char	*p, *slash;
	int	 rc = 0;

	p = xstrdup(path);
	for (slash = strchr(p + 1, '/'); slash != NULL;
	    slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST) {
			xasprintf(cause, "cannot create %s (for %s %s): %s", p,
			    what, path, strerror(errno));
			rc = -1;
			break;
		}
		*slash = '/';
	}
	free(p);
	return (rc);
}

/* A user's name for messages, or "uid N". */
static char *
dir_user(uid_t uid)
{
	struct passwd	*pw;
	char		*s;

	if ((pw = getpwuid(uid)) != NULL)
		return (xstrdup(pw->pw_name));
	xasprintf(&s, "uid %lu", (unsigned long)uid);
	return (s);
}

/*
 * Open the directory name, relative to at (AT_FDCWD: name is a path,
 * and its missing parents are made first), making it with mode when
 * missing.  A symbolic link or anything but a directory at name is
 * refused.  The descriptor is returned; -1 with *cause on failure.
 *
 * Ownership: with DIR_ADOPT the directory must end up belonging to
 * uid (the user hubd runs as; -1 for the present one): one of root's
 * is handed to uid:gid, one of anybody else's is refused.  Without it,
 * only a directory made here is handed over; an existing one (/tmp, a
 * RuntimeDirectory of systemd's) is left as it is.  shown is the path
 * for messages, what the directory's role.
 */
int
dir_open(int at, const char *name, const char *shown, const char *what,
    mode_t mode, uid_t uid, gid_t gid, int flags, char **cause)
{
	struct stat	 st;
	bool		 made = false;
	uid_t		 want = uid != (uid_t)-1 ? uid : geteuid();
	char		*owner, *user;
	int		 fd;

	if (at == AT_FDCWD && dir_parents(name, what, cause) != 0)
		return (-1);
	if (mkdirat(at, name, mode) == 0)
		made = true;
	else if (errno != EEXIST) {
		xasprintf(cause, "cannot create %s %s: %s", what, shown,
		    strerror(errno));
		return (-1);
	}
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1) {
		if (errno == ELOOP || (errno == ENOTDIR &&
		    fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(st.st_mode)))
			xasprintf(cause, "%s %s is a symbolic link: hubd does "
			    "not follow links there; put the directory itself "
			    "in its place", what, shown);
		else if (errno == ENOTDIR)
			xasprintf(cause, "%s %s exists and is not a directory",
			    what, shown);
		else
			xasprintf(cause, "cannot open %s %s: %s", what, shown,
			    strerror(errno));
		return (-1);
	}
	if (fstat(fd, &st) != 0) {
		xasprintf(cause, "%s %s: %s", what, shown, strerror(errno));
		close(fd);
		return (-1);
	}
	if (st.st_uid == want || (!made && !(flags & DIR_ADOPT)))
		return (fd);
	if ((made || st.st_uid == 0) && uid != (uid_t)-1) {
		if (fchown(fd, uid, gid) == 0) {
			if (!made)
				log_info("%s %s handed over to its user",
				    what, shown);
			return (fd);
		}
		xasprintf(cause, "cannot hand %s %s over: %s", what, shown,
		    strerror(errno));
		close(fd);
		return (-1);
	}
	owner = dir_user(st.st_uid);
	user = dir_user(want);
	xasprintf(cause, "%s %s belongs to %s, not to %s, the user hubd runs "
	    "as", what, shown, owner, user);
	free(owner);
	free(user);
	close(fd);
	return (-1);
}
