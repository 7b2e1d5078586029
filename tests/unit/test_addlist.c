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
	struct addlist_workload w = { "example.com/app:1", true, 80, NULL, 0, { 0 } };
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
	struct addlist_workload w = { "example.com/app:1", true, -1, cmds, 3, { 0 } };
	struct addlist_list al = list_of(add, 4);
	const struct cap_info *admin = caps_lookup("SYS_ADMIN");
	struct addlist_opts opts = defaults;
	struct addlist_plan p;

	(void)state;
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
	struct addlist_workload w = { NULL, false, -1, NULL, 0, { 0 } };
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

static void test_command_needs(void **state)
{
	const char *reason[64] = { 0 };
	uint64_t need = 0;
	const struct cap_info *raw = caps_lookup("NET_RAW"), *setuid = caps_lookup("SETUID");

	(void)state;
	addlist_command_needs("/bin/ping -c1 x; exec su-exec app server", &need, reason);
	assert_true(need & ((uint64_t)1 << raw->number));
	assert_true(need & ((uint64_t)1 << setuid->number));
	assert_string_equal(reason[raw->number], "the command runs ping");
	need = 0;
	addlist_command_needs("./ping.sh --chown=1", &need, reason);
	assert_true(need == 0);
	assert_true(addlist_is_all("CAP_all"));
	assert_false(addlist_is_all("ALLX"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drop_all_appended_and_respelled),
		cmocka_unit_test(test_low_port_needs_root),
		cmocka_unit_test(test_commands_and_respelling),
		cmocka_unit_test(test_strict_removes_everything_uninferred),
		cmocka_unit_test(test_command_needs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
