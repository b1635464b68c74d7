# params.awk - parameter lookups a cmdlet makes, against what it declares.
#
# Input: the output of hubsh --dump-cmdlets (the parameters each cmdlet
# declares, and the common and ShouldProcess ones), then shell/*.c files,
# read as one program: a cmdlet's exec function may call helpers of
# another file (builtin.c, the queue code the message cmdlets share), and
# function names are unique across the files.
# In the C files it finds the cmdlet entries (.name and .exec), every
# function (name at column 0, body from "{" to "}" at column 0), the
# functions each one calls or takes the address of, and the literal
# parameter names given to bound_get, bound_has, bound_switch,
# bound_code and bound_index, or to a function of the file that passes
# one of its own parameters on to them (mt_arg(ctx, "Start")).
#
# A name looked up by a function an exec function reaches must be
# declared by that cmdlet, or be a common or ShouldProcess parameter;
# the _opt lookups (shared code) need only some cmdlet read to declare
# it; a function no exec reaches is held to all the cmdlets read.  Names
# are compared without case, as the binder does.  One line per lookup
# found ("lookup FILE FN NAME"), then "bad FILE CMDLET FN -NAME" for each
# undeclared one; the exit status is 1 when there is one.

function trim(s) {
	sub(/^[ \t]+/, "", s)
	sub(/[ \t]+$/, "", s)
	return s
}

# Split the arguments of the call whose "(" is at s[i-1]: nargs and
# args[1..nargs]; strings and nested parentheses are skipped over.
function split_args(s, i,    depth, c, cur, inq) {
	nargs = 0
	depth = 0
	cur = ""
	inq = 0
	for (; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (inq) {
			cur = cur c
			if (c == "\\") {
				cur = cur substr(s, i + 1, 1)
				i++
			} else if (c == "\"")
				inq = 0
			continue
		}
		if (c == "\"")
			inq = 1
		else if (c == "(")
			depth++
		else if (c == ")") {
			if (depth == 0) {
				args[++nargs] = trim(cur)
				return
			}
			depth--
		} else if (c == "," && depth == 0) {
			args[++nargs] = trim(cur)
			cur = ""
			continue
		}
		cur = cur c
	}
}

# The literal string an argument is, or "" (adjacent literals joined).
function literal(a) {
	if (a !~ /^"[^"]*"([ \t]*"[^"]*")*$/)
		return ""
	gsub(/"[ \t]*"/, "", a)
	gsub(/"/, "", a)
	return a
}

function add_lookup(f, name, opt) {
	nlook[f]++
	look[f, nlook[f]] = name
	lookopt[f, nlook[f]] = opt
	total++
}

