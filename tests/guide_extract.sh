#!/bin/sh
# guide_extract.sh GUIDE DIR: the files and the commands of a guide that
# its tests follow literally (docs/own-sut.md, "How this page is tested").
#
# The convention, in the guide's Markdown (fences at the start of a line):
#
#   ```LANG file=PATH        the block is the whole of file PATH, relative
#   ...                      to the reader's working directory; PATH is
#   ```                      [A-Za-z0-9._/-], without '..', given once
#
#   ```console               each line "$ COMMAND" is a command the reader
#   $ COMMAND                types in that directory, in the order of the
#   sample output            guide; other lines are sample output, never
#   ```                      checked. A command must exit 0 unless it ends
#                            with a comment "# exits N".
#
# Every other block is an illustration: neither written nor run.
#
# Writes each file under DIR (parent directories made) and prints the
# commands on stdout, one per line, "$ " removed. A block left open, a bad
# or repeated PATH: a message naming the guide's line on stderr, exit 1.
set -eu
[ $# = 2 ] || { echo "usage: guide_extract.sh GUIDE DIR" >&2; exit 2; }
guide=$1 dir=$2
[ -r "$guide" ] || { echo "guide_extract: cannot read '$guide'" >&2; exit 1; }
mkdir -p "$dir"

awk -v dir="$dir" -v guide="$guide" '
function die(msg) {
	printf "guide_extract: %s:%d: %s\n", guide, NR, msg > "/dev/stderr"
	failed = 1
	exit 1
}
function open_file(info,   p, n, parts, i) {
	if (!match(info, /file=[^ \t]*/))
		return ""
	p = substr(info, RSTART + 5, RLENGTH - 5)
	if (p == "" || p !~ /^[A-Za-z0-9._\/-]+$/ || p ~ /^\//)
		die("file=" p ": a relative path of [A-Za-z0-9._/-] wanted")
	n = split(p, parts, "/")
	for (i = 1; i <= n; i++)
		if (parts[i] == ".." || parts[i] == "")
			die("file=" p ": no empty or .. components")
	if (p in seen)
		die("file=" p " is given twice (first at line " seen[p] ")")
	seen[p] = NR
	if (n > 1 && system("mkdir -p \"" dir "/" substr(p, 1, length(p) - length(parts[n]) - 1) "\"") != 0)
		die("cannot make the directory of " p)
	out = dir "/" p
	printf "" > out
	return out
}
!inblock && /^```/ {
	info = substr($0, 4)
	sub(/^[ \t]+/, "", info)
	inblock = 1
	opened = NR
	kind = "other"
	if (info ~ /(^|[ \t])file=/) {
		kind = "file"
		path = open_file(info)
	} else if (info ~ /^console[ \t]*$/) {
		kind = "console"
	}
	next
}
inblock && /^```[ \t]*$/ {
	if (kind == "file")
		close(path)
	inblock = 0
	next
}
inblock && kind == "file" { print > path; next }
inblock && kind == "console" && /^\$ / { print substr($0, 3); next }
END {
	if (failed)
		exit 1
	if (inblock) {
		printf "guide_extract: %s:%d: block never closed\n", guide, opened > "/dev/stderr"
		exit 1
	}
}
' "$guide"
