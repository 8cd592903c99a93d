# chainlint.awk -- reject a test body whose commands are not one && chain.
#
# A body's status is the status of its last command, so a command that is
# not joined to the next by && (or || for a handled failure) can fail
# without failing the test; "set -e" does not help, bash ignores it inside
# && lists and conditions. Written for this project after the idea of
# git's chain lint: every command line of a body must end in && (or || |
# or open a block), except the last one of the body or of its block.
# Inside a loop the last command must end in "|| return 1" (or exit): the
# loop's status is only that of its last round.
#
# Input: the body. Output: one "line N: TEXT: why" per fault; exit 1 if
# any. Here-document contents and continued lines (a trailing backslash,
# a quote left open) are not commands and are skipped.

function strip(s) {
	sub(/^[ \t]+/, "", s)
	sub(/[ \t]+$/, "", s)
	return s
}

# Scan one raw line: track quotes across lines, drop a comment, note a
# here-document's delimiter. Returns the code part of the line.
function scan(s,    i, c, out, n, word, rest, m) {
	out = ""
	n = length(s)
	for (i = 1; i <= n; i++) {
		c = substr(s, i, 1)
		if (quote == "'") {
			out = out c
			if (c == "'")
				quote = ""
			continue
		}
		if (quote == "\"") {
			out = out c
			if (c == "\\") {
				out = out substr(s, i + 1, 1)
				i++
			} else if (c == "\"")
				quote = ""
			continue
		}
		if (c == "\\") {
			out = out c substr(s, i + 1, 1)
			i++
			continue
		}
		if (c == "'" || c == "\"") {
			quote = c
			out = out c
			continue
		}
		if (c == "#" && (i == 1 || substr(s, i - 1, 1) ~ /[ \t;|&(]/))
			break
		if (c == "<" && substr(s, i, 3) == "<<<") {
			out = out "<<<"
			i += 2
			continue
		}
		if (c == "<" && substr(s, i, 2) == "<<") {
			rest = substr(s, i + 2)
			strip_tabs = (substr(rest, 1, 1) == "-")
			if (strip_tabs)
				rest = substr(rest, 2)
			if (match(rest, /^[ \t]*\\?["']?[A-Za-z0-9_]+["']?/)) {
				word = substr(rest, RSTART, RLENGTH)
				gsub(/[ \t"'\\]/, "", word)
				heredoc = word
				heredoc_tabs = strip_tabs
				m = RLENGTH
				out = out "<<" word
				i += 1 + strip_tabs + m
				continue
			}
		}
		out = out c
	}
	return out
}

BEGIN {
	quote = ""
	heredoc = ""
	nlog = 0
	pending = ""
	faults = 0
}

{
	raw = $0
	if (in_doc != "") {
		t = raw
		if (in_doc_tabs)
			sub(/^\t+/, "", t)
		if (strip(t) == in_doc)
			in_doc = ""
		next
	}
	was_quoted = (quote != "")
	code = scan(raw)
	if (was_quoted) {
		pending = pending " " code
	} else if (pending != "") {
		pending = pending " " code
	} else {
		pending = code
		start = NR
	}
	if (heredoc != "") {
		in_doc = heredoc
		in_doc_tabs = heredoc_tabs
		heredoc = ""
	}
	# A line continued by a backslash or inside a quote is not done.
	if (quote != "" || pending ~ /\\$/) {
		sub(/\\$/, "", pending)
		next
	}
	line = strip(pending)
	pending = ""
	if (line == "")
		next
	nlog++
	text[nlog] = line
	where[nlog] = start
}

function closes(l) {
	return l ~ /^(\}|\)|fi([ \t;&|)]|$)|done([ \t;&|)<>]|$)|esac([ \t;&|)]|$)|else([ \t]|$)|elif[ \t]|;;)/
}

function chained(l) {
	# A job sent to the background ("cmd &") has no status to chain.
	if (l ~ /[^&]&$/)
		return 1
	return l ~ /(&&|\|\||\||\{|\(|[ \t;]then|^then|[ \t;]do|^do|^else|[ \t;]else|;;|[ \t]in)$/
}

function handled(l) {
	return l ~ /\|\|[ \t]*(return|exit)([ \t]+[0-9]+)?$/ ||
	    l ~ /(return|exit)([ \t]+[0-9]+)?[ \t]*;?[ \t]*\}$/
}

# Two commands on one line joined by ";": the first can fail unseen.
# Quoted text and (...) { ...; } groups are not looked into.
function semicolon(l,    b, prev) {
	b = l
	gsub(/'[^']*'/, "''", b)
	gsub(/"([^"\\]|\\.)*"/, "\"\"", b)
	do {
		prev = b
		gsub(/\([^()]*\)/, "P", b)
		gsub(/\{[^{}]*\}/, "B", b)
	} while (b != prev)
	# A group opened or closed on another line: diagnostics after ||.
	if (b ~ /^(if|elif|while|until|for|case)[ \t]/ || b ~ /[(){}]/)
		return 0
	gsub(/;;/, "", b)
	gsub(/;[ \t]*(then|do|else)([ \t]|$)/, " ", b)
	return b ~ /;[ \t]*[^ \t]/
}

function fault(i, why) {
	printf "line %d: %s: %s\n", where[i], text[i], why
	faults++
}

END {
	casedepth = 0
	for (i = 1; i <= nlog; i++) {
		l = text[i]
		if (l ~ /^case[ \t]/ && l ~ /[ \t]in$/)
			casedepth++
		if (l ~ /^esac/)
			casedepth--
		if (semicolon(l))
			fault(i, "two commands joined by \";\": use &&")
		if (i == nlog)
			break
		nx = text[i + 1]
		# A pattern line of a case: "a|b)".
		if (casedepth > 0 && l ~ /^[^ \t()]*\)$/)
			continue
		if (nx ~ /^done([ \t;&|)<>]|$)/) {
			if (!handled(l) && l !~ /^done/ && !chained(l))
				fault(i, "the last command of a loop needs " \
				    "\"|| return 1\"")
			else if (l ~ /^done/ && !handled(l))
				fault(i, "a loop inside a loop needs " \
				    "\"|| return 1\" after its done")
			continue
		}
		if (chained(l) || closes(nx))
			continue
		fault(i, "not joined to the next command with &&")
	}
	exit faults > 0
}
