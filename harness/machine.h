/* machine.h — what the results were measured on: CPU, cores, caches, kernel, CONFIG_HZ,
 * compiler and flags, git commit, host. A value that cannot be found is null with a
 * reason, never a guess. */
#ifndef HZPROF_MACHINE_H
#define HZPROF_MACHINE_H

#include <cjson/cJSON.h>

cJSON *machine_metadata(void);
cJSON *build_metadata(void);

#endif
