/* SPDX-License-Identifier: MIT */
/*
 * sea-policy's policy against the simulated kernel (tests/sim), on any host.
 *
 * The example's own source is compiled in (its main() renamed); its idle
 * VM is a simulated one. The built-in feed runs through feed_exit(), the
 * library and policy_on_sea() unchanged, and each step is checked: the
 * decision, whether and how the abort was injected, and the JSON line.
 */
#define main sea_policy_main
int sea_policy_main(int argc, char **argv);
#include "sea-policy.c"
#undef main

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "json-check.h"
#include "kvmsim.h"

struct sim {
	struct kvmsim_host *host;
	struct kvmsim_vcpu *vcpu;
	struct machine m;
	struct policy p;
	FILE *log;
};

static void sim_init(struct sim *s, uint32_t max_pages)
{
	struct kvmsim_vm *vm;

	memset(s, 0, sizeof(*s));
	s->host = kvmsim_host_new(KVMSIM_HOST_RAS, 0);
	assert_non_null(s->host);
	vm = kvmsim_create_vm(s->host, 0);
	assert_non_null(vm);
	s->vcpu = kvmsim_create_vcpu(vm, 0);
	assert_non_null(s->vcpu);
	s->m.vm_fd = kvmsim_vm_fd(vm);
	s->m.vcpu_fd = kvmsim_vcpu_fd(s->vcpu);
	s->m.run = kvmsim_vcpu_run_area(s->vcpu);
	s->log = tmpfile();
	assert_non_null(s->log);
	s->p.max_pages = max_pages;
	s->p.log_fd = fileno(s->log);
	assert_int_equal(setup_policy(&s->m, &s->p), 0);
}

static void sim_fini(struct sim *s)
{
	kvmsea_vcpu_free(s->m.sea_vcpu);
	kvmsea_ctx_free(s->m.sea);
	kvmsim_host_free(s->host);
	fclose(s->log);
}

/* The log's lines, each checked to be one valid JSON object. */
static size_t read_log(struct sim *s, char lines[][4096], size_t max)
{
	size_t n = 0;

	rewind(s->log);
	while (n < max && fgets(lines[n], 4096, s->log)) {
		size_t len = strlen(lines[n]);

		assert_true(len > 0 && lines[n][len - 1] == '\n');
		lines[n][len - 1] = '\0';
		printf("%s\n", lines[n]);
		assert_true(json_valid(lines[n]));
		n++;
	}
	return n;
}

