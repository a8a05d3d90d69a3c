/* SPDX-License-Identifier: MIT */
/* libkvmsea: the whole public API. */
#ifndef LIBKVMSEA_LIBKVMSEA_H
#define LIBKVMSEA_LIBKVMSEA_H

#include <libkvmsea/esr.h>
#include <libkvmsea/sea.h>
#include <libkvmsea/memory.h>
#include <libkvmsea/cper.h>

#endif /* LIBKVMSEA_LIBKVMSEA_H */
