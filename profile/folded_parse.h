/*
 * folded_parse.h — reading folded stacks ("root;caller;leaf COUNT" per line, the format of
 * flamegraph.pl and friends; core/src/folded.h writes them).
 *
 * The format, as read here: lines end in '\n' (a '\r' before it is dropped); blank lines
 * are skipped; a line is frames separated by ';', one space, and a count (a decimal
 * integer from 0 to INT64_MAX). A first frame "{k=v,k2=v2}" holds the sample's labels. No
 * frame name is empty, a line has at least one frame besides the labels, no line holds a
 * NUL byte, and the text has at least one sample. Malformed input is an error naming the
 * line, never a crash.
 *
 * Two readers share this definition: folded_parse (into a profile, for every view) and
 * viz/flame_folded.c (straight into a flame graph's stacks); both walk the lines with
 * folded_next_line and the label pairs with folded_next_label, and split frames at ';'.
 */
#ifndef HZPROF_FOLDED_PARSE_H
#define HZPROF_FOLDED_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pprof/profile.h"

/* Parses folded text into *p (profile_init'ed by the call): one sample type
 * (samples/count), one function and one location per distinct frame name, the label
 * frame as the sample's labels; indexes it. Returns 0, or -1 with a message in err; *p is
 * then empty. */
int folded_parse(const char *data, size_t len, struct pp_profile *p, char *err, size_t err_size);

/* --- the line reader both parsers use --- */

struct folded_reader {
    const char *next, *end;
    size_t lineno; /* of the line last returned, from 1 */
};

/* One line: its frames (the text before the space and the count) and its count. */
struct folded_entry {
    const char *frames, *frames_end;
    uint64_t count;
};

static inline void folded_reader_init(struct folded_reader *r, const char *data, size_t len)
{
    *r = (struct folded_reader){.next = data, .end = data + len};
}

/* The next non-blank line: returns 1 with *l, 0 at the end of the text, or -1 with a
 * message naming the line in err (a NUL byte, no count, a count that is not one, no
 * frames before it). */
int folded_next_line(struct folded_reader *r, struct folded_entry *l, char *err, size_t err_size);

/* Whether the frame [f, fend) of a line that starts at `line` is the label frame. */
static inline bool folded_is_label_frame(const char *line, const char *f, const char *fend)
{
    return f == line && *f == '{' && fend - f >= 2 && fend[-1] == '}';
}

/* One k=v pair of a label frame. */
struct folded_label {
    const char *key, *value;
    size_t key_len, value_len;
};

/* The pairs of the label frame [text, text + n): *pos NULL before the first call. Returns
 * 1 with *l, 0 after the last pair, -1 when malformed (a pair without '=' or with an
 * empty key). */
int folded_next_label(const char *text, size_t n, const char **pos, struct folded_label *l);

#endif
