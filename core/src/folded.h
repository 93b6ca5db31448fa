/*
 * folded.h — folded stacks ("root;caller;leaf count" per line), the input format of
 * flamegraph.pl and friends, written from a pp_profile. Reading them is the tools'
 * (profile/folded_parse.h, where the format is defined for readers).
 *
 * One line per distinct stack, sorted, counts summed, so samples that differ
 * only in addresses (or labels, unless FOLDED_LABELS) merge. Frames are function names,
 * outermost first, with inlined calls expanded; a location without lines prints as
 * "module+0xOFFSET" or "0xADDR". The sum of the counts equals the sum of the chosen
 * sample value over all samples, so folded and pprof output always agree.
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

#endif
