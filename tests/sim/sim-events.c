// SPDX-License-Identifier: MIT
/*
 * KVM_GET/SET_VCPU_EVENTS on arm64 (guest.c __kvm_arm_vcpu_get/set_events,
 * arm.c kvm_arm_vcpu_set_events): the 64-byte struct of uapi-compat.h.
 */
#include <errno.h>
#include <string.h>

#include "sim-internal.h"

int sim_get_events(struct kvmsim_vcpu *v, void *uaddr)
{
	struct kvmsea_uapi_vcpu_events ev;
	bool has_esr = v->file.host->ras;
	bool pending = v->vse || v->nested_serror_pending;

	memset(&ev, 0, sizeof(ev));
	ev.exception.serror_has_esr = has_esr;
	ev.exception.serror_pending = pending;
	if (pending && has_esr)
		ev.exception.serror_esr = v->vsesr;
	/* ext_dabt_pending stays 0: SET commits the abort at once. */
	memcpy(uaddr, &ev, sizeof(ev));
	return 0;
}

int sim_set_events(struct kvmsim_vcpu *v, const void *uaddr)
{
	struct kvmsea_uapi_vcpu_events ev;
	const struct kvmsim_host *host = v->file.host;
	uint64_t esr;
	bool has_esr;

	memcpy(&ev, uaddr, sizeof(ev));
	for (size_t i = 0; i < sizeof(ev.reserved) / sizeof(ev.reserved[0]); i++)
		if (ev.reserved[i])
			return -EINVAL;
	for (size_t i = 0; i < sizeof(ev.exception.pad); i++)
		if (ev.exception.pad[i])
			return -EINVAL;
	/* Before 5.5 the ext_dabt_pending byte was still padding. */
	if (!host->modern && ev.exception.ext_dabt_pending)
		return -EINVAL;

	/* Committed at once, before the SError part is even checked. */
	if (ev.exception.ext_dabt_pending)
		sim_inject_ext_dabt(v);

	if (!ev.exception.serror_pending)
		return 0;
	has_esr = ev.exception.serror_has_esr;
	esr = ev.exception.serror_esr;
	if (has_esr && !host->ras)
		return -EINVAL;
	if (has_esr && (esr & ~ESR_ISS_MASK))
		return -EINVAL;
	/* Without an ESR: kvm_inject_serror(), i.e. IDS alone. */
	sim_inject_serror(v, has_esr ? esr : ESR_IDS);
	return 0;
}
