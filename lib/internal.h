/* SPDX-License-Identifier: MIT */
/* Internal declarations shared by the library's files and its unit tests. */
#ifndef LIBKVMSEA_INTERNAL_H
#define LIBKVMSEA_INTERNAL_H

#include <libkvmsea/libkvmsea.h>

/* Marks a public function; everything else stays hidden
 * (-fvisibility=hidden) and the version script lists what is exported. */
#define KVMSEA_EXPORT __attribute__((visibility("default")))

#endif /* LIBKVMSEA_INTERNAL_H */
