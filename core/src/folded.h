/*
 * folded.h — folded stacks ("root;caller;leaf count" per line), the input format of
 * flamegraph.pl and friends: written from a pp_profile, and parsed into one.
 *
 * Writing: one line per distinct stack, sorted, counts summed, so samples that differ
 * only in addresses (or labels, unless FOLDED_LABELS) merge. Frames are function names,
 * outermost first, with inlined calls expanded; a location without lines prints as
 * "module+0xOFFSET" or "0xADDR". The sum of the counts equals the sum of the chosen
 * sample value over all samples, so folded and pprof output always agree.
 *
 * Parsing: the inverse, into a profile with one sample type (samples/count), one
 * function and one location per distinct frame name; a root frame "{k=v,...}" becomes
 * the sample's labels. Malformed input is an error naming the line, never a crash.
 */
#ifndef HZPROF_FOLDED_H
#define HZPROF_FOLDED_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pprof/profile.h"

#define FOLDED_LABELS 1u /* = HZPROF_FOLDED_LABELS: a root frame with the labels */

/* Writes p (indexed) as folded stacks weighted by sample value `value_index`. Returns 0,
 * or -1 with errno set. */
int folded_write(const struct pp_profile *p, size_t value_index, unsigned flags, FILE *out);

/* Parses folded text into *p (profile_init'ed by the call) and indexes it. Returns 0, or
 * -1 with a message in err; *p is then empty. */
int folded_parse(const char *data, size_t len, struct pp_profile *p, char *err, size_t err_size);

#endif