NR == FNR {
	if ($0 ~ /^## Common parameters/)
		cur = "*"
	else if ($0 ~ /^## /)
		cur = substr($0, 4)
	line = $0
	while (match(line, /`-[A-Za-z0-9]+`/)) {
		if (line ~ /^\| `-/ || line ~ /^Exchange 2010 parameters/)
			decl[cur, tolower(substr(line, RSTART + 2,
			    RLENGTH - 3))] = 1
		line = substr(line, RSTART + RLENGTH)
	}
	next
}

/^const struct cmdlet_entry [a-z_0-9]+ = \{/ {
	inentry = 1
	next
}
inentry && /^[ \t]*\.name = "/ {
	ename = $0
	sub(/^[^"]*"/, "", ename)
	sub(/".*/, "", ename)
	ncmd++
	cmds[ncmd] = ename
	infile[ename] = 1
}
inentry && /^[ \t]*\.exec = / {
	x = $0
	sub(/^[ \t]*\.exec = /, "", x)
	sub(/[,;].*/, "", x)
	execfn[ename] = x
}
inentry && /^};/ {
	inentry = 0
}

/^[A-Za-z_][A-Za-z0-9_]*\(/ && !inbody {
	fn = $0
	sub(/\(.*/, "", fn)
	hdr = $0
	inhdr = 1
	nfn++
	fns[nfn] = fn
	isfn[fn] = 1
	fnfile[fn] = FILENAME
	next
}
inhdr && !/^\{/ {
	hdr = hdr " " $0
	next
}
inhdr && /^\{/ {
	inhdr = 0
	inbody = 1
	body[fn] = ""
	# Parameter names, in order.
	p = hdr
	sub(/^[^(]*\(/, "", p)
	sub(/\)[^)]*$/, "", p)
	np = split(p, parts, ",")
	for (k = 1; k <= np; k++) {
		x = trim(parts[k])
		sub(/\[\]$/, "", x)
		sub(/^.*[ *]/, "", x)
		pname[fn, x] = k
	}
	next
}
inbody && /^\}/ {
	inbody = 0
	next
}
inbody {
	body[fn] = body[fn] " " $0
}

END {
	# Lookups made directly, and functions that pass a parameter on.
	for (i = 1; i <= nfn; i++) {
		f = fns[i]
		s = body[f]
		while (match(s, /bound_(get|has|switch|index|code)(_opt)?\(/)) {
			opt = substr(s, RSTART, RLENGTH) ~ /_opt/
			rest = substr(s, RSTART + RLENGTH)
			split_args(rest, 1)
			if (nargs >= 2) {
				if ((name = literal(args[2])) != "")
					add_lookup(f, name, opt)
				else if ((f, args[2]) in pname) {
					wrap[f, pname[f, args[2]]] = 1
					wrapopt[f, pname[f, args[2]]] = opt
					iswrap[f] = 1
				}
			}
			s = rest
		}
	}
	# Calls: edges, and literal names given to the wrappers.
	for (i = 1; i <= nfn; i++) {
		f = fns[i]
		s = body[f]
		gsub(/"([^"\\]|\\.)*"/, "\"\"", s)
		t = s
		gsub(/[^A-Za-z0-9_]+/, " ", t)
		n = split(t, ids, " ")
		for (k = 1; k <= n; k++) {
			if (ids[k] in isfn)
				edge[f, ids[k]] = 1
		}
		s = body[f]
		for (j = 1; j <= nfn; j++) {
			g = fns[j]
			if (!(g in iswrap))
				continue
			r = s
			while (match(r, "(^|[^A-Za-z0-9_])" g "\\(")) {
				r = substr(r, RSTART + RLENGTH)
				split_args(r, 1)
				for (k = 1; k <= nargs; k++) {
					if ((g, k) in wrap &&
					    (name = literal(args[k])) != "")
						add_lookup(f, name, wrapopt[g, k])
				}
			}
		}
	}
	bad = 0
	for (c = 1; c <= ncmd; c++) {
		cmd = cmds[c]
		split("", seen)
		split("", queue)
		nq = 0
		if (execfn[cmd] != "") {
			queue[++nq] = execfn[cmd]
			seen[execfn[cmd]] = 1
		}
		for (q = 1; q <= nq; q++) {
			f = queue[q]
			reached[f] = 1
			for (j = 1; j <= nfn; j++) {
				g = fns[j]
				if ((f, g) in edge && !(g in seen)) {
					seen[g] = 1
					queue[++nq] = g
				}
			}
			for (k = 1; k <= nlook[f]; k++)
				check(cmd, f, look[f, k], lookopt[f, k])
		}
	}
	for (i = 1; i <= nfn; i++) {
		f = fns[i]
		if (f in reached)
			continue
		for (k = 1; k <= nlook[f]; k++)
			check("", f, look[f, k], 1)
	}
	for (i = 1; i <= nfn; i++) {
		f = fns[i]
		for (k = 1; k <= nlook[f]; k++)
			print "lookup " fnfile[f] " " f " " look[f, k]
	}
	exit bad
}

# cmd "" (or opt): any cmdlet read may declare it.
function check(cmd, f, name, opt,    lc, c, ok) {
	lc = tolower(name)
	ok = ("*", lc) in decl
	if (!ok && cmd != "" && !opt)
		ok = (cmd, lc) in decl
	else if (!ok) {
		for (c = 1; c <= ncmd; c++)
			if ((cmds[c], lc) in decl)
				ok = 1
	}
	if (!ok) {
		print "bad " fnfile[f] " " (cmd != "" ? cmd : "(any)") " " f \
		    " -" name
		bad = 1
	}
}
