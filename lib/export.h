/* SPDX-License-Identifier: MIT */
#ifndef LIBKVMSEA_EXPORT_H
#define LIBKVMSEA_EXPORT_H

/* Marks a public function; everything else stays hidden
 * (-fvisibility=hidden) and lib/libkvmsea.sym lists what is exported. */
#define KVMSEA_EXPORT __attribute__((visibility("default")))

#endif /* LIBKVMSEA_EXPORT_H */
