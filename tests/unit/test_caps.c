/* Unit tests for caps.c: the catalogue against the kernel header and the policy sets. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/caps.h"

#include <errno.h>

#define CAPABILITY_H "/usr/include/linux/capability.h"

struct header_cap {
	char name[64];
	int number;
};

static const char *const runtime_default[] = {
	"AUDIT_WRITE",	    "CHOWN",   "DAC_OVERRIDE", "FOWNER", "FSETID",  "KILL",   "MKNOD",
	"NET_BIND_SERVICE", "NET_RAW", "SETFCAP",      "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
};

static bool in_list(const char *name, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(name, list[i]))
			return true;
	return false;
}

static bool is_name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/*
 * Parse "#define CAP_<NAME> <number>" (optionally followed by a comment) from
 * one header line into @out; false for any other line.
 */
static bool parse_define(const char *line, struct header_cap *out)
{
	const char *p = line, *name;
	size_t len;
	long v = 0;
	bool digits = false;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p++ != '#')
		return false;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncmp(p, "define", 6) || (p[6] != ' ' && p[6] != '\t'))
		return false;
	p += 6;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncmp(p, "CAP_", 4))
		return false;
	name = p + 4;
	for (p = name; is_name_char(*p); p++)
		;
	len = (size_t)(p - name);
	if (!len || len >= sizeof(out->name) || (*p != ' ' && *p != '\t'))
		return false; /* function-like macros such as CAP_TO_INDEX(x) */
	while (*p == ' ' || *p == '\t')
		p++;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (*p - '0');
		if (v > 1000)
			return false;
		digits = true;
		p++;
	}
	if (!digits)
		return false; /* CAP_LAST_CAP and other symbolic values */
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p && *p != '\n' && strncmp(p, "/*", 2))
		return false;
	memcpy(out->name, name, len);
	out->name[len] = '\0';
	out->number = (int)v;
	return true;
}

static void test_sorted_unique(void **state)
{
	size_t i;

	(void)state;
	assert_int_equal(caps_count(), 41);
	assert_null(caps_at(caps_count()));
	for (i = 1; i < caps_count(); i++)
		if (strcmp(caps_at(i - 1)->name, caps_at(i)->name) >= 0)
			fail_msg("table not sorted or duplicated at %zu: %s then %s", i,
				 caps_at(i - 1)->name, caps_at(i)->name);
	for (i = 0; i < caps_count(); i++) {
		size_t j;

		for (j = i + 1; j < caps_count(); j++)
			if (caps_at(i)->number == caps_at(j)->number)
				fail_msg("%s and %s share number %d", caps_at(i)->name,
					 caps_at(j)->name, caps_at(i)->number);
	}
}

static void test_matches_kernel_header(void **state)
{
	struct header_cap hdr[128];
	size_t nhdr = 0, i;
	char line[512];
	FILE *fp;

	(void)state;
	fp = fopen(CAPABILITY_H, "r");
	if (!fp)
		fail_msg("cannot open %s (%s): install the Linux UAPI headers (linux-libc-dev)",
			 CAPABILITY_H, strerror(errno));
	while (fgets(line, sizeof(line), fp)) {
		struct header_cap hc;

		if (!parse_define(line, &hc) || !strcmp(hc.name, "LAST_CAP"))
			continue;
		if (nhdr == ARRAY_SIZE(hdr))
			fail_msg("too many capabilities in %s", CAPABILITY_H);
		hdr[nhdr++] = hc;
	}
	fclose(fp);
	if (nhdr == 0)
		fail_msg("no '#define CAP_<NAME> <number>' lines found in %s", CAPABILITY_H);

	for (i = 0; i < nhdr; i++) {
		const struct cap_info *ci = caps_lookup(hdr[i].name);

		if (!ci)
			fail_msg("%s: CAP_%s (%d) is missing from the table", CAPABILITY_H,
				 hdr[i].name, hdr[i].number);
		if (strcmp(ci->name, hdr[i].name))
			fail_msg("CAP_%s found as %s", hdr[i].name, ci->name);
		if (ci->number != hdr[i].number)
			fail_msg("%s: CAP_%s is %d in the header, %d in the table", CAPABILITY_H,
				 hdr[i].name, hdr[i].number, ci->number);
	}
	for (i = 0; i < caps_count(); i++) {
		const char *name = caps_at(i)->name;
		size_t j;

		for (j = 0; j < nhdr; j++)
			if (!strcmp(hdr[j].name, name))
				break;
		if (j == nhdr)
			fail_msg("CAP_%s is in the table but not in %s", name, CAPABILITY_H);
	}
	assert_int_equal(nhdr, caps_count());
}

static void check_text(const char *cap, const char *field, const char *s)
{
	const char *p;

	if (!s || !*s)
		fail_msg("%s: %s is empty", cap, field);
	for (p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			fail_msg("%s: %s has a control or non-ASCII byte at %zu", cap, field,
				 (size_t)(p - s));
	if (s[0] == ' ' || p[-1] == ' ' || strstr(s, "  "))
		fail_msg("%s: %s has stray spaces", cap, field);
}

static void test_text_fields(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < caps_count(); i++) {
		const struct cap_info *ci = caps_at(i);
		size_t n;

		check_text(ci->name, "summary", ci->summary);
		check_text(ci->name, "explanation", ci->explanation);
		if (ci->advice_note)
			check_text(ci->name, "advice_note", ci->advice_note);
		n = strlen(ci->summary);
		if (ci->summary[n - 1] == '.')
			fail_msg("%s: summary ends with a full stop", ci->name);
		n = strlen(ci->explanation);
		if (ci->explanation[n - 1] != '.')
			fail_msg("%s: explanation does not end with a full stop", ci->name);
		assert_non_null(ci->cis);
		assert_string_not_equal(caps_risk_name(ci->risk), "unknown");
		assert_string_not_equal(caps_advice_name(ci->advice), "unknown");
	}
}