static void test_builtin_feed(void **state)
{
	static const struct {
		int ret;
		enum kvmsea_strategy injected;
		const char *action;
		const char *hits;
	} expect[] = {
		{ KVMSEA_EXIT_HANDLED, KVMSEA_STRATEGY_NONE, "retry", "\"page_hits\":1,\"tracked_pages\":1" },
		{ KVMSEA_EXIT_HANDLED, KVMSEA_STRATEGY_VCPU_EVENTS, "inject", "\"page_hits\":2,\"tracked_pages\":1" },
		{ KVMSEA_EXIT_HANDLED, KVMSEA_STRATEGY_NONE, "retry", "\"page_hits\":1,\"tracked_pages\":2" },
		/* WnR would be lost by vcpu-events: auto emulates. */
		{ KVMSEA_EXIT_HANDLED, KVMSEA_STRATEGY_EMULATE, "inject", "\"page_hits\":2,\"tracked_pages\":2" },
		/* No address: injected at once, not counted; an instruction
		 * abort needs emulation. */
		{ KVMSEA_EXIT_HANDLED, KVMSEA_STRATEGY_EMULATE, "inject", "\"page_hits\":0,\"tracked_pages\":2" },
		{ KVMSEA_EXIT_HANDLED, KVMSEA_STRATEGY_VCPU_EVENTS, "inject", "\"page_hits\":3,\"tracked_pages\":2" },
		/* The third distinct page: stop, nothing injected. */
		{ KVMSEA_EXIT_STOP, KVMSEA_STRATEGY_NONE, "stop", "\"page_hits\":1,\"tracked_pages\":3" },
	};
	const size_t n = sizeof(builtin_feed) / sizeof(builtin_feed[0]);
	char lines[8][4096];
	struct kvmsim_vcpu_stats stats;
	struct sim s;

	(void)state;
	assert_int_equal(n, sizeof(expect) / sizeof(expect[0]));
	sim_init(&s, 3);
	for (size_t i = 0; i < n; i++) {
		const struct kvmsea_event *ev;

		assert_int_equal(feed_exit(&s.m, &builtin_feed[i]), expect[i].ret);
		ev = kvmsea_vcpu_last_event(s.m.sea_vcpu);
		assert_non_null(ev);
		assert_int_equal(ev->seq, i + 1);
		assert_int_equal(ev->syndrome, builtin_feed[i].esr);
		assert_int_equal(ev->injected, expect[i].injected);
		/* Retried or stopped: the guest was left where it was. */
		if (expect[i].injected == KVMSEA_STRATEGY_NONE)
			assert_int_equal(kvmsim_reg_get(s.vcpu, REG_PC), builtin_feed[i].pc);
		else
			assert_int_not_equal(kvmsim_reg_get(s.vcpu, REG_PC), builtin_feed[i].pc);
	}
	kvmsim_vcpu_get_stats(s.vcpu, &stats);
	assert_int_equal(stats.ext_dabt, 2);

	assert_int_equal(read_log(&s, lines, 8), n);
	for (size_t i = 0; i < n; i++) {
		char action[32];

		snprintf(action, sizeof(action), "\"decision\":\"%s\"", expect[i].action);
		assert_non_null(strstr(lines[i], action));
		assert_non_null(strstr(lines[i], expect[i].hits));
		/* The ESR is the library's own JSON object. */
		assert_non_null(strstr(lines[i], "\"esr\":{\"esr\":\"0x"));
	}
	assert_non_null(strstr(lines[4], "\"gva\":null,\"gpa\":null,\"page_gpa\":null"));
	assert_non_null(strstr(lines[0], "\"gpa\":\"0x50000040\",\"page_gpa\":\"0x50000000\""));
	sim_fini(&s);
}

/* run_feed() stops where the policy stops, and runs to the end otherwise. */
static void test_run_feed(void **state)
{
	const size_t n = sizeof(builtin_feed) / sizeof(builtin_feed[0]);
	struct sim s;

	(void)state;
	sim_init(&s, 3);
	assert_int_equal(run_feed(&s.m, builtin_feed, n), 0);
	assert_int_equal(kvmsea_vcpu_last_event(s.m.sea_vcpu)->seq, n);
	assert_int_equal(s.p.nr_pages, 3);
	sim_fini(&s);

	sim_init(&s, 64);
	assert_int_equal(run_feed(&s.m, builtin_feed, n), 0);
	assert_int_equal(s.p.nr_pages, 3);
	assert_int_equal(s.p.pages[0].hits, 3);
	assert_int_equal(s.p.pages[1].hits, 2);
	assert_int_equal(s.p.pages[2].hits, 1);
	sim_fini(&s);
}

/* With --max-pages 1 the first bad page already stops the VM. */
static void test_max_pages_one(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s, 1);
	assert_int_equal(feed_exit(&s.m, &builtin_feed[0]), KVMSEA_EXIT_STOP);
	/* An event with no address is not a page: it is injected. */
	assert_int_equal(feed_exit(&s.m, &builtin_feed[4]), KVMSEA_EXIT_HANDLED);
	assert_int_equal(s.p.nr_pages, 1);
	sim_fini(&s);
}

