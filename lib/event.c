/* SPDX-License-Identifier: MIT */
/* Events: made from an exit or by the caller, read as an abort, and
 * formatted as one line, as text for people, or as a versioned JSON
 * record. */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "arm64.h"
#include "internal.h"
#include "writer.h"

#define PAGE_4K 4096ULL

/* The abort synthesised for a memory error reported without a syndrome
 * (a SIGBUS, KVM_EXIT_MEMORY_FAULT): a data abort from a lower EL (the
 * entry rules recompute the EC for the guest's EL), FSC 0x10 "synchronous
 * external abort", FnV set since the guest's virtual address is unknown,
 * SET 0 (recoverable), WnR 0 (a read or a write: unknown). Whether it was
 * an instruction fetch cannot be told either; a Linux guest handles both
 * kinds alike (do_sea()). */
#define SYNTHETIC_SYNDROME 0x92000410ULL

static uint8_t pstate_el(uint64_t pstate)
{
	if (pstate & A64_PSR_MODE32)
		return (pstate & A64_PSR_MODE_MASK) == A32_MODE_USR ? 0 : 1;
	return (pstate >> 2) & 3;
}

void kvmsea_event_guest(struct kvmsea_event *ev, uint32_t features,
			uint64_t pc, uint64_t pstate, uint64_t hcr_el2)
{
	struct kvmsea_guest *g = &ev->guest;
	bool host = (hcr_el2 & A64_HCR_E2H) && (hcr_el2 & A64_HCR_TGE);

	g->pc = pc;
	g->pstate = pstate;
	g->el = pstate_el(pstate);
	g->aarch32 = pstate & A64_PSR_MODE32;
	g->el1_aarch32 = features & KVMSEA_F_EL1_32BIT;
	g->has_el2 = features & KVMSEA_F_EL2;
	g->in_nested_guest = g->has_el2 && g->el < 2 && !(g->el == 0 && host);
	ev->known |= KVMSEA_KNOWN_GUEST;
}

void kvmsea_event_from_exit(struct kvmsea_event *ev,
			    const struct kvmsea_vcpu *vcpu,
			    const struct kvmsea_uapi_arm_sea *sea)
{
	memset(ev, 0, sizeof(*ev));
	ev->source = KVMSEA_SOURCE_EXIT;
	ev->vcpu_id = vcpu->id;
	ev->seq = vcpu->seq;
	ev->time_ns = kvmsea_realtime_ns();
	ev->exit.flags = sea->flags;
	ev->exit.esr = sea->esr;
	ev->exit.gva = sea->gva;
	ev->exit.gpa = sea->gpa;
	ev->syndrome = sea->esr;
	kvmsea_esr_decode(ev->syndrome, &ev->esr);

	/* KVM writes gva from FAR_EL2 only when the syndrome says FAR is
	 * valid, and gpa (the 4 KiB IPA page) only with the flag. */
	if (kvmsea_esr_far_valid(ev->syndrome)) {
		ev->known |= KVMSEA_KNOWN_GVA;
		ev->gva = sea->gva;
	}
	if (sea->flags & KVM_EXIT_ARM_SEA_FLAG_GPA_VALID) {
		ev->known |= KVMSEA_KNOWN_PAGE_GPA;
		ev->page_gpa = sea->gpa & ~(PAGE_4K - 1);
		ev->page_size = PAGE_4K;
	}
	if ((ev->known & KVMSEA_KNOWN_GVA) && (ev->known & KVMSEA_KNOWN_PAGE_GPA)) {
		ev->known |= KVMSEA_KNOWN_GPA;
		ev->gpa = ev->page_gpa | (ev->gva & (PAGE_4K - 1));
	}
}

