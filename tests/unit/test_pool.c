/* Unit tests for pool.c: every job runs once, done() comes in order on the caller. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/pool.h"

#include <pthread.h>
#include <time.h>

struct counting {
	size_t n;
	int *runs; /* work() calls per job */
	size_t *order; /* done() calls, in call order */
	size_t ndone;
	int scratch_made, scratch_freed;
	pthread_mutex_t lock;
	pthread_t caller;
	bool done_off_caller;
};

static void c_work(void *ctx, size_t i, void **scratch)
{
	struct counting *c = ctx;

	if (!*scratch) {
		*scratch = malloc(1);
		pthread_mutex_lock(&c->lock);
		c->scratch_made++;
		pthread_mutex_unlock(&c->lock);
	}
	/* uneven job lengths, so that jobs finish out of order */
	if (i % 7 == 0) {
		struct timespec ts = { 0, 200000 };

		nanosleep(&ts, NULL);
	}
	pthread_mutex_lock(&c->lock);
	c->runs[i]++;
	pthread_mutex_unlock(&c->lock);
}

static void c_done(void *ctx, size_t i)
{
	struct counting *c = ctx;

	if (!pthread_equal(pthread_self(), c->caller))
		c->done_off_caller = true;
	/* job i has run by the time done(i) is called */
	assert_int_equal(c->runs[i], 1);
	c->order[c->ndone++] = i;
}

static void c_free(void *scratch)
{
	free(scratch);
}

static struct counting *counted_run(size_t n, int threads, struct pool_ops *ops)
{
	struct counting *c = calloc(1, sizeof(*c));

	c->n = n;
	c->runs = calloc(n + 1, sizeof(*c->runs));
	c->order = calloc(n + 1, sizeof(*c->order));
	pthread_mutex_init(&c->lock, NULL);
	c->caller = pthread_self();
	pool_run(n, threads, ops, c);
	return c;
}

static void counted_free(struct counting *c)
{
	pthread_mutex_destroy(&c->lock);
	free(c->runs);
	free(c->order);
	free(c);
}

static void check_run(size_t n, int threads)
{
	struct pool_ops ops = { c_work, c_done, c_free };
	struct counting *c = counted_run(n, threads, &ops);
	size_t i;

	assert_int_equal(c->ndone, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(c->runs[i], 1);
		assert_int_equal(c->order[i], i);
	}
	assert_false(c->done_off_caller);
	/* one scratch per thread at most, never more threads than asked */
	assert_true(c->scratch_made <= (threads < 1 ? 1 : threads));
	if (n)
		assert_true(c->scratch_made >= 1);
	counted_free(c);
}

static void test_inline(void **state)
{
	(void)state;
	check_run(0, 1);
	check_run(1, 1);
	check_run(50, 1);
	check_run(1, 4);
	check_run(3, 0);
}

static void test_threads(void **state)
{
	(void)state;
	check_run(2, 2);
	check_run(500, 2);
	check_run(500, 4);
	check_run(37, 16);
	check_run(5, 64);
	check_run(100, 1000); /* capped, still correct */
}

static void test_default_threads(void **state)
{
	(void)state;
	assert_true(pool_default_threads(8) >= 1);
	assert_true(pool_default_threads(8) <= 8);
	assert_int_equal(pool_default_threads(1), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inline),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_default_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
