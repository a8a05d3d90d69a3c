/* SPDX-License-Identifier: MIT */
/*
 * Test-only stand-in for <linux/kvm.h>, used by tests/build/uapi-check.sh.
 *
 * Included the first time (from lib/uapi-compat.h) it provides nothing, so
 * every "#ifndef KVM_X / #define KVM_X <literal>" fallback in
 * uapi-compat.h takes effect and uapi-check.c can capture our literals.
 * With KVMSEA_UAPI_CHECK_REAL defined it passes through to the real 7.x
 * header next on the include path, which the literals are then compared
 * against. No include guard on purpose: it is entered twice.
 */
#ifdef KVMSEA_UAPI_CHECK_REAL
#include_next <linux/kvm.h>
#endif
