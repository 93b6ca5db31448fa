/*
 * profile.h — an in-memory pprof profile (google/pprof proto/profile.proto), the one
 * model that the encoder writes, the decoder fills, and the folded and top views read.
 *
 * Strings are indices into `strings` (index 0 is ""). Ids of mappings, locations and
 * functions are the ones in the file; profile_index() builds lookup tables so views can
 * resolve them. Location lines are innermost first (the first line is the inlined callee,
 * the last the function the code really sits in), as in the proto.
 */
#ifndef HZPROF_PROFILE_H
#define HZPROF_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pp_value_type {
    int64_t type, unit; /* string indices */
};

struct pp_label {
    int64_t key, str, num, num_unit;
};

struct pp_sample {
    uint64_t *location_ids; /* leaf first */
    size_t nlocations;
    int64_t *values;
    size_t nvalues;
    struct pp_label *labels;
    size_t nlabels;
};

struct pp_mapping {
    uint64_t id, memory_start, memory_limit, file_offset;
    int64_t filename, build_id;
    bool has_functions, has_filenames, has_line_numbers, has_inline_frames;
};

struct pp_line {
    uint64_t function_id;
    int64_t line;
};

struct pp_location {
    uint64_t id, mapping_id, address;
    struct pp_line *lines;
    size_t nlines;
    bool is_folded;
};

struct pp_function {
    uint64_t id;
    int64_t name, system_name, filename, start_line;
};

/* An id index (profile_index): a table indexed by id when the ids are dense (as every
 * writer makes them: 1..n), else the elements sorted by id, for binary search. Never a
 * hash table: the ids come from the file, and chosen ones would collide. */
struct pp_id_index {
    void **by_id; /* dense: by_id[id]; sparse: sorted by id */
    size_t size;  /* dense: largest id + 1; sparse: element count */
    bool dense;
};

struct pp_profile {
    struct pp_value_type *sample_types;
    size_t nsample_types;
    struct pp_sample *samples;
    size_t nsamples;
    struct pp_mapping *mappings;
    size_t nmappings;
    struct pp_location *locations;
    size_t nlocations;
    struct pp_function *functions;
    size_t nfunctions;
    char **strings;
    size_t nstrings;
    int64_t time_nanos, duration_nanos, period, default_sample_type;
    struct pp_value_type period_type;
    int64_t *comments;
    size_t ncomments;

    /* Built by profile_index(): id -> element. NULL until then. */
    struct pp_id_index *location_index, *function_index;

    /* String interning for builders (profile_intern): a hash.h table from a string's
     * FNV-1a to its index. NULL until the first profile_intern. */
    struct hash_table *intern;
};

void profile_init(struct pp_profile *p);
void profile_free(struct pp_profile *p);

/* Appends one zeroed element of `size` bytes to *array (holding *n elements, grown by
 * doubling) and returns it, or NULL when memory runs out. Arrays that grow one element
 * at a time (samples, locations, lines, strings, ...) must only grow through it. */
void *pp_grow(void **array, size_t *n, size_t size);

/* Builder helpers. Each returns an index/pointer, or -1/NULL when memory runs out. */
int64_t profile_intern(struct pp_profile *p, const char *s);
struct pp_sample *profile_add_sample(struct pp_profile *p);
struct pp_location *profile_add_location(struct pp_profile *p);
struct pp_function *profile_add_function(struct pp_profile *p);
struct pp_mapping *profile_add_mapping(struct pp_profile *p);

/* Checks references (string indices, location/function ids) and builds the id indexes.
 * Returns 0, or -1 with *error set to a static message. */
int profile_index(struct pp_profile *p, const char **error);

/* After profile_index. NULL if unknown. */
const struct pp_location *profile_location(const struct pp_profile *p, uint64_t id);
const struct pp_function *profile_function(const struct pp_profile *p, uint64_t id);
static inline const char *profile_string(const struct pp_profile *p, int64_t i)
{
    return i >= 0 && (size_t)i < p->nstrings ? p->strings[i] : "";
}

/* The index of the sample type named `type` ("samples", "cpu", ...), or -1. */
int profile_sample_type_index(const struct pp_profile *p, const char *type);

#endif
