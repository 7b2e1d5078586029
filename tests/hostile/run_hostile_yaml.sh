#!/bin/sh
# run_hostile_yaml.sh CAPFIX
#
# capfix fix and scan on hostile YAML: alias bombs (billion laughs), nesting
# 10 thousand and a million levels deep, huge scalars and lines, NUL bytes,
# invalid UTF-8 (one of which made libfyaml loop forever), duplicate keys,
# many containers and documents, files over --max-file-size. Each run must
# end within a time limit and (in builds without AddressSanitizer, which
# reserves terabytes of address space) within a virtual memory limit, with
# the documented exit code and a clear message, leaving refused files
# byte-identical.
set -u
capfix=${1:?usage: run_hostile_yaml.sh CAPFIX}
case $capfix in /*) ;; *) capfix=$(pwd)/$capfix ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/capfix-hostile-yaml.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0
cases=0
T=${CAPFIX_HOSTILE_TIMEOUT:-60} # seconds per run
MEM=2000000                     # KiB of virtual memory per run (ulimit -v)
if ldd "$capfix" 2>/dev/null | grep -q libasan || nm "$capfix" 2>/dev/null | grep -q __asan_init; then
	MEM=unlimited
fi

fail() {
	echo "FAIL [$name]: $*" >&2
	fails=$((fails + 1))
	ok=0
}

# gen FILE PYTHON-EXPRESSION: write the bytes the expression gives (POD is a Pod manifest)
gen() {
	python3 - "$tmp/$1" "$2" <<'PY'
import sys
POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx\n"
data = eval(sys.argv[2])
if isinstance(data, str):
    data = data.encode()
open(sys.argv[1], "wb").write(data)
PY
}

# check NAME FILE FIX_RC SCAN_RC REGEX [FIX ARGS...]: run fix and scan on FILE
check() {
	name=$1 file=$2 fixrc=$3 scanrc=$4 msg=$5
	shift 5
	cases=$((cases + 1))
	ok=1
	w=$tmp/case$cases
	mkdir -p "$w"
	cp "$tmp/$file" "$w/$file"
	(cd "$w" && ulimit -v $MEM && timeout $T "$capfix" fix --no-config -q "$@" "$file" \
		>"$tmp/out" 2>"$tmp/err")
	rc=$?
	[ $rc = 124 ] && fail "fix did not finish within ${T}s"
	[ $rc = "$fixrc" ] || fail "fix: exit $rc, expected $fixrc"
	if [ -n "$msg" ] && ! grep -Eq "$msg" "$tmp/err"; then
		fail "fix: stderr does not match /$msg/"
	fi
	if grep -q 'AddressSanitizer\|runtime error\|BUG\|out of memory' "$tmp/err"; then
		fail "fix: crash, sanitizer report or out of memory"
	fi
	if [ "$fixrc" = 3 ] && ! cmp -s "$tmp/$file" "$w/$file"; then
		fail "fix refused the file but changed it"
	fi
	[ -z "$(find "$w" -name '.*.capfix-*')" ] || fail "temporary files left"
	[ $ok = 1 ] || sed 's/^/    fix stderr: /' "$tmp/err" | head -5 >&2
	cp "$tmp/$file" "$w/$file"
	(cd "$w" && ulimit -v $MEM && timeout $T "$capfix" scan --format json -o report.json "$@" \
		"$file" >"$tmp/out" 2>"$tmp/err")
	rc=$?
	[ $rc = 124 ] && fail "scan did not finish within ${T}s"
	[ $rc = "$scanrc" ] || fail "scan: exit $rc, expected $scanrc"
	if grep -q 'AddressSanitizer\|runtime error\|BUG\|out of memory' "$tmp/err"; then
		fail "scan: crash, sanitizer report or out of memory"
	fi
	if [ $rc != 124 ] && ! python3 -c 'import json,sys; json.load(open(sys.argv[1]))' \
		"$w/report.json" 2>/dev/null; then
		fail "scan: the JSON report is missing or invalid"
	fi
	[ $ok = 1 ] && echo "ok   $name"
	[ $ok = 1 ] || sed 's/^/    scan stderr: /' "$tmp/err" | head -5 >&2
	rm -rf "$w"
}

# ---- aliases ----
gen bomb.yaml '"\n".join(["x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"] + ["x%d: &a%d [%s]" % (i, i, ", ".join(["*a%d" % (i - 1)] * 9)) for i in range(1, 10)]) + "\n" + POD[:-1].replace("metadata:", "metadata:") + "\n    args: *a9\n    env: [{name: X, value: *a9}]\n  - *a9\n  - name: d\n    image: i\n    securityContext: *a8\n"'
check "billion laughs: aliases are never expanded" bomb.yaml 0 1 'left alone'

gen bomb-list.yaml '"\n".join(["x0: &a0 [{name: c, image: i}, {name: c, image: i}, {name: c, image: i}]"] + ["x%d: &a%d [%s]" % (i, i, ", ".join(["*a%d" % (i - 1)] * 9)) for i in range(1, 12)]) + "\n" + "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: *a11\n  initContainers: [*a11, *a10]\n"'
check "an alias bomb as the containers list" bomb-list.yaml 0 0 'the list is an alias'

gen alias-chain.yaml '"a0: &a0 {name: c, image: i}\n" + "".join("a%d: &a%d *a%d\n" % (i, i, i - 1) for i in range(1, 2000)) + POD + "  - *a1999\n"'
check "anchors on aliases (2000 of them) are refused" alias-chain.yaml 3 3 'alias-chain\.yaml:2:[0-9]+: error'

# ---- nesting ----
gen deep-10k.yaml 'POD + "    args: " + "[" * 9990 + "]" * 9990 + "\n"'
check "nesting 9995 levels deep" deep-10k.yaml 0 1 ''

gen deep-flow-1m.yaml 'POD + "    args: " + "[" * 1000000 + "]" * 1000000 + "\n"'
check "a million nested [" deep-flow-1m.yaml 3 3 'nested more than 10000 levels deep'

gen deep-map-300k.yaml 'POD + "    env: " + "{a: " * 300000 + "b" + "}" * 300000 + "\n"'
check "300 thousand nested {a: " deep-map-300k.yaml 3 3 'nested more than 10000 levels deep'

gen deep-unclosed.yaml 'POD + "    args: " + "[" * 1000000'
check "a million unclosed [" deep-unclosed.yaml 3 3 'error'

gen deep-block.yaml 'POD + "    env:\n" + "".join("  " * (i + 3) + "- a:\n" for i in range(3000))'
check "block collections 6000 levels deep" deep-block.yaml 0 1 ''

gen deep-json.json '"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"args\":" + "[" * 200000 + "]" * 200000 + "}]}}"'
check "JSON nested 200 thousand levels" deep-json.json 3 3 'nested more than 10000 levels deep'

# libfyaml 0.7.12 corrupts its parser after this error and crashed capfix when destroying it
gen tab-complex-key.yaml 'POD.replace("  name: p\n", "  name: p\n  labels:\n    ? a:\t?\n")'
check "a tab before ? after a key in a complex key (libfyaml crashed)" tab-complex-key.yaml 3 3 'tab-complex-key\.yaml:6:9: error: cannot use tab'

# ---- sizes ----
gen huge-scalar.yaml 'POD + "    args: [\"" + "x" * (64 << 20) + "\"]\n"'
check "a 64 MiB scalar" huge-scalar.yaml 0 1 ''

gen huge-key.yaml 'POD + "    " + "k" * (16 << 20) + ": v\n"'
check "a 16 MiB mapping key" huge-key.yaml 0 1 ''

gen long-line.json '"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[" + ",".join("{\"name\":\"c%d\",\"image\":\"i\"}" % i for i in range(50000)) + "]}}"'
check "50 thousand containers on one JSON line" long-line.json 0 1 ''

gen many-containers.yaml 'POD.replace("  - name: c\n    image: nginx\n", "".join("  - name: c%d\n    image: nginx\n    ports: [{containerPort: 80}]\n" % i for i in range(20000)))'
check "20 thousand containers" many-containers.yaml 0 1 ''

gen many-docs.yaml '("---\n" + POD) * 20000'
check "20 thousand documents" many-docs.yaml 0 1 ''

gen many-keys.yaml 'POD + "".join("    k%d: v\n" % i for i in range(200000))'
check "a container with 200 thousand keys" many-keys.yaml 0 1 ''

gen many-anchors.yaml 'POD + "    env:\n" + "".join("    - &a%d {name: v%d}\n" % (i, i) for i in range(50000)) + "    args: [" + ", ".join("*a%d" % i for i in range(0, 50000, 7)) + "]\n"'
check "50 thousand anchors and aliases" many-anchors.yaml 0 1 ''

gen big.yaml 'POD + "# " + "x" * (2 << 20) + "\n"'
check "a file over --max-file-size" big.yaml 3 3 'larger than 1048576 bytes' --max-file-size 1M

gen at-limit.yaml 'POD + "#" * (4096 - len(POD) - 1) + "\n"'
check "a file exactly at --max-file-size" at-limit.yaml 0 1 '' --max-file-size 4K

# ---- bytes ----
gen nul.yaml 'POD.replace("image: nginx", "image: ngi\0nx")'
check "a NUL byte in a scalar" nul.yaml 3 3 'nul\.yaml:8:15: error: NUL byte'

gen nul-hides.yaml 'b"# a\n\0\n---\n" + POD.replace("nginx", "nginx\n    securityContext: {privileged: true}").encode()'
check "a NUL byte does not hide a privileged pod from scan" nul-hides.yaml 3 3 'NUL byte'

gen utf8.yaml 'POD.encode().replace(b"name: c", b"name: caf\xe9")'
check "invalid UTF-8 in a scalar" utf8.yaml 3 3 'utf8\.yaml:7:14: error: invalid UTF-8 \(byte 0xe9\)'

gen utf8-directive.yaml 'b"%\x91"'
check "invalid UTF-8 in a directive (libfyaml looped forever)" utf8-directive.yaml 3 3 'invalid UTF-8'

gen utf8-comment.yaml 'b"# caf\xe9\n" + POD.encode()'
check "invalid UTF-8 in a comment" utf8-comment.yaml 3 3 'utf8-comment\.yaml:1:6: error: invalid UTF-8'

gen overlong.yaml 'POD.encode() + b"# \xc0\xaf \xed\xa0\x80\n"'
check "overlong forms and surrogates" overlong.yaml 3 3 'invalid UTF-8 \(byte 0xc0\)'

gen utf16.yaml 'b"\xff\xfe" + POD.encode("utf-16-le")'
check "a UTF-16 file" utf16.yaml 3 3 'error'

gen control.yaml 'POD.replace("image: nginx", "image: \"ngi\\u0000nx\\x1b[2J\\u0085\"")'
check "escaped NUL and control characters in a scalar" control.yaml 0 1 ''

gen surrogate.yaml 'POD.replace("image: nginx", "image: \"\\ud800\"")'
check "an escaped lone surrogate" surrogate.yaml 3 3 'invalid UTF8 escape'

gen bom-only.yaml 'b"\xef\xbb\xbf"'
check "only a byte order mark" bom-only.yaml 0 0 ''

gen empty.yaml '""'
check "an empty file" empty.yaml 0 0 ''

gen crlf-mixed.yaml 'POD.replace("\n", "\r\n", 3).replace("\n", "\r")'
check "CR and CRLF line ends mixed" crlf-mixed.yaml 0 1 ''

# ---- structure ----
gen dup.yaml 'POD.replace("  containers:\n", "  containers: []\n" * 5000 + "  containers:\n")'
check "5000 duplicate keys" dup.yaml 0 1 'duplicate key "containers"'

gen complex-key.yaml 'POD + "    ? [a, b]\n    : c\n"'
check "a collection as a mapping key" complex-key.yaml 3 3 'mapping key is itself a mapping or list'

gen template.yaml 'POD.replace("name: p", "name: {{ .Release.Name }}\n  {{- if .Values.x }}")'
check "a Go template" template.yaml 3 3 'looks like a Go/Helm template'

gen tags.yaml 'POD.replace("image: nginx", "image: !!binary aGVsbG8=\n    securityContext: !custom {capabilities: !!map {drop: !!seq [NET_RAW]}}")'
check "tags on the way to the capabilities" tags.yaml 0 1 ''

# ---- many documents: memory follows the largest document, not their count ----
# (a file of 2,000,000 `---` lines held 260 MB of parsed documents; one at a time it stays small)
gen dashes.yaml '"---\n" * 2000000 + POD'
cases=$((cases + 1))
name="2,000,000 empty documents in one file"
ok=1
w=$tmp/case$cases
mkdir -p "$w" && cp "$tmp/dashes.yaml" "$w/"
rss=$(cd "$w" && /usr/bin/time -f '%M' timeout 600 "$capfix" fix --no-config -q dashes.yaml 2>&1 >/dev/null | tail -1)
case $rss in '' | *[!0-9]*) fail "no memory figure: $rss" ;; esac
if [ -n "$rss" ] && [ "$rss" -eq "$rss" ] 2>/dev/null; then
	# the 8 MB file itself, read once, plus the fixed text: well under 64 MB (sanitizers add more)
	limit=65536
	[ "$MEM" = unlimited ] && limit=262144
	[ "$rss" -lt $limit ] || fail "peak memory ${rss} KB (limit ${limit} KB)"
fi
tail -c 200 "$w/dashes.yaml" | grep -q -- '- ALL' || fail "the last document was not fixed"
[ $ok = 1 ] && echo "ok   $name"

echo "hostile YAML: $cases cases, $fails failures"
[ $fails = 0 ]