/* The library's livelock guard overrides the page rules: stop. */
static void test_livelock_stops(void **state)
{
	char lines[4][4096];
	struct sim s;

	(void)state;
	sim_init(&s, 3);
	assert_int_equal(kvmsea_ctx_set_livelock_limit(s.m.sea, 2), 0);
	/* The same PC and address twice: the second is a livelock, though
	 * the page rules alone would inject it. */
	assert_int_equal(feed_exit(&s.m, &builtin_feed[0]), KVMSEA_EXIT_HANDLED);
	assert_int_equal(feed_exit(&s.m, &builtin_feed[1]), KVMSEA_EXIT_STOP);
	assert_true(kvmsea_vcpu_last_event(s.m.sea_vcpu)->livelock);
	assert_int_equal(read_log(&s, lines, 4), 2);
	assert_non_null(strstr(lines[1], "\"decision\":\"stop\""));
	assert_non_null(strstr(lines[1], "\"livelock\":true"));
	sim_fini(&s);
}

/* A page known only by its VA (no GPA_VALID) is tracked by VA. */
static void test_page_by_gva(void **state)
{
	const struct feed_entry e = { 0x40001000, 0x92000010, 0x7000123, 0, 0 };
	struct sim s;

	(void)state;
	sim_init(&s, 3);
	assert_int_equal(feed_exit(&s.m, &e), KVMSEA_EXIT_HANDLED);
	assert_int_equal(s.p.nr_pages, 1);
	assert_int_equal(s.p.pages[0].page, 0x7000000);
	assert_false(s.p.pages[0].is_ipa);
	assert_int_equal(kvmsea_vcpu_last_event(s.m.sea_vcpu)->injected,
			 KVMSEA_STRATEGY_NONE);
	sim_fini(&s);
}

static void test_read_feed(void **state)
{
	struct feed_entry feed[4];
	char path[] = "/tmp/test-sea-policy-feed.XXXXXX";
	int fd = mkstemp(path);
	FILE *f;

	(void)state;
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("# PC ESR GVA GPA FLAGS\n\n"
	      "0x40001000 0x92000010 0x50000040 0x50000000 1\n"
	      "  40001100 92000050 50003008 50003000 0x1\n", f);
	fclose(f);
	assert_int_equal(read_feed(path, feed, 4), 2);
	assert_int_equal(feed[0].pc, 0x40001000);
	assert_int_equal(feed[0].flags, 1);
	assert_int_equal(feed[1].esr, 0x92000050);
	assert_int_equal(feed[1].gva, 0x50003008);
	assert_int_equal(read_feed(path, feed, 1), -1); /* too many lines */

	f = fopen(path, "w");
	assert_non_null(f);
	fputs("0x40001000 0x92000010\n", f);
	fclose(f);
	assert_int_equal(read_feed(path, feed, 4), -1);
	unlink(path);
	assert_int_equal(read_feed(path, feed, 4), -1);
}

/* main()'s options: a usage error is exit 2 before any VM is made
 * (--simulate is no option: feeding synthetic exits is all sea-policy
 * does), --help exit 0. */
static void test_options(void **state)
{
	static const char *const cases[][3] = {
		{ "--simulate" }, { "--max-pages", "0" }, { "--max-pages", "65" },
		{ "--max-pages", "3x" }, { "extra" },
	};
	char *argv[4] = { "sea-policy", "--help" };

	(void)state;
	optind = 1;
	assert_int_equal(sea_policy_main(2, argv), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		argv[1] = (char *)cases[i][0];
		argv[2] = (char *)cases[i][1];
		optind = 1;
		assert_int_equal(sea_policy_main(cases[i][1] ? 3 : 2, argv), 2);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_feed),
		cmocka_unit_test(test_run_feed),
		cmocka_unit_test(test_max_pages_one),
		cmocka_unit_test(test_livelock_stops),
		cmocka_unit_test(test_page_by_gva),
		cmocka_unit_test(test_read_feed),
		cmocka_unit_test(test_options),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
