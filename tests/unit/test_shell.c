/* Unit tests for shell.c: a table of scripts, the programs they run and what those need. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/caps.h"
#include "capfix/shell.h"

/*
 * script: run by `sh -c` (or, with argv set, the words of an exec'd vector
 * separated by '\x1f'); programs: the basenames in command position, in
 * order, "~" before one that runs as another user than root; caps: what
 * they need, in catalogue order.
 */
struct shell_case {
	const char *script;
	bool argv;
	const char *programs;
	const char *caps;
};

static const struct shell_case cases[] = {
	/* data is not a program */
	{ "echo please chown", false, "echo", "" },
	{ "echo \"please chown\" && printf 'ping %s' x", false, "echo printf", "" },
	{ "grep -r ping /etc", false, "grep", "" },
	{ "apk add tcpdump", false, "apk", "CHOWN" },
	{ "apk add --no-cache tcpdump iputils", false, "apk", "CHOWN" },
	{ "apk info tcpdump", false, "apk", "" },
	{ "cat /etc/chown.conf | grep chmod", false, "cat grep", "" },
	{ "./chown.sh && ./mychmod", false, "chown.sh mychmod", "" },
	{ "--chown-files=false\x1f./chown.sh\x1fmychmod", true, "--chown-files=false", "" },
	{ "echo $(chown -R 1 /d)", false, "echo chown", "CHOWN" },
	{ "echo `ping -c1 x`", false, "echo ping", "NET_RAW" },
	{ "echo \"$(id -u)\" '$(chown x)'", false, "echo id", "" },
	/* programs and control operators */
	{ "chown -R 999:999 /data && chmod 0700 /data", false, "chown chmod", "CHOWN,FOWNER" },
	{ "chown a b; chgrp c d", false, "chown chgrp", "CHOWN" },
	{ "true || ping -c1 db", false, "true ping", "NET_RAW" },
	{ "ps aux | grep x | tcpdump -i any", false, "ps grep tcpdump", "NET_RAW" },
	{ "sleep 1 & traceroute x", false, "sleep traceroute", "NET_RAW" },
	{ "a\nb\n  arping -c1 h", false, "a b arping", "NET_RAW" },
	{ "(cd /x && chown a b)", false, "cd chown", "CHOWN" },
	{ "{ chown a b; }", false, "chown", "CHOWN" },
	{ "/bin/chown a b", false, "chown", "CHOWN" },
	{ "chown --help", false, "chown", "" },
	{ "ping6 ::1 |& cat", false, "ping6 cat", "NET_RAW" },
	/* keywords */
	{ "until ping -c1 db; do sleep 1; done", false, "ping sleep", "NET_RAW" },
	{ "while true; do chown a b; done", false, "true chown", "CHOWN" },
	{ "if [ -d /x ]; then chown a /x; else echo no; fi", false, "[ chown echo", "CHOWN" },
	{ "if ! ping -c1 x; then exit 1; fi", false, "ping exit", "NET_RAW" },
	{ "for f in chown ping; do echo $f; done", false, "echo", "" },
	{ "for f in a b\ndo chmod 600 $f\ndone", false, "chmod", "FOWNER" },
	{ "case $1 in start) chown a b;; ping) echo p;; esac", false, "chown echo", "CHOWN" },
	{ "case x in (a|b) mount -t tmpfs x /y ;; *) : ;; esac; echo", false, "mount : echo",
	  "SYS_ADMIN" },
	{ "f() { chown a b; }; f", false, "chown f", "CHOWN" },
	{ "function g { chmod 1 x; }", false, "chmod", "FOWNER" },
	/* assignments, redirections, comments, here-documents */
	{ "A=1 B=\"x y\" chown a b", false, "chown", "CHOWN" },
	{ "A=1", false, "", "" },
	{ "chown a b > /dev/null 2>&1", false, "chown", "CHOWN" },
	{ "echo x >ping; cat <chown", false, "echo cat", "" },
	{ "# chown everything\necho hi # ping", false, "echo", "" },
	{ "cat <<EOF\nchown a b\nping x\nEOF\nchmod 1 f", false, "cat chmod", "FOWNER" },
	{ "cat <<-'END'\n\tchown a\n\tEND\necho", false, "cat echo", "" },
	{ "ch'own' a b", false, "chown", "CHOWN" },
	{ "\"chown\" a b", false, "chown", "CHOWN" },
	{ "c\\\nhown a b", false, "chown", "CHOWN" },
	{ "echo 'unterminated chown", false, "echo", "" },
	{ "echo $((1+2)) ${X:-chown}", false, "echo", "" },
	/* wrappers */
	{ "exec chown a b", false, "exec chown", "CHOWN" },
	{ "exec -a name ping x", false, "exec ping", "NET_RAW" },
	{ "command chown a b", false, "command chown", "CHOWN" },
	{ "command -v ping", false, "command", "" },
	{ "env -i PATH=/bin A=1 ping x", false, "env ping", "NET_RAW" },
	{ "env -u HOME --chdir=/ chown a b", false, "env chown", "CHOWN" },
	{ "nohup nice -n 5 timeout -s KILL 10 ping x", false, "nohup nice timeout ping",
	  "NET_RAW" },
	{ "sudo -u root chown a b", false, "sudo chown", "CHOWN,SETGID,SETUID" },
	{ "sudo -u app chown a b", false, "sudo ~chown", "SETGID,SETUID" },
	{ "tini -- chown a b", false, "tini chown", "CHOWN" },
	{ "dumb-init --single-child -- ping x", false, "dumb-init ping", "NET_RAW" },
	{ "xargs -n1 chown app", false, "xargs chown", "CHOWN" },
	{ "find /d -user 0 -exec chown app {} \\; -exec chmod 600 {} +", false, "find chown chmod",
	  "CHOWN,FOWNER" },
	{ "busybox ping -c1 x", false, "busybox ping", "NET_RAW" },
	{ "eval \"chown a b\"", false, "eval chown", "CHOWN" },
	/* user switchers: what runs after the switch has no capabilities */
	{ "gosu postgres chown a b", false, "gosu ~chown", "SETGID,SETUID" },
	{ "/usr/local/bin/gosu\x1f"
	  "app\x1f/migrate.sh",
	  true, "gosu ~migrate.sh", "SETGID,SETUID" },
	{ "gosu root chown a b", false, "gosu chown", "CHOWN,SETGID,SETUID" },
	{ "su-exec 1000:1000 ping x", false, "su-exec ~ping", "SETGID,SETUID" },
	{ "setpriv --reuid=1000 --regid=1000 --init-groups ping x", false, "setpriv ~ping",
	  "SETGID,SETUID" },
	{ "setpriv --no-new-privs chown a b", false, "setpriv chown", "CHOWN" },
	{ "runuser -u app -- ping x", false, "runuser ~ping", "SETGID,SETUID" },
	{ "su app -c 'ping x'", false, "su ~ping", "SETGID,SETUID" },
	{ "su -c 'chown a b'", false, "su chown", "CHOWN,SETGID,SETUID" },
	{ "chpst -u app ping x", false, "chpst ~ping", "SETGID,SETUID" },
	{ "chpst -n 5 chown a b", false, "chpst chown", "CHOWN" },
	{ "gosu app sh -c 'kill 1'; kill 2", false, "gosu ~sh ~kill kill", "KILL,SETGID,SETUID" },
	/* shells within shells */
	{ "sh\x1f-c\x1f"
	  "chown -R 1 /d && exec ping x",
	  true, "sh chown exec ping", "CHOWN,NET_RAW" },
	{ "bash\x1f-ec\x1f"
	  "chmod 1 f",
	  true, "bash chmod", "FOWNER" },
	{ "/bin/sh\x1f-xc\x1f"
	  "echo chown",
	  true, "sh echo", "" },
	{ "bash\x1f-o\x1fpipefail\x1f-c\x1fping x | cat", true, "bash ping cat", "NET_RAW" },
	{ "sh\x1f/entrypoint.sh\x1f-c", true, "sh", "" },
	{ "sh -c \"sh -c 'chown a b'\"", false, "sh sh chown", "CHOWN" },
	{ "bash -lc 'ping x'", false, "bash ping", "NET_RAW" },
	/* networks, mounts, devices */
	{ "iptables -t nat -A POSTROUTING -j MASQUERADE", false, "iptables", "NET_ADMIN,NET_RAW" },
	{ "ip addr show", false, "ip", "" },
	{ "ip link set eth0 up", false, "ip", "NET_ADMIN" },
	{ "tc qdisc add dev eth0 root netem delay 1ms", false, "tc", "NET_ADMIN" },
	{ "mount", false, "mount", "" },
	{ "mount -t tmpfs none /mnt", false, "mount", "SYS_ADMIN" },
	{ "mknod /dev/x c 1 3", false, "mknod", "MKNOD" },
	{ "setcap cap_net_raw+ep /bin/x", false, "setcap", "SETFCAP" },
	/* package managers */
	{ "apt-get update && apt-get install -y curl", false, "apt-get apt-get",
	  "CHOWN,DAC_OVERRIDE,FOWNER,SETGID,SETUID" },
	{ "apt-get -o Debug=1 install tcpdump", false, "apt-get",
	  "CHOWN,DAC_OVERRIDE,FOWNER,SETGID,SETUID" },
	{ "apt-cache policy ping", false, "apt-cache", "" },
	{ "dpkg -i /tmp/x.deb", false, "dpkg", "CHOWN,DAC_OVERRIDE,FOWNER,SETGID,SETUID" },
	{ "dpkg -l", false, "dpkg", "" },
	{ "dnf install -y iputils", false, "dnf", "" },
	{ "rpm -qa", false, "rpm", "" },
};

