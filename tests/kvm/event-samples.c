/* SPDX-License-Identifier: MIT */
/*
 * Prints kvmsea_event_format()'s JSON for events of every shape, one a
 * line, for check-event-schema.py: every source, action and strategy value
 * (and values past the last, which are "unknown"), every lost bit, with
 * and without a vCPU, each address and the guest known or not.
 */
#include <stdio.h>

#include <libkvmsea/libkvmsea.h>

/* Past every enum's last value: the "unknown"s, and room for new ones. */
#define VALUES 16

static int print(const struct kvmsea_event *ev)
{
	char line[8192];
	int n = kvmsea_event_format(ev, KVMSEA_EVENT_JSON, line, sizeof(line));

	if (n < 0 || (size_t)n >= sizeof(line)) {
		fprintf(stderr, "event-samples: kvmsea_event_format: %d\n", n);
		return 1;
	}
	puts(line);
	return 0;
}

static void base(struct kvmsea_event *ev, bool everything)
{
	kvmsea_event_init(ev, 0x92000010, 0x50000123);
	ev->seq = 7;
	if (!everything)
		return;
	ev->vcpu_id = 3;
	ev->known = KVMSEA_KNOWN_GVA | KVMSEA_KNOWN_GPA | KVMSEA_KNOWN_PAGE_GPA |
		    KVMSEA_KNOWN_PAGE_HVA | KVMSEA_KNOWN_GUEST;
	ev->gpa = 0x40000123;
	ev->page_gpa = 0x40000000;
	ev->page_hva = 0x7f0000000000;
	ev->page_size = 4096;
	ev->guest.pc = 0x40001000;
	ev->guest.pstate = 0x3c5;
	ev->guest.el = 1;
	ev->lost = ~0u;
	ev->livelock = ev->storm = true;
}

int main(void)
{
	struct kvmsea_event ev;
	int failed = 0;

	for (int everything = 0; everything <= 1; everything++) {
		for (int v = 0; v < VALUES; v++) {
			base(&ev, everything);
			ev.source = (enum kvmsea_source)v;
			failed |= print(&ev);
			base(&ev, everything);
			ev.action = (enum kvmsea_action)v;
			failed |= print(&ev);
			base(&ev, everything);
			ev.injected = (enum kvmsea_strategy)v;
			failed |= print(&ev);
		}
	}
	return failed;
}