void kvmsea_event_from_sigbus(struct kvmsea_event *ev,
			      const struct kvmsea_sigrec *rec, uint32_t vcpu_id,
			      uint64_t seq)
{
	memset(ev, 0, sizeof(*ev));
	ev->source = rec->code == BUS_MCEERR_AO ? KVMSEA_SOURCE_SIGBUS_AO :
						  KVMSEA_SOURCE_SIGBUS_AR;
	ev->vcpu_id = vcpu_id;
	ev->seq = seq;
	ev->time_ns = rec->time_ns;
	ev->syndrome = SYNTHETIC_SYNDROME;
	kvmsea_esr_decode(ev->syndrome, &ev->esr);
	ev->sigbus.code = rec->code;
	ev->sigbus.addr = rec->addr;
	ev->sigbus.addr_lsb = rec->addr_lsb;
	ev->known = KVMSEA_KNOWN_PAGE_GPA | KVMSEA_KNOWN_PAGE_HVA;
	ev->page_gpa = rec->page_gpa;
	ev->page_hva = rec->page_hva;
	ev->page_size = rec->page_size;
}

void kvmsea_event_from_memory_fault(struct kvmsea_event *ev,
				    const struct kvmsea_vcpu *vcpu,
				    const struct kvmsea_uapi_memory_fault *mf)
{
	memset(ev, 0, sizeof(*ev));
	ev->source = KVMSEA_SOURCE_MEMORY_FAULT;
	ev->vcpu_id = vcpu->id;
	ev->seq = vcpu->seq;
	ev->time_ns = kvmsea_realtime_ns();
	ev->syndrome = SYNTHETIC_SYNDROME;
	kvmsea_esr_decode(ev->syndrome, &ev->esr);
	ev->memory_fault.flags = mf->flags;
	ev->memory_fault.gpa = mf->gpa;
	ev->memory_fault.size = mf->size;
	/* KVM reports the page it could not get (PAGE_SIZE of the host). */
	ev->known = KVMSEA_KNOWN_PAGE_GPA;
	ev->page_gpa = mf->gpa & ~(PAGE_4K - 1);
	ev->page_size = mf->size;
}

int kvmsea_event_abort(const struct kvmsea_event *ev,
		       struct kvmsea_abort *abort)
{
	switch (A64_ESR_EC(ev->syndrome)) {
	case KVMSEA_EC_DABT_LOW: case KVMSEA_EC_DABT_CUR:
		abort->is_data = true;
		break;
	case KVMSEA_EC_IABT_LOW: case KVMSEA_EC_IABT_CUR:
		abort->is_data = false;
		break;
	default:
		return -EINVAL; /* not an abort: nothing to deliver */
	}
	abort->esr = ev->syndrome;
	abort->far_valid = ev->known & KVMSEA_KNOWN_GVA;
	abort->far = abort->far_valid ? ev->gva : 0;
	return 0;
}

KVMSEA_EXPORT int kvmsea_event_init(struct kvmsea_event *event, uint64_t esr,
				    uint64_t far)
{
	unsigned int ec = A64_ESR_EC(esr);

	if (!event)
		return -EINVAL;
	if (ec != KVMSEA_EC_DABT_LOW && ec != KVMSEA_EC_DABT_CUR &&
	    ec != KVMSEA_EC_IABT_LOW && ec != KVMSEA_EC_IABT_CUR)
		return -EINVAL;
	memset(event, 0, sizeof(*event));
	event->source = KVMSEA_SOURCE_CALLER;
	event->vcpu_id = KVMSEA_NO_VCPU;
	event->time_ns = kvmsea_realtime_ns();
	event->syndrome = esr;
	kvmsea_esr_decode(esr, &event->esr);
	if (kvmsea_esr_far_valid(esr)) {
		event->known |= KVMSEA_KNOWN_GVA;
		event->gva = far;
	}
	return 0;
}

/* ---- formatting ---------------------------------------------------------- */

static const char *source_name(enum kvmsea_source source)
{
	switch (source) {
	case KVMSEA_SOURCE_EXIT:
		return "exit";
	case KVMSEA_SOURCE_SIGBUS_AR:
		return "sigbus-ar";
	case KVMSEA_SOURCE_SIGBUS_AO:
		return "sigbus-ao";
	case KVMSEA_SOURCE_MEMORY_FAULT:
		return "memory-fault";
	case KVMSEA_SOURCE_CALLER:
		return "caller";
	}
	return "unknown";
}

