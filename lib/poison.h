/* SPDX-License-Identifier: MIT */
/*
 * The poison registry of a context: every bad guest physical range seen,
 * deduplicated, in bounded storage allocated up front, and the storm
 * policy that watches how fast new ones come. The rules are in poison.c
 * (and docs/memory.md).
 *
 * Written from vCPU threads and the VMM's threads, never from a signal
 * handler: a mutex serialises every call. kvmsea_poison_record() runs on
 * the SEA path and allocates nothing; the setters allocate.
 */
#ifndef LIBKVMSEA_POISON_H
#define LIBKVMSEA_POISON_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libkvmsea/memory.h>

#define KVMSEA_POISON_DEFAULT_CAPACITY 1024u
/* The most ranges, or storm pages, one may ask for: 56 MiB of records. */
#define KVMSEA_POISON_MAX 1048576u

struct kvmsea_poison_set {
	pthread_mutex_t lock;
	struct kvmsea_poison *ranges; /* n disjoint ranges by ascending gpa */
	size_t n, cap;
	uint64_t dropped;             /* new ranges refused: no room */
	/* The storm policy: off while storm_pages is 0. */
	uint32_t storm_pages;
	uint64_t storm_window_ns;
	uint64_t *storm_seen;  /* monotonic first-seen times of the last */
	uint32_t storm_next;   /* storm_pages new ranges: a ring, oldest */
	uint32_t storm_fill;   /* at storm_next once storm_fill is full */
};

/* One memory error, as kvmsea_poison_record() takes it. */
struct kvmsea_poison_error {
	uint64_t gpa;   /* the bad host page seen from the guest (4 KiB aligned) */
	uint64_t size;  /* the host page's size: a power of two >= 4 KiB */
	uint64_t hva;   /* its host address, 0 if unknown */
	enum kvmsea_source source;
	uint64_t realtime_ns;   /* CLOCK_REALTIME now: the record's times */
	uint64_t monotonic_ns;  /* CLOCK_MONOTONIC now: the storm window */
};

/* What kvmsea_poison_record() tells the event. */
struct kvmsea_poison_result {
	bool new_range;     /* no recorded range held any byte of it */
	bool dropped;       /* new, but no room: not kept, counted */
	bool storm;         /* the storm condition holds (poison.c) */
	uint32_t distinct;  /* ranges the registry holds now */
	uint64_t count;     /* errors on the range it went to; 0 if dropped */
};

/* An empty registry with room for KVMSEA_POISON_DEFAULT_CAPACITY ranges,
 * storm policy off. 0, -ENOMEM, or pthread_mutex_init()'s error. */
int kvmsea_poison_init(struct kvmsea_poison_set *s);
/* Nothing may use it any more. The functions below take an initialised
 * registry. */
void kvmsea_poison_fini(struct kvmsea_poison_set *s);

/* Room for @capacity ranges (0 keeps none). 0, -EINVAL above
 * KVMSEA_POISON_MAX, -EBUSY below the ranges held, -ENOMEM. */
int kvmsea_poison_set_capacity(struct kvmsea_poison_set *s, size_t capacity);

/* Storm when @pages distinct ranges were first seen within @window_ns
 * (poison.c); @pages 0 turns it off. Forgets the first-seen times so far.
 * 0, -EINVAL (@pages above KVMSEA_POISON_MAX, or a window of 0), -ENOMEM. */
int kvmsea_poison_set_storm(struct kvmsea_poison_set *s, uint32_t pages,
			    uint64_t window_ns);

/* Record one error; @res is filled. 0, or -EINVAL (NULL, a size that is
 * not a power of two >= 4 KiB, gpa not 4 KiB aligned, gpa + size reaching
 * 2^64, an unknown source), which changes nothing. No allocation. */
int kvmsea_poison_record(struct kvmsea_poison_set *s,
			 const struct kvmsea_poison_error *e,
			 struct kvmsea_poison_result *res);

/* 1 if any byte of [gpa, gpa + size) is in a recorded range, 0 if not,
 * -EINVAL for size 0 or gpa + size reaching 2^64. */
int kvmsea_poison_query(const struct kvmsea_poison_set *s, uint64_t gpa,
			uint64_t size);

/* Copy up to @n records, by ascending gpa, to @out; returns how many the
 * registry holds. */
size_t kvmsea_poison_list(const struct kvmsea_poison_set *s,
			  struct kvmsea_poison *out, size_t n);

/* Forget every range (the VMM replaced the pages). Keeps the capacity,
 * the storm policy with its first-seen times, and the dropped counter. */
void kvmsea_poison_clear(struct kvmsea_poison_set *s);

/* The errors refused for lack of room, since init. */
uint64_t kvmsea_poison_dropped(const struct kvmsea_poison_set *s);

#endif /* LIBKVMSEA_POISON_H */
