#include "capfix/pool.h"

#include <pthread.h>
#include <unistd.h>

#define POOL_MAX_THREADS 64

struct pool {
	const struct pool_ops *ops;
	void *ctx;
	size_t n;
	size_t next; /* the next job to hand out */
	size_t waiting; /* the job the calling thread waits for, or n */
	bool *finished;
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

int pool_default_threads(int max)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (cpus < 1)
		return 1;
	return cpus > max ? max : (int)cpus;
}

static void locked(int r)
{
	if (r)
		CF_BUG("pthread mutex or condition operation failed");
}

static void *worker(void *arg)
{
	struct pool *p = arg;
	void *scratch = NULL;

	for (;;) {
		size_t i;

		locked(pthread_mutex_lock(&p->lock));
		i = p->next < p->n ? p->next++ : p->n;
		locked(pthread_mutex_unlock(&p->lock));
		if (i >= p->n)
			break;
		p->ops->work(p->ctx, i, &scratch);
		locked(pthread_mutex_lock(&p->lock));
		p->finished[i] = true;
		/* wake the calling thread only when it waits for this very job */
		if (p->waiting == i)
			locked(pthread_cond_signal(&p->cond));
		locked(pthread_mutex_unlock(&p->lock));
	}
	if (p->ops->scratch_free)
		p->ops->scratch_free(scratch);
	return NULL;
}

static void run_inline(size_t n, const struct pool_ops *ops, void *ctx)
{
	void *scratch = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		ops->work(ctx, i, &scratch);
		ops->done(ctx, i);
	}
	if (ops->scratch_free)
		ops->scratch_free(scratch);
}

void pool_run(size_t n, int threads, const struct pool_ops *ops, void *ctx)
{
	pthread_t tid[POOL_MAX_THREADS];
	struct pool p;
	int started = 0, t;
	size_t i;

	if (threads > POOL_MAX_THREADS)
		threads = POOL_MAX_THREADS;
	if (threads <= 1 || n <= 1) {
		run_inline(n, ops, ctx);
		return;
	}
	memset(&p, 0, sizeof(p));
	p.ops = ops;
	p.ctx = ctx;
	p.n = n;
	p.waiting = n;
	p.finished = xcalloc(n, sizeof(*p.finished));
	locked(pthread_mutex_init(&p.lock, NULL));
	locked(pthread_cond_init(&p.cond, NULL));
	for (t = 0; t < threads && (size_t)t < n; t++)
		if (pthread_create(&tid[started], NULL, worker, &p) == 0)
			started++;
	if (!started) {
		pthread_mutex_destroy(&p.lock);
		pthread_cond_destroy(&p.cond);
		free(p.finished);
		run_inline(n, ops, ctx);
		return;
	}
	for (i = 0; i < n; i++) {
		locked(pthread_mutex_lock(&p.lock));
		p.waiting = i;
		while (!p.finished[i])
			locked(pthread_cond_wait(&p.cond, &p.lock));
		p.waiting = n;
		locked(pthread_mutex_unlock(&p.lock));
		ops->done(ctx, i);
	}
	for (t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
	pthread_mutex_destroy(&p.lock);
	pthread_cond_destroy(&p.cond);
	free(p.finished);
}