static const char *action_name(enum kvmsea_action action)
{
	switch (action) {
	case KVMSEA_ACTION_DEFAULT:
		return "default";
	case KVMSEA_ACTION_RETRY:
		return "retry";
	case KVMSEA_ACTION_STOP:
		return "stop";
	case KVMSEA_ACTION_HANDLED:
		return "handled";
	}
	return "unknown";
}

/* KVMSEA_LOST_* bit i is lost_names[i] (fixed-size rows: no relocations). */
static const char lost_names[][5] = {
	"far", "fnv", "wnr", "cm", "ea", "set", "fsc", "sync",
};

/* The ESR in @style, through kvmsea_esr_format() into the writer. */
static void w_esr(struct kvmsea_writer *w, uint64_t esr,
		  enum kvmsea_esr_style style)
{
	size_t room = w->len + 1 < w->size ? w->size - w->len : 0;
	int n = kvmsea_esr_format(esr, style, room ? w->buf + w->len : NULL, room);

	if (n > 0)
		w->len += (size_t)n;
}

/* An address, or "-" (text) / null (JSON) when the event does not know it. */
static void w_addr(struct kvmsea_writer *w, bool known, uint64_t v, bool json)
{
	if (!known) {
		w_str(w, json ? "null" : "-");
		return;
	}
	if (json)
		w_char(w, '"');
	w_hex(w, v, 1);
	if (json)
		w_char(w, '"');
}

static void w_lost(struct kvmsea_writer *w, uint32_t lost, bool json)
{
	bool first = true;

	if (json)
		w_char(w, '[');
	for (unsigned int i = 0; i < sizeof(lost_names) / sizeof(lost_names[0]); i++) {
		if (!(lost & (1u << i)))
			continue;
		if (!first)
			w_char(w, json ? ',' : '|');
		if (json)
			w_json_str(w, lost_names[i]);
		else
			w_str(w, lost_names[i]);
		first = false;
	}
	if (json)
		w_char(w, ']');
	else if (first)
		w_str(w, "nothing");
}

static void format_oneline(struct kvmsea_writer *w, const struct kvmsea_event *ev)
{
	w_str(w, source_name(ev->source));
	if (ev->vcpu_id != KVMSEA_NO_VCPU) {
		w_str(w, " vcpu ");
		w_dec(w, ev->vcpu_id);
	}
	w_str(w, " #");
	w_dec(w, ev->seq);
	w_str(w, ": esr ");
	w_hex(w, ev->syndrome, 8);
	w_char(w, ' ');
	w_str(w, kvmsea_esr_ec_name(ev->esr.ec));
	w_str(w, " gva ");
	w_addr(w, ev->known & KVMSEA_KNOWN_GVA, ev->gva, false);
	w_str(w, " gpa ");
	w_addr(w, ev->known & KVMSEA_KNOWN_GPA, ev->gpa, false);
	w_str(w, " page ");
	w_addr(w, ev->known & KVMSEA_KNOWN_PAGE_GPA, ev->page_gpa, false);
	w_char(w, '+');
	w_hex(w, ev->page_size, 1);
	if (ev->known & KVMSEA_KNOWN_GUEST) {
		w_str(w, " el");
		w_dec(w, ev->guest.el);
		w_str(w, " pc ");
		w_hex(w, ev->guest.pc, 1);
	}
	w_str(w, " repeats ");
	w_dec(w, ev->repeats);
	w_str(w, " action ");
	w_str(w, action_name(ev->action));
	w_str(w, " injected ");
	w_str(w, kvmsea_strategy_name(ev->injected));
	w_str(w, " lost ");
	w_lost(w, ev->lost, false);
}

static void text_line(struct kvmsea_writer *w, const char *name)
{
	w_str(w, "  ");
	w_str(w, name);
	for (size_t n = strlen(name); n < 9; n++)
		w_char(w, ' ');
}

