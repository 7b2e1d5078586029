/* Unit tests for imagerefs.c: images of pod-bearing objects and compose services, with positions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/imagerefs.h"

static void collect(const char *text, struct imagerefs *r)
{
	struct yfile yf = YFILE_INIT;
	struct yerror err;

	assert_int_equal(yamlspan_parse(&yf, text, strlen(text), false, &err), 0);
	imagerefs_collect(&yf, "deploy/app.yaml", NULL, r);
	yamlspan_release(&yf);
}

static void test_k8s(void **state)
{
	static const char text[] = "apiVersion: apps/v1\n"
				   "kind: Deployment\n"
				   "metadata: {name: web, namespace: shop}\n"
				   "spec:\n"
				   "  selector: {matchLabels: {app: web}}\n"
				   "  template:\n"
				   "    spec:\n"
				   "      initContainers:\n"
				   "      - name: init\n"
				   "        image: busybox:1.36\n"
				   "      containers:\n"
				   "      - name: app\n"
				   "        image: nginx:1.25\n"
				   "      - name: side\n"
				   "        image: \"busybox:1.36\"\n"
				   "---\n"
				   "apiVersion: v1\n"
				   "kind: ConfigMap\n"
				   "metadata: {name: c}\n"
				   "data: {image: not-an-image}\n"
				   "---\n"
				   "apiVersion: v1\n"
				   "kind: List\n"
				   "items:\n"
				   "- apiVersion: v1\n"
				   "  kind: Pod\n"
				   "  metadata: {name: p}\n"
				   "  spec:\n"
				   "    containers: [{name: c, image: 'redis:7'}]\n";
	struct imagerefs r = IMAGEREFS_INIT;

	(void)state;
	collect(text, &r);
	assert_int_equal(r.n, 4);
	imagerefs_sort(&r);
	/* sorted: image, then position */
	assert_string_equal(r.items[0].image, "busybox:1.36");
	assert_int_equal(r.items[0].line, 10);
	assert_int_equal(r.items[0].col, 16);
	assert_string_equal(r.items[0].where, "shop/Deployment/web initContainers[0] (init)");
	assert_string_equal(r.items[1].where, "shop/Deployment/web containers[1] (side)");
	assert_string_equal(r.items[3].image, "redis:7");
	assert_string_equal(r.items[3].path, "deploy/app.yaml");
	assert_string_equal(r.items[3].where, "Pod/p containers[0] (c)");
	imagerefs_sort(&r);
	assert_string_equal(r.items[0].image, "busybox:1.36");
	assert_string_equal(r.items[1].image, "busybox:1.36");
	assert_true(r.items[0].line < r.items[1].line);
	assert_string_equal(r.items[2].image, "nginx:1.25");
	imagerefs_release(&r);
}

static void test_compose(void **state)
{
	static const char text[] = "x-base: &base\n"
				   "  image: postgres:16\n"
				   "services:\n"
				   "  db:\n"
				   "    <<: *base\n"
				   "  web:\n"
				   "    image: nginx:${TAG:-1.25}\n"
				   "  app:\n"
				   "    build: .\n"
				   "  bad:\n"
				   "    image: x:${NOPE:?must be set}\n";
	struct imagerefs r = IMAGEREFS_INIT;

	(void)state;
	collect(text, &r);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.items[0].image, "postgres:16");
	assert_string_equal(r.items[0].where, "compose service db");
	assert_int_equal(r.items[0].line, 2);
	assert_string_equal(r.items[1].image, "nginx:1.25");
	assert_false(r.items[1].uninterpolated);
	assert_string_equal(r.items[2].image, "x:${NOPE:?must be set}");
	assert_true(r.items[2].uninterpolated);
	imagerefs_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_k8s),
		cmocka_unit_test(test_compose),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
