/* Unit tests for addlist.c: the add-list decision as a pure function. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/addlist.h"
#include "capfix/caps.h"

static const struct addlist_opts defaults = { false, false, 0, NULL };

static struct addlist_list list_of(const char *const *items, size_t n)
{
	struct addlist_list l = { true, true, items, n };

	return l;
}

static void story_is(const struct addlist_plan *p, const char *want)
{
	struct sbuf sb = SBUF_INIT;

	addlist_story(p, &sb);
	assert_string_equal(sbuf_cstr(&sb), want);
	sbuf_release(&sb);
}

static void test_drop_all_appended_and_respelled(void **state)
{
	static const char *const drop1[] = { "NET_RAW" };
	static const char *const drop2[] = { "cap_all" };
	struct addlist_list d1 = list_of(drop1, 1), d2 = list_of(drop2, 1);
	struct addlist_opts drop_only = { true, false, 0, NULL };
	struct addlist_plan p;

	(void)state;
	addlist_decide(&p, NULL, NULL, &d1, &defaults);
	assert_true(p.drop_set);
	assert_int_equal(p.ndrop, 2);
	assert_string_equal(p.drop[1], "ALL");
	addlist_decide(&p, NULL, NULL, &d2, &defaults);
	assert_true(p.spelled);
	assert_string_equal(p.drop_respell[0], "ALL");
	addlist_decide(&p, NULL, NULL, &d2, &drop_only);
	assert_true(p.spelled);
	assert_false(addlist_changes(&p)); /* drop-only leaves the spelling */
}

static void test_low_port_needs_root(void **state)
{
	struct addlist_workload w = {
		"example.com/app:1", true, 80, NULL, { 0 }, false, false, NULL, NULL, NULL, NULL, 0
	};
	struct addlist_plan p;

	(void)state;
	addlist_decide(&p, &w, NULL, NULL, &defaults);
	assert_true(p.add_set);
	assert_int_equal(p.nadd, 1);
	assert_string_equal(p.add[0], "NET_BIND_SERVICE");
	assert_int_equal(p.added, 1);
	story_is(&p,
		 "added NET_BIND_SERVICE (port 80 is below 1024 and the process may run as root)");
	w.root = false;
	addlist_decide(&p, &w, NULL, NULL, &defaults);
	assert_false(p.add_set);
	assert_int_equal(p.nadd, 0);
}

static void test_commands_and_respelling(void **state)
{
	static const char *const cmds[] = { "sh", "-c", "chown -R 999 /data && ./chown.sh" };
	static const char *const add[] = { "cap_kill", "KILL", "SYS_ADMIN", "bogus" };
	struct shell_needs needs;
	struct addlist_workload w = {
		"example.com/app:1", true, -1, &needs, { 0 }, true, false, NULL, NULL, NULL, NULL, 0
	};
	struct addlist_list al = list_of(add, 4);
	const struct cap_info *admin = caps_lookup("SYS_ADMIN");
	struct addlist_opts opts = defaults;
	struct addlist_plan p;

	(void)state;
	shell_needs_init(&needs);
	shell_needs_argv(&needs, cmds, 3, true);
	opts.deny = (uint64_t)1 << admin->number;
	addlist_decide(&p, &w, &al, NULL, &opts);
	assert_true(p.add_set);
	assert_string_equal(p.add_respell[0], "KILL");
	assert_true(p.add_removed_item[1]); /* listed twice */
	assert_true(p.add_removed_item[2]); /* denied */
	assert_false(p.add_removed_item[3]); /* kept as written */
	assert_int_equal(p.nadd, 3);
	assert_string_equal(p.add[0], "KILL");
	assert_string_equal(p.add[1], "bogus");
	assert_string_equal(p.add[2], "CHOWN");
	assert_int_equal(p.kept, 2);
	assert_int_equal(p.removed, 1);
	assert_int_equal(p.added, 1);
	story_is(
		&p,
		"kept KILL (declared in the manifest; was written cap_kill); removed KILL (listed twice); "
		"removed SYS_ADMIN (denied by --deny); kept bogus (not a capability name; left as written); "
		"added CHOWN (the command runs chown)");
}

static void test_strict_removes_everything_uninferred(void **state)
{
	static const char *const add[] = { "NET_ADMIN" };
	struct addlist_workload w = { NULL,  false, -1,	  NULL, { 0 }, false,
				      false, NULL,  NULL, NULL, NULL,  0 };
	struct addlist_list al = list_of(add, 1);
	struct addlist_opts opts = { false, true, 0, NULL };
	struct addlist_plan p;

	(void)state;
	addlist_decide(&p, &w, &al, NULL, &opts);
	assert_true(p.add_set);
	assert_true(p.add_remove); /* nothing left: the key goes */
	assert_int_equal(p.nadd, 0);
	assert_int_equal(p.removed, 1);
}