static void format_text(struct kvmsea_writer *w, const struct kvmsea_event *ev)
{
	w_str(w, "memory error from ");
	w_str(w, source_name(ev->source));
	if (ev->vcpu_id != KVMSEA_NO_VCPU) {
		w_str(w, " on vCPU ");
		w_dec(w, ev->vcpu_id);
	}
	w_str(w, " (#");
	w_dec(w, ev->seq);
	w_str(w, ")\n");
	text_line(w, "esr");
	w_esr(w, ev->syndrome, KVMSEA_ESR_ONELINE);
	w_char(w, '\n');
	text_line(w, "gva");
	w_addr(w, ev->known & KVMSEA_KNOWN_GVA, ev->gva, false);
	w_char(w, '\n');
	text_line(w, "gpa");
	w_addr(w, ev->known & KVMSEA_KNOWN_GPA, ev->gpa, false);
	w_char(w, '\n');
	text_line(w, "page");
	w_addr(w, ev->known & KVMSEA_KNOWN_PAGE_GPA, ev->page_gpa, false);
	w_str(w, " (host ");
	w_addr(w, ev->known & KVMSEA_KNOWN_PAGE_HVA, ev->page_hva, false);
	w_str(w, ", ");
	w_dec(w, ev->page_size);
	w_str(w, " bytes)\n");
	if (ev->source == KVMSEA_SOURCE_SIGBUS_AR ||
	    ev->source == KVMSEA_SOURCE_SIGBUS_AO) {
		text_line(w, "signal");
		w_str(w, ev->source == KVMSEA_SOURCE_SIGBUS_AR ? "BUS_MCEERR_AR" :
			  "BUS_MCEERR_AO");
		w_str(w, " at ");
		w_hex(w, ev->sigbus.addr, 1);
		w_str(w, ", lsb ");
		w_dec(w, ev->sigbus.addr_lsb);
		w_char(w, '\n');
	}
	if (ev->source == KVMSEA_SOURCE_MEMORY_FAULT) {
		text_line(w, "fault");
		w_str(w, "KVM_EXIT_MEMORY_FAULT at ");
		w_hex(w, ev->memory_fault.gpa, 1);
		w_str(w, ", size ");
		w_dec(w, ev->memory_fault.size);
		w_str(w, ", flags ");
		w_hex(w, ev->memory_fault.flags, 1);
		w_char(w, '\n');
	}
	if (ev->known & KVMSEA_KNOWN_GUEST) {
		text_line(w, "guest");
		w_str(w, "EL");
		w_dec(w, ev->guest.el);
		w_str(w, ev->guest.aarch32 ? " AArch32" : " AArch64");
		if (ev->guest.in_nested_guest)
			w_str(w, " (nested guest)");
		w_str(w, ", PC ");
		w_hex(w, ev->guest.pc, 1);
		w_str(w, ", PSTATE ");
		w_hex(w, ev->guest.pstate, 8);
		w_char(w, '\n');
	}
	text_line(w, "repeats");
	w_dec(w, ev->repeats);
	w_str(w, ev->livelock ? " (livelock)" : "");
	w_str(w, ", distinct pages ");
	w_dec(w, ev->distinct_pages);
	w_str(w, ev->storm ? " (storm)" : "");
	w_char(w, '\n');
	text_line(w, "action");
	w_str(w, action_name(ev->action));
	w_str(w, ", injected ");
	w_str(w, kvmsea_strategy_name(ev->injected));
	w_str(w, ", lost ");
	w_lost(w, ev->lost, false);
	w_char(w, '\n');
}

static void json_addr(struct kvmsea_writer *w, const char *key, bool known,
		      uint64_t v)
{
	w_json_key(w, key);
	w_addr(w, known, v, true);
}

/* Schema libkvmsea.event/1: kvmsea_event_format(3) lists every key.
 * A new key may be added within version 1; none is renamed or removed. */
