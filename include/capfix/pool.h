/*
 * pool.h - a worker pool over an array of independent jobs, results in order.
 *
 * pool_run() calls work(i) for every i in [0, n) on up to @threads threads
 * (each job exactly once, in any order and on any thread) and done(i) on the
 * calling thread in increasing order of i, as soon as jobs 0..i have
 * finished: output stays deterministic whatever the scheduling. With
 * @threads <= 1, n <= 1, or when no thread can be started, everything runs
 * on the calling thread (work(i) then done(i)).
 *
 * work() must only touch job i's own state (and read shared, unchanging
 * data); done() runs alone and may touch anything.
 *
 * Each thread gets a per-thread scratch pointer: work() receives the
 * address of a void * that starts NULL and survives across the jobs that
 * thread runs (to reuse buffers); @scratch_free, when not NULL, is called
 * on it when the thread ends.
 *
 * Failure: none reported. Thread creation failing only lowers the
 * parallelism; a failing mutex operation is a bug (it aborts).
 */
#ifndef CAPFIX_POOL_H
#define CAPFIX_POOL_H

#include "capfix/compat.h"

struct pool_ops {
	void (*work)(void *ctx, size_t i, void **scratch);
	void (*done)(void *ctx, size_t i);
	void (*scratch_free)(void *scratch);
};

/* The default worker count: the online CPUs, between 1 and @max. */
int pool_default_threads(int max);

void pool_run(size_t n, int threads, const struct pool_ops *ops, void *ctx);

#endif
