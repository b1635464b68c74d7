# bench/lib/baseline.sh - the sqlite3 CLI's side of the connector
# benchmarks, sourced by bench/shell.sh and bench/provision.sh (bash):
# the rows hubsh's New-SendConnector writes, in the schema hubsh itself
# made, written by the sqlite3 CLI with hubsh's PRAGMAs (WAL,
# synchronous=FULL, foreign keys) and, like hubsh, one BEGIN IMMEDIATE
# ... COMMIT per connector.
#
# The caller defines die(), $work (scratch directory), $HUBSH and $SERVER.

# baseline_probe CMD DOMAIN: a store written by hubsh itself,
# $work/probe.db.  Its schema and the rows hubsh puts in a new store go
# to $work/init.sql, which baseline_fresh starts from.  Then CMD, one
# New-SendConnector for a connector whose address space is DOMAIN, adds
# one connector: its column values, with the GUID, the name, the times
# and DOMAIN made placeholders, are the template of every row
# baseline_inserts writes.  Sets baseline_cols (the connector's columns).
baseline_probe() {
	local cmd=$1 domain=$2 c e exprs=
	"$HUBSH" --store "$work/probe.db" --server "$SERVER" \
	    -Command 'Get-SendConnector' >/dev/null ||
	    die "hubsh cannot make the probe store"
	sqlite3 "$work/probe.db" .dump >"$work/init.sql"
	"$HUBSH" --store "$work/probe.db" --server "$SERVER" -Command "$cmd" \
	    >/dev/null || die "hubsh failed: $cmd"
	[ "$(sqlite3 "$work/probe.db" 'select count(*) from address_spaces; select count(*) from smart_hosts; select count(*) from source_servers' | tr '\n' ' ')" = "1 1 1 " ] ||
	    die "probe connector does not have exactly one row in each child table"
	baseline_cols=
	for c in $(sqlite3 "$work/probe.db" "select name from pragma_table_info('send_connectors') where name <> 'id'"); do
		baseline_cols="${baseline_cols:+$baseline_cols, }$c"
		case $c in
		guid)	e="'''@GUID@'''" ;;
		name)	e="'''@NAME@'''" ;;
		when_created|when_changed) e="'@TS@'" ;;
		*)	e="replace(quote($c), '$domain', '@DOMAIN@')" ;;
		esac
		exprs="${exprs:+$exprs || ', ' || }$e"
	done
	baseline_values=$(sqlite3 "$work/probe.db" "select $exprs from send_connectors")
	baseline_as=$(sqlite3 "$work/probe.db" "select quote(type) || ', ' || quote(cost) from address_spaces")
}

# baseline_inserts ROWS: the SQL, on standard output, that writes one
# connector per line "NAME<TAB>DOMAIN<TAB>SMARTHOST" of the file ROWS
# into a store made by baseline_fresh: per connector BEGIN IMMEDIATE (as
# hubsh does), the connector row and its three child rows, COMMIT.
# Random version-4 GUIDs, like hubsh's, so that the UNIQUE index sees the
# same insertion pattern.
baseline_inserts() {
	echo "PRAGMA synchronous = FULL;"
	echo "PRAGMA foreign_keys = ON;"
	awk -F'\t' -v ts="$(date +%s)" -v cols="$baseline_cols" \
	    -v vals="$baseline_values" -v as="$baseline_as" -v srv="$SERVER" '
	function h(k,   s, i) {
		s = ""
		for (i = 0; i < k; i++) s = s sprintf("%x", int(rand() * 16))
		return s
	}
	BEGIN { srand(12345); split(as, a, ", ") }
	{
		g = h(8) "-" h(4) "-4" h(3) "-" substr("89ab", int(rand() * 4) + 1, 1) h(3) "-" h(12)
		v = vals
		gsub(/@GUID@/, g, v); gsub(/@NAME@/, $1, v)
		gsub(/@TS@/, ts, v); gsub(/@DOMAIN@/, $2, v)
		printf "BEGIN IMMEDIATE;\n"
		printf "INSERT INTO send_connectors (%s) VALUES (%s);\n", cols, v
		printf "INSERT INTO address_spaces (connector_id, position, type, domain, cost) VALUES (%d, 0, %s, '\''%s'\'', %s);\n", NR, a[1], $2, a[2]
		printf "INSERT INTO smart_hosts (connector_id, position, host) VALUES (%d, 0, '\''%s'\'');\n", NR, $3
		printf "INSERT INTO source_servers (connector_id, position, server) VALUES (%d, 0, '\''%s'\'');\n", NR, srv
		printf "COMMIT;\n"
	}' "$1"
}

# baseline_fresh DB: a store as hubsh creates it (schema, meta and
# servers rows), made by the sqlite3 CLI, in WAL mode.
baseline_fresh() {
	rm -f "$1" "$1-wal" "$1-shm"
	sqlite3 -bail "$1" <"$work/init.sql"
	[ "$(sqlite3 "$1" 'PRAGMA journal_mode = WAL')" = wal ] || die "no WAL"
}

# baseline_content DB: what a store holds, without GUIDs, times and row
# ids, so that hubsh's store and the baseline's compare equal.
baseline_content() {
	sqlite3 "$1" "
SELECT '$baseline_cols' AS cols;
SELECT * FROM (SELECT $(echo "$baseline_cols" | sed 's/guid, //; s/when_created, //; s/when_changed, //') FROM send_connectors ORDER BY name);
SELECT c.name, a.position, a.type, a.domain, a.cost FROM address_spaces a JOIN send_connectors c ON c.id = a.connector_id ORDER BY 1, 2;
SELECT c.name, h.position, h.host FROM smart_hosts h JOIN send_connectors c ON c.id = h.connector_id ORDER BY 1, 2;
SELECT c.name, s.position, s.server FROM source_servers s JOIN send_connectors c ON c.id = s.connector_id ORDER BY 1, 2;"
}