static void format_json(struct kvmsea_writer *w, const struct kvmsea_event *ev)
{
	w_str(w, "{\"schema\":\"libkvmsea.event/1\"");
	w_json_key(w, "source");
	w_json_str(w, source_name(ev->source));
	w_json_key(w, "vcpu");
	if (ev->vcpu_id == KVMSEA_NO_VCPU)
		w_str(w, "null");
	else
		w_dec(w, ev->vcpu_id);
	w_json_key_num(w, "seq", ev->seq);
	w_json_key_num(w, "time_ns", ev->time_ns);
	w_json_key(w, "esr");
	w_esr(w, ev->syndrome, KVMSEA_ESR_JSON);
	json_addr(w, "gva", ev->known & KVMSEA_KNOWN_GVA, ev->gva);
	json_addr(w, "gpa", ev->known & KVMSEA_KNOWN_GPA, ev->gpa);
	json_addr(w, "page_gpa", ev->known & KVMSEA_KNOWN_PAGE_GPA, ev->page_gpa);
	json_addr(w, "page_hva", ev->known & KVMSEA_KNOWN_PAGE_HVA, ev->page_hva);
	w_json_key_num(w, "page_size", ev->page_size);
	w_json_key(w, "exit");
	if (ev->source == KVMSEA_SOURCE_EXIT) {
		w_str(w, "{\"flags\":");
		w_dec(w, ev->exit.flags);
		json_addr(w, "esr", true, ev->exit.esr);
		json_addr(w, "gva", true, ev->exit.gva);
		json_addr(w, "gpa", true, ev->exit.gpa);
		w_char(w, '}');
	} else {
		w_str(w, "null");
	}
	w_json_key(w, "sigbus");
	if (ev->source == KVMSEA_SOURCE_SIGBUS_AR ||
	    ev->source == KVMSEA_SOURCE_SIGBUS_AO) {
		w_str(w, "{\"code\":");
		w_dec(w, (uint32_t)ev->sigbus.code);
		json_addr(w, "addr", true, ev->sigbus.addr);
		w_json_key_num(w, "addr_lsb", ev->sigbus.addr_lsb);
		w_char(w, '}');
	} else {
		w_str(w, "null");
	}
	w_json_key(w, "memory_fault");
	if (ev->source == KVMSEA_SOURCE_MEMORY_FAULT) {
		w_str(w, "{\"flags\":");
		w_dec(w, ev->memory_fault.flags);
		json_addr(w, "gpa", true, ev->memory_fault.gpa);
		w_json_key_num(w, "size", ev->memory_fault.size);
		w_char(w, '}');
	} else {
		w_str(w, "null");
	}
	w_json_key(w, "guest");
	if (ev->known & KVMSEA_KNOWN_GUEST) {
		w_str(w, "{\"pc\":");
		w_addr(w, true, ev->guest.pc, true);
		json_addr(w, "pstate", true, ev->guest.pstate);
		w_json_key_num(w, "el", ev->guest.el);
		w_json_key_bool(w, "aarch32", ev->guest.aarch32);
		w_json_key_bool(w, "el1_aarch32", ev->guest.el1_aarch32);
		w_json_key_bool(w, "has_el2", ev->guest.has_el2);
		w_json_key_bool(w, "in_nested_guest", ev->guest.in_nested_guest);
		w_char(w, '}');
	} else {
		w_str(w, "null");
	}
	w_json_key_num(w, "repeats", ev->repeats);
	w_json_key_bool(w, "livelock", ev->livelock);
	w_json_key_num(w, "distinct_pages", ev->distinct_pages);
	w_json_key_bool(w, "storm", ev->storm);
	w_json_key(w, "action");
	w_json_str(w, action_name(ev->action));
	w_json_key(w, "injected");
	w_json_str(w, kvmsea_strategy_name(ev->injected));
	w_json_key(w, "lost");
	w_lost(w, ev->lost, true);
	w_char(w, '}');
}

KVMSEA_EXPORT int kvmsea_event_format(const struct kvmsea_event *event,
				      enum kvmsea_event_style style, char *buf,
				      size_t size)
{
	struct kvmsea_writer w;

	if (!event || (!buf && size))
		return -EINVAL;
	if (style != KVMSEA_EVENT_ONELINE && style != KVMSEA_EVENT_TEXT &&
	    style != KVMSEA_EVENT_JSON)
		return -EINVAL;
	w_init(&w, buf, size);
	switch (style) {
	case KVMSEA_EVENT_ONELINE:
		format_oneline(&w, event);
		break;
	case KVMSEA_EVENT_TEXT:
		format_text(&w, event);
		break;
	case KVMSEA_EVENT_JSON:
		format_json(&w, event);
		break;
	}
	return w_finish(&w);
}