static void add_program(void *ctx, const char *const *argv, size_t argc, bool root)
{
	struct sbuf *sb = ctx;

	(void)argc;
	sbuf_addf(sb, "%s%s%s", sb->len ? " " : "", root ? "" : "~", shell_basename(argv[0]));
}

static void caps_text(uint64_t caps, struct sbuf *sb)
{
	size_t i;

	for (i = 0; i < caps_count(); i++)
		if (caps & ((uint64_t)1 << caps_at(i)->number))
			sbuf_addf(sb, "%s%s", sb->len ? "," : "", caps_at(i)->name);
}

static void run_case(const struct shell_case *c, struct sbuf *progs, struct shell_needs *n)
{
	if (c->argv) {
		const char *argv[16];
		char buf[512];
		size_t argc = 0;
		char *p = buf, *q;

		snprintf(buf, sizeof(buf), "%s", c->script);
		while (argc < 16) {
			argv[argc++] = p;
			if (!(q = strchr(p, '\x1f')))
				break;
			*q = '\0';
			p = q + 1;
		}
		shell_each_program_argv(argv, argc, true, add_program, progs);
		shell_needs_argv(n, argv, argc, true);
	} else {
		shell_each_program(c->script, true, add_program, progs);
		shell_needs_script(n, c->script, true);
	}
}