static void test_policy_sets(void **state)
{
	size_t i, ndef = 0, nbase = 0, nrestr = 0;

	(void)state;
	for (i = 0; i < caps_count(); i++) {
		const struct cap_info *ci = caps_at(i);
		bool def = in_list(ci->name, runtime_default, ARRAY_SIZE(runtime_default));
		bool base = def && strcmp(ci->name, "NET_RAW");
		bool restr = !strcmp(ci->name, "NET_BIND_SERVICE");

		if (ci->runtime_default != def)
			fail_msg("%s: runtime_default is %d", ci->name, ci->runtime_default);
		if (ci->pss_baseline != base)
			fail_msg("%s: pss_baseline is %d", ci->name, ci->pss_baseline);
		if (ci->pss_restricted != restr)
			fail_msg("%s: pss_restricted is %d", ci->name, ci->pss_restricted);
		ndef += ci->runtime_default;
		nbase += ci->pss_baseline;
		nrestr += ci->pss_restricted;
	}
	assert_int_equal(ndef, 14);
	assert_int_equal(nbase, 13);
	assert_int_equal(nrestr, 1);
}

static void test_cis(void **state)
{
	static const char *const net_raw[] = {
		"CIS Kubernetes 1.6-1.20 5.2.7",
		"CIS Kubernetes 1.23+ 5.2.8",
		"CIS Docker 1.0-1.5.0 5.3",
		"CIS Docker 1.6.0 5.4",
	};
	const struct cap_info *ci = caps_lookup("NET_RAW");
	size_t i, n;

	(void)state;
	assert_non_null(ci);
	for (n = 0; ci->cis[n]; n++) {
		assert_true(n < ARRAY_SIZE(net_raw));
		assert_string_equal(ci->cis[n], net_raw[n]);
	}
	assert_int_equal(n, ARRAY_SIZE(net_raw));

	for (i = 0; i < caps_count(); i++) {
		ci = caps_at(i);
		for (n = 0; ci->cis[n]; n++)
			;
		if (!strcmp(ci->name, "NET_RAW"))
			continue;
		if (ci->runtime_default) {
			if (n != 2 || strcmp(ci->cis[0], "CIS Docker 1.0-1.5.0 5.3") ||
			    strcmp(ci->cis[1], "CIS Docker 1.6.0 5.4"))
				fail_msg("%s: want the two CIS Docker controls", ci->name);
		} else if (n != 0) {
			fail_msg("%s: want no CIS controls, got %zu", ci->name, n);
		}
	}
}

static void test_lookup(void **state)
{
	static const char *const found[] = { "net_raw", "CAP_NET_RAW", "Cap_Net_Raw", "NET_RAW",
					     "cap_net_raw" };
	static const char *const missing[] = {
		"ALL",	    "all",
		"",	    "NET_RAWX",
		"CAP_",	    "cap_",
		"CAP",	    "CAP_CAP_NET_RAW",
		" NET_RAW", "NET_RAW ",
		"NET-RAW",  "A_VERY_LONG_NAME_THAT_IS_NOT_A_CAPABILITY_AT_ALL_REALLY",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(found); i++) {
		const struct cap_info *ci = caps_lookup(found[i]);

		if (!ci || strcmp(ci->name, "NET_RAW"))
			fail_msg("lookup '%s' did not find NET_RAW", found[i]);
	}
	for (i = 0; i < ARRAY_SIZE(missing); i++)
		if (caps_lookup(missing[i]))
			fail_msg("lookup '%s' should fail", missing[i]);
	assert_null(caps_lookup(NULL));
	/* every canonical name, and its CAP_ and lower-case forms, finds itself */
	for (i = 0; i < caps_count(); i++) {
		const struct cap_info *ci = caps_at(i);
		char buf[64];
		size_t j, n = strlen(ci->name);

		assert_true(n + 5 < sizeof(buf));
		assert_ptr_equal(caps_lookup(ci->name), ci);
		memcpy(buf, "cap_", 4);
		for (j = 0; j <= n; j++)
			buf[4 + j] = (char)(ci->name[j] >= 'A' && ci->name[j] <= 'Z'
						    ? ci->name[j] - 'A' + 'a'
						    : ci->name[j]);
		assert_ptr_equal(caps_lookup(buf), ci);
		assert_ptr_equal(caps_lookup(buf + 4), ci);
	}
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(caps_risk_name(CAP_RISK_LOW), "low");
	assert_string_equal(caps_risk_name(CAP_RISK_MEDIUM), "medium");
	assert_string_equal(caps_risk_name(CAP_RISK_HIGH), "high");
	assert_string_equal(caps_risk_name(CAP_RISK_CRITICAL), "critical");
	assert_string_equal(caps_advice_name(CAP_ADVICE_DROP), "drop");
	assert_string_equal(caps_advice_name(CAP_ADVICE_KEEP_IF_NEEDED), "keep if needed");
	assert_string_equal(caps_advice_name(CAP_ADVICE_INVESTIGATE), "investigate first");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sorted_unique), cmocka_unit_test(test_matches_kernel_header),
		cmocka_unit_test(test_text_fields),   cmocka_unit_test(test_policy_sets),
		cmocka_unit_test(test_cis),	      cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("caps", tests, NULL, NULL);
}
