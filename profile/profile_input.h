/* profile_input.h — reads a profile file for the viewing commands: pprof (.pb.gz, found
 * by the gzip magic) or folded stacks (text); "-" is standard input. */
#ifndef HZPROF_CLI_PROFILE_INPUT_H
#define HZPROF_CLI_PROFILE_INPUT_H

#include <stddef.h>

#include "pprof/profile.h"

/* Returns 0, or -1 with a one-line reason in err (without the command prefix). */
int profile_load(const char *path, struct pp_profile *p, char *err, size_t err_size);

/* The index of the sample value a view shows: the sample type named `type`, or the last
 * one when `type` is NULL (as pprof does). Returns it, or -1 with a one-line reason in err
 * (naming what was looked for and what `path` has) when there is no such value. */
int profile_value_index(const struct pp_profile *p, const char *type, const char *path, char *err,
                        size_t err_size);

#endif