static void test_table(void **state)
{
	size_t i, bad = 0;

	(void)state;
	assert_true(ARRAY_SIZE(cases) >= 60);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct sbuf progs = SBUF_INIT, caps = SBUF_INIT;
		struct shell_needs n;

		shell_needs_init(&n);
		run_case(&cases[i], &progs, &n);
		caps_text(n.caps, &caps);
		if (strcmp(sbuf_cstr(&progs), cases[i].programs) ||
		    strcmp(sbuf_cstr(&caps), cases[i].caps)) {
			print_message(
				"case %zu %s\n  programs: got [%s] want [%s]\n  caps: got [%s] want [%s]\n",
				i, cases[i].script, sbuf_cstr(&progs), cases[i].programs,
				sbuf_cstr(&caps), cases[i].caps);
			bad++;
		}
		sbuf_release(&progs);
		sbuf_release(&caps);
	}
	assert_int_equal(bad, 0);
}

static void test_reasons_and_sources(void **state)
{
	const struct cap_info *chown = caps_lookup("CHOWN"), *raw = caps_lookup("NET_RAW");
	const struct cap_info *setuid = caps_lookup("SETUID");
	struct shell_needs n;

	(void)state;
	shell_needs_init(&n);
	shell_needs_script(&n, "chown a b; ping x; apt-get install y", true);
	assert_string_equal(n.why[chown->number], "the command runs chown");
	assert_string_equal(n.why[raw->number], "the command runs ping");
	assert_non_null(strstr(n.source[raw->number], "capabilities(7)"));
	assert_non_null(strstr(n.why[setuid->number], "apt-get"));
	assert_non_null(strstr(n.source[setuid->number], "evidence.md"));
	assert_null(n.unmeasured);
	shell_needs_init(&n);
	shell_needs_script(&n, "microdnf install -y tar && yum -y update", true);
	assert_string_equal(n.unmeasured, "microdnf");
	assert_int_equal(n.caps, 0);
}

static void test_not_root_needs_nothing(void **state)
{
	struct shell_needs n;

	(void)state;
	shell_needs_init(&n);
	shell_needs_script(&n, "chown a b && ping x && gosu app true", false);
	assert_int_equal(n.caps, 0);
	assert_int_equal(n.programs, 4);
}

static void test_hostile_input(void **state)
{
	struct sbuf sb = SBUF_INIT;
	struct shell_needs n;
	size_t i;

	(void)state;
	/* deep nesting stops at SHELL_MAX_DEPTH; unterminated constructs end at the text's end */
	for (i = 0; i < 40; i++)
		sbuf_addstr(&sb, "sh -c \"$(");
	sbuf_addstr(&sb, "chown a b");
	shell_needs_init(&n);
	shell_needs_script(&n, sbuf_cstr(&sb), true);
	assert_int_equal(n.caps, 0);
	sbuf_setlen(&sb, 0);
	for (i = 0; i < 5000; i++)
		sbuf_addstr(&sb, "exec ");
	sbuf_addstr(&sb, "ping x");
	shell_needs_init(&n);
	shell_needs_script(&n, sbuf_cstr(&sb), true);
	assert_int_equal(n.programs, 5001);
	shell_needs_init(&n);
	shell_needs_script(&n, "`\\", true);
	shell_needs_script(&n, "$(", true);
	shell_needs_script(&n, "${", true);
	shell_needs_script(&n, "\"$(chown", true);
	shell_needs_script(&n, "cat <<", true);
	shell_needs_script(&n, "cat <<E\nx", true);
	shell_needs_script(&n, "case", true);
	shell_needs_script(&n, "3>", true);
	shell_needs_script(&n, "", true);
	sbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_reasons_and_sources),
		cmocka_unit_test(test_not_root_needs_nothing),
		cmocka_unit_test(test_hostile_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