static const struct addlist_decision *find_dec(const struct addlist_plan *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->ndec; i++)
		if (!strcmp(p->dec[i].name, name))
			return &p->dec[i];
	return NULL;
}

static void test_evidence_of_decisions(void **state)
{
	static const char *const cmds[] = { "sh", "-c", "ping -c1 db" };
	static const char *const add[] = { "NET_ADMIN", "SYS_TIME" };
	struct shell_needs needs;
	struct addlist_workload w = { "nginx:1.25", true, 80,	&needs, { 0 }, false,
				      false,	    NULL, NULL, NULL,	NULL,  0 };
	struct addlist_list al = list_of(add, 2);
	struct addlist_opts opts = { false, true, 0, NULL };
	const struct addlist_decision *d;
	struct addlist_plan p;

	(void)state;
	shell_needs_init(&needs);
	shell_needs_argv(&needs, cmds, 3, true);
	addlist_decide(&p, &w, &al, NULL, &opts);
	d = find_dec(&p, "NET_RAW");
	assert_non_null(d);
	assert_int_equal(d->verb, ADDLIST_ADDED);
	assert_int_equal(d->evidence, ADDLIST_EV_COMMAND);
	assert_non_null(strstr(d->source, "capabilities(7)"));
	d = find_dec(&p, "NET_BIND_SERVICE");
	assert_int_equal(d->evidence, ADDLIST_EV_PORT); /* the port is looked at first */
	d = find_dec(&p, "CHOWN");
	assert_int_equal(d->evidence, ADDLIST_EV_PROFILE);
	d = find_dec(&p, "NET_ADMIN");
	assert_int_equal(d->verb, ADDLIST_REMOVED);
	assert_true(d->strict);
	assert_int_equal(d->evidence, ADDLIST_EV_NONE);
	assert_true(p.basis & (1u << ADDLIST_EV_PROFILE));
	assert_false(p.unknown);
	assert_string_equal(addlist_evidence_name(ADDLIST_EV_TRACE), "trace");
	assert_string_equal(addlist_evidence_name(ADDLIST_EV_DECLARED), "declared");
	/* an unknown image that may start as root: no evidence */
	w.image = "example.com/app:1";
	w.port = -1;
	opts.strict = false;
	addlist_decide(&p, &w, NULL, NULL, &opts);
	assert_true(p.unknown);
	d = find_dec(&p, "NET_RAW");
	assert_int_equal(d->evidence, ADDLIST_EV_COMMAND);
	/* its command replaces the entrypoint: known */
	w.command = true;
	addlist_decide(&p, &w, NULL, NULL, &opts);
	assert_false(p.unknown);
	assert_true(p.basis & (1u << ADDLIST_EV_COMMAND));
	/* not root, declared */
	w.command = false;
	w.root = false;
	w.user_declared = true;
	addlist_decide(&p, &w, NULL, NULL, &opts);
	assert_false(p.unknown);
	assert_int_equal(p.basis, 1u << ADDLIST_EV_DECLARED);
	assert_int_equal(p.nadd, 0); /* ping as non-root needs nothing capfix can give */
}

static void test_config_rule_is_evidence(void **state)
{
	static const char cfgtext[] = "rules:\n  - image: \"example.com/*\"\n";
	struct addlist_workload w = {
		"example.com/app:1", true, -1, NULL, { 0 }, false, false, NULL, NULL, NULL, NULL, 0
	};
	struct addlist_opts opts = { false, false, 0, NULL };
	struct capcfg cfg = CAPCFG_INIT;
	struct addlist_plan p;

	(void)state;
	assert_int_equal(capcfg_load(&cfg, "c.yaml", cfgtext, sizeof(cfgtext) - 1), 0);
	opts.cfg = &cfg;
	w.t.image = w.image;
	addlist_decide(&p, &w, NULL, NULL, &opts);
	assert_false(p.unknown);
	assert_true(p.basis & (1u << ADDLIST_EV_CONFIG));
	w.image = w.t.image = "other.org/app:1";
	addlist_decide(&p, &w, NULL, NULL, &opts);
	assert_true(p.unknown);
	assert_true(addlist_is_all("CAP_all"));
	assert_false(addlist_is_all("ALLX"));
	capcfg_release(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drop_all_appended_and_respelled),
		cmocka_unit_test(test_low_port_needs_root),
		cmocka_unit_test(test_commands_and_respelling),
		cmocka_unit_test(test_strict_removes_everything_uninferred),
		cmocka_unit_test(test_evidence_of_decisions),
		cmocka_unit_test(test_config_rule_is_evidence),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
