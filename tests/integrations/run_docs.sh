#!/usr/bin/env bash
# run_docs.sh CAPFIX: the man pages and the shell completions.
#  - every page formats without a warning (groff -man -ww -z);
#  - every long option that `capfix COMMAND --help` lists is documented in capfix-COMMAND(1);
#  - the bash completion, driven as bash drives it (COMP_WORDS, compgen), completes commands,
#    options, formats, severities, policy kinds, capability names and rule ids;
#  - the zsh completion parses.
set -u
capfix=$(realpath "${1:?usage: run_docs.sh CAPFIX}")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

if command -v groff >/dev/null; then
	for page in "$root"/doc/man/*.[15]; do
		out=$(groff -man -ww -z "$page" 2>&1)
		[ -z "$out" ] || fail "$(basename "$page"): groff says: $out"
	done
else
	echo "skip: groff is not installed"
fi
for cmd in fix scan policy explain images; do
	page=$root/doc/man/capfix-$cmd.1
	[ -f "$page" ] || { fail "no man page for $cmd"; continue; }
	for opt in $("$capfix" $cmd --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		grep -q -- "$(printf '%s' "$opt" | sed 's/-/\\\\-/g')" "$page" ||
			fail "capfix-$cmd.1 does not document $opt"
	done
done
[ -f "$root/doc/man/capfix.yaml.5" ] || fail "no capfix.yaml(5)"

# bash completion
mkdir -p "$tmp/bin" && ln -s "$capfix" "$tmp/bin/capfix"
complete_words() { # complete_words WORD...: the completions of the last word
	PATH="$tmp/bin:$PATH" bash -c '
		source "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_capfix capfix "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$root/completion/capfix.bash" "$@"
}
expect() { # expect WANT WORD...: WANT is among the completions
	local want=$1
	shift
	complete_words "$@" | grep -qx -- "$want" || fail "completing '$*': no $want (got: $(complete_words "$@" | tr '\n' ' '))"
}
expect fix capfix f
expect explain capfix ex
expect images capfix im
expect --format capfix images --form
expect --drop-only capfix fix --dr
expect --backout capfix fix --back
expect --fail-on capfix scan --fail
expect sarif capfix scan --format s
expect high capfix scan --fail-on h
expect kyverno capfix policy k
expect --per-need capfix policy psp --per
expect NET_RAW capfix fix --deny NET_R
expect SYS_ADMIN,NET_RAW capfix fix --deny SYS_ADMIN,NET_R
expect CF002 capfix explain cf00
expect SYS_PTRACE capfix explain sys_p
[ -z "$(complete_words capfix fix --branch x)" ] || fail "a branch name was completed with something"
# every rule id scan can report is completed by explain
for id in $(grep -o 'CF[0-9][0-9][0-9]' "$root/README.md" | sort -u); do
	expect "$id" capfix explain "$id"
done

if command -v zsh >/dev/null; then
	zsh -n "$root/completion/_capfix" || fail "_capfix does not parse"
else
	echo "skip: zsh is not installed"
fi
echo "docs: $fails failures"
[ $fails -eq 0 ]
