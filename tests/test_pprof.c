/*
 * test_pprof.c — the pprof writer and reader, and the folded writer and parser.
 *
 * Round trips: a profile recorded in-process is written as pprof and as folded; reading
 * the pprof back and folding it gives the same text, byte for byte; re-encoding what was
 * read and reading it again changes nothing; parsing the folded text and folding it again
 * gives it back. Fuzz-style: every truncation, random byte flips (also inside the
 * decompressed protobuf, recompressed so the protobuf decoder sees them), and random bytes
 * are rejected with an error or read as some valid profile, never a crash (ASan in CI).
 */
#define _GNU_SOURCE
#include <check.h>

#include "check_runner.h"
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <zlib.h>

#include "folded.h"
#include "folded_parse.h"
#include "hzprof.h"
#include "pprof/pprof_encode.h"
#include "pprof_decode.h"
#include "support.h"
#include "test_config.h"

static uint8_t *pprof_bytes;
static size_t pprof_len;
static char *folded_text;
static size_t folded_len;
static uint64_t samples_taken;

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* Records a small profile with labels, varied depths and truncation, once per process. */
static void make_profile(void)
{
    struct hzprof_config cfg = test_config("manual", "fp");
    cfg.max_depth = 40;
    ck_assert_int_eq(hzprof_start(&cfg), HZPROF_OK);
    for (int i = 0; i < 60; i++) {
        if (i % 3 == 0)
            hzprof_label_push("phase", i % 2 ? "odd" : "even");
        support_sample_at_depth(i % 50);
        if (i % 3 == 0)
            hzprof_label_pop();
    }
    ck_assert_int_eq(hzprof_stop(), HZPROF_OK);
    struct hzprof_stats st;
    hzprof_get_stats(&st);
    samples_taken = st.samples_taken;
    ck_assert_uint_gt(st.stacks_truncated, 0);
    ck_assert_int_eq(hzprof_write_pprof("rt.pb.gz"), HZPROF_OK);
    ck_assert_int_eq(hzprof_write_folded("rt.folded", HZPROF_FOLDED_LABELS), HZPROF_OK);
    pprof_bytes = (uint8_t *)read_file("rt.pb.gz", &pprof_len);
    folded_text = read_file("rt.folded", &folded_len);
    unlink("rt.pb.gz");
    unlink("rt.folded");
}

static char *fold(const struct pp_profile *p, size_t value_index)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_int_eq(folded_write(p, value_index, FOLDED_LABELS, f), 0);
    fclose(f);
    return text;
}

START_TEST(test_pprof_round_trip_matches_folded)
{
    struct pp_profile p;
    char err[256];
    ck_assert_msg(pprof_decode(pprof_bytes, pprof_len, &p, err, sizeof err) == 0, "%s", err);
    /* Same samples: counts add up to what the profiler took. */
    int vi = profile_sample_type_index(&p, "samples");
    ck_assert_int_eq(vi, 0);
    ck_assert_int_eq(profile_sample_type_index(&p, "cpu"), 1);
    int64_t total = 0;
    for (size_t i = 0; i < p.nsamples; i++)
        total += p.samples[i].values[0];
    ck_assert_int_eq(total, (int64_t)samples_taken);
    ck_assert_int_eq(p.period, 1000000000 / 100);
    ck_assert_uint_gt(p.nmappings, 0);
    /* Folding what we read gives exactly the folded file written in-process. */
    char *text = fold(&p, 0);
    ck_assert_str_eq(text, folded_text);
    ck_assert_ptr_nonnull(strstr(text, "{phase=even};"));
    ck_assert_ptr_nonnull(strstr(text, "[truncated];"));
    free(text);

    /* Encode what we decoded, decode again: nothing changes. */
    uint8_t *again = NULL;
    size_t again_len = 0;
    ck_assert_int_eq(pprof_encode(&p, &again, &again_len), 0);
    struct pp_profile q;
    ck_assert_msg(pprof_decode(again, again_len, &q, err, sizeof err) == 0, "%s", err);
    text = fold(&q, 0);
    ck_assert_str_eq(text, folded_text);
    free(text);
    char *cpu_p = fold(&p, 1), *cpu_q = fold(&q, 1);
    ck_assert_str_eq(cpu_p, cpu_q);
    free(cpu_p);
    free(cpu_q);
    free(again);
    profile_free(&q);
    profile_free(&p);
}
END_TEST

START_TEST(test_folded_parse_round_trip)
{
    struct pp_profile p;
    char err[256];
    ck_assert_msg(folded_parse(folded_text, folded_len, &p, err, sizeof err) == 0, "%s", err);
    char *text = fold(&p, 0);
    ck_assert_str_eq(text, folded_text);
    free(text);
    profile_free(&p);
}
END_TEST

START_TEST(test_folded_parse_errors_name_the_line)
{
    static const struct {
        const char *input, *error;
    } cases[] = {
        {"a;b 3\nc;d\n", "line 2: expected"},
        {"a;b x\n", "line 1: 'x' is not a sample count"},
        {"a;b -3\n", "is not a sample count"},
        {"a;;b 3\n", "line 1: empty frame name"},
        {"{k=v} 3\n", "line 1: no frames, only labels"},
        {"{kv};a 3\n", "line 1: malformed label frame"},
        {"", "no samples"},
        {"\n\n", "no samples"},
        {"a 99999999999999999999999\n", "is not a sample count"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct pp_profile p;
        char err[256] = "";
        ck_assert_int_eq(folded_parse(cases[i].input, strlen(cases[i].input), &p, err, sizeof err),
                         -1);
        ck_assert_msg(strstr(err, cases[i].error), "case %zu: '%s' lacks '%s'", i, err,
                      cases[i].error);
    }
    const char nul[] = "a;b 1\nc\0d 2\n";
    struct pp_profile p;
    char err[256];
    ck_assert_int_eq(folded_parse(nul, sizeof nul - 1, &p, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "line 2: contains a NUL byte"));
}
END_TEST

START_TEST(test_pprof_rejects_non_gzip_and_truncations)
{
    struct pp_profile p;
    char err[256];
    ck_assert_int_eq(pprof_decode((const uint8_t *)"hello", 5, &p, err, sizeof err), -1);
    ck_assert_str_eq(err, "not a gzip-compressed pprof profile");
    /* Every strict prefix of the file is an incomplete gzip stream: all must fail. */
    for (size_t len = 0; len < pprof_len; len++)
        ck_assert_msg(pprof_decode(pprof_bytes, len, &p, err, sizeof err) == -1,
                      "prefix of %zu bytes accepted", len);
}
END_TEST

static int gzip_raw(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 1, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    size_t cap = deflateBound(&z, (uLong)len) + 64;
    *out = malloc(cap);
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)len;
    z.next_out = *out;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    *out_len = z.total_out;
    deflateEnd(&z);
    return rc == Z_STREAM_END ? 0 : -1;
}

static uint8_t *gunzip_raw(const uint8_t *in, size_t len, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    ck_assert_int_eq(inflateInit2(&z, 31), Z_OK);
    size_t cap = 1 << 22;
    uint8_t *out = malloc(cap);
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    ck_assert_int_eq(inflate(&z, Z_FINISH), Z_STREAM_END);
    *out_len = z.total_out;
    inflateEnd(&z);
    return out;
}

START_TEST(test_pprof_fuzz_never_crashes)
{
    srand(12345);
    struct pp_profile p;
    char err[256];
    size_t raw_len;
    uint8_t *raw = gunzip_raw(pprof_bytes, pprof_len, &raw_len);
    size_t buf_size = pprof_len > raw_len ? pprof_len : raw_len;
    uint8_t *buf = malloc(buf_size > 4096 ? buf_size : 4096);
    int accepted = 0, rejected = 0;
    for (int iter = 0; iter < 3000; iter++) {
        const bool inner = iter % 2; /* mutate the protobuf itself, then recompress */
        const uint8_t *src = inner ? raw : pprof_bytes;
        size_t len = inner ? raw_len : pprof_len;
        memcpy(buf, src, len);
        int flips = 1 + rand() % 8;
        for (int k = 0; k < flips; k++)
            buf[(size_t)rand() % len] ^= (uint8_t)(1 + rand() % 255);
        if (iter % 7 == 0)
            len = (size_t)rand() % len; /* and truncate */
        uint8_t *in = buf;
        size_t in_len = len;
        uint8_t *gz = NULL;
        if (inner) {
            ck_assert_int_eq(gzip_raw(buf, len, &gz, &in_len), 0);
            in = gz;
        }
        if (pprof_decode(in, in_len, &p, err, sizeof err) == 0) {
            accepted++;
            char *text = fold(&p, 0); /* a profile we accept must also be viewable */
            free(text);
            profile_free(&p);
        } else {
            rejected++;
            ck_assert(err[0] != '\0');
        }
        free(gz);
    }
    /* Random bytes, gzip-wrapped and not. */
    for (int iter = 0; iter < 500; iter++) {
        size_t len = 1 + (size_t)rand() % 4096;
        for (size_t i = 0; i < len; i++)
            buf[i] = (uint8_t)rand();
        if (pprof_decode(buf, len, &p, err, sizeof err) == 0)
            profile_free(&p);
        uint8_t *gz;
        size_t gz_len;
        ck_assert_int_eq(gzip_raw(buf, len, &gz, &gz_len), 0);
        if (pprof_decode(gz, gz_len, &p, err, sizeof err) == 0) {
            free(fold(&p, 0));
            profile_free(&p);
        }
        free(gz);
    }
    printf("pprof fuzz: %d mutated inputs accepted, %d rejected\n", accepted, rejected);
    ck_assert_int_gt(rejected, 0);
    free(buf);
    free(raw);
}
END_TEST

START_TEST(test_folded_fuzz_never_crashes)
{
    srand(54321);
    struct pp_profile p;
    char err[256];
    char *buf = malloc(folded_len + 1);
    for (size_t len = 0; len <= folded_len; len++) /* every truncation */
        if (folded_parse(folded_text, len, &p, err, sizeof err) == 0)
            profile_free(&p);
    for (int iter = 0; iter < 3000; iter++) {
        memcpy(buf, folded_text, folded_len);
        int flips = 1 + rand() % 8;
        for (int k = 0; k < flips; k++)
            buf[(size_t)rand() % folded_len] = (char)(rand() % 256);
        if (folded_parse(buf, folded_len, &p, err, sizeof err) == 0) {
            free(fold(&p, 0));
            profile_free(&p);
        }
    }
    for (int iter = 0; iter < 500; iter++) {
        size_t len = (size_t)rand() % folded_len;
        for (size_t i = 0; i < len; i++)
            buf[i] = (char)rand();
        if (folded_parse(buf, len, &p, err, sizeof err) == 0)
            profile_free(&p);
    }
    free(buf);
}
END_TEST

/* Decodes pprof_bytes within lim; returns 0 or -1 with the message in err. */
static int decode_with(const struct pprof_limits *lim, char *err, size_t err_size)
{
    struct pp_profile p;
    int rc = pprof_decode_limited(pprof_bytes, pprof_len, lim, &p, err, err_size);
    if (rc == 0)
        profile_free(&p);
    return rc;
}

/* Each limit of the decoder (issue 14 #15), exactly: the recorded profile decodes with the
 * limit at what it holds, and is refused with one line naming the limit at one less. */
START_TEST(test_pprof_limits_are_exact)
{
    struct pp_profile p;
    char err[256];
    ck_assert_msg(pprof_decode(pprof_bytes, pprof_len, &p, err, sizeof err) == 0, "%s", err);
    size_t depth = 0, values = 0, labels = 0, lines = 0, frames = 0;
    for (size_t i = 0; i < p.nsamples; i++) {
        const struct pp_sample *s = &p.samples[i];
        depth = s->nlocations > depth ? s->nlocations : depth;
        values = s->nvalues > values ? s->nvalues : values;
        labels = s->nlabels > labels ? s->nlabels : labels;
        for (size_t k = 0; k < s->nlocations; k++) {
            const struct pp_location *l = profile_location(&p, s->location_ids[k]);
            frames += l->nlines ? l->nlines : 1;
        }
    }
    for (size_t i = 0; i < p.nlocations; i++)
        lines = p.locations[i].nlines > lines ? p.locations[i].nlines : lines;
    struct {
        size_t *limit; /* into lim */
        size_t held;
        const char *what;
    } cases[] = {
        {NULL, p.nstrings, "strings"},
        {NULL, p.nsamples, "samples"},
        {NULL, p.nlocations, "locations"},
        {NULL, p.nfunctions, "functions"},
        {NULL, p.nmappings, "mappings"},
        {NULL, p.nsample_types, "sample types"},
        {NULL, depth, "locations in a sample"},
        {NULL, values, "values in a sample"},
        {NULL, labels, "labels in a sample"},
        {NULL, lines, "lines in a location"},
        {NULL, p.ncomments, "comments"},
        {NULL, frames, "frames in the samples (inlined lines counted)"},
    };
    struct pprof_limits lim;
    size_t *fields[] = {&lim.max_strings,      &lim.max_samples,      &lim.max_locations,
                        &lim.max_functions,    &lim.max_mappings,     &lim.max_sample_types,
                        &lim.max_sample_depth, &lim.max_sample_types, &lim.max_labels,
                        &lim.max_lines,        &lim.max_comments,     &lim.max_frames};
    profile_free(&p);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        ck_assert_msg(cases[c].held > 0, "the profile has no %s to test", cases[c].what);
        pprof_limits_default(&lim);
        lim.frames_per_byte = 0; /* max_frames alone */
        *fields[c] = cases[c].held;
        /* Sample types and values per sample share a limit: both are at it. */
        ck_assert_msg(decode_with(&lim, err, sizeof err) == 0, "%s at the limit: %s", cases[c].what,
                      err);
        *fields[c] = cases[c].held - 1;
        ck_assert_int_eq(decode_with(&lim, err, sizeof err), -1);
        char want[160];
        snprintf(want, sizeof want, "refusing the profile: more than %zu %s (the decoder's limit)",
                 cases[c].held - 1, cases[c].what);
        if (c != 7) /* values: the sample types, counted first, hit the shared limit */
            ck_assert_str_eq(err, want);
        ck_assert(!strchr(err, '\n'));
    }
    /* Frames relative to the size: frames_per_byte per decompressed byte raises the limit
     * above max_frames for a profile that size (this one has fewer frames than bytes). */
    pprof_limits_default(&lim);
    lim.max_frames = frames - 1;
    lim.frames_per_byte = 1;
    size_t raw_len;
    free(gunzip_raw(pprof_bytes, pprof_len, &raw_len));
    ck_assert_msg(frames <= raw_len, "%zu frames in %zu bytes", frames, raw_len);
    ck_assert_msg(decode_with(&lim, err, sizeof err) == 0, "%s", err);
    lim.frames_per_byte = 0;
    ck_assert_int_eq(decode_with(&lim, err, sizeof err), -1);
    /* Memory of the decoded model. */
    pprof_limits_default(&lim);
    lim.max_decoded_bytes = 4096;
    ck_assert_int_eq(decode_with(&lim, err, sizeof err), -1);
    ck_assert_str_eq(err, "refusing the profile: more than 4096 bytes of decoded profile (the "
                          "decoder's limit)");
    lim.max_decoded_bytes = 64u << 20;
    ck_assert_msg(decode_with(&lim, err, sizeof err) == 0, "%s", err);
    /* Decompressed size. */
    pprof_limits_default(&lim);
    lim.max_decompressed = raw_len - 1;
    ck_assert_int_eq(decode_with(&lim, err, sizeof err), -1);
    snprintf(err + 128, 128, "more than %zu bytes decompressed", raw_len - 1);
    ck_assert_msg(strstr(err, err + 128), "%s", err);
    lim.max_decompressed = raw_len + 1;
    ck_assert_msg(decode_with(&lim, err, sizeof err) == 0, "%s", err);
}
END_TEST

/* pprof_decode_protobuf reads what pprof_decode reads after gunzipping. */
START_TEST(test_pprof_decode_protobuf_matches)
{
    struct pp_profile a, b;
    char err[256];
    size_t raw_len;
    uint8_t *raw = gunzip_raw(pprof_bytes, pprof_len, &raw_len);
    ck_assert_msg(pprof_decode(pprof_bytes, pprof_len, &a, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(pprof_decode_protobuf(raw, raw_len, NULL, &b, err, sizeof err) == 0, "%s", err);
    char *fa = fold(&a, 0), *fb = fold(&b, 0);
    ck_assert_str_eq(fa, fb);
    free(fa);
    free(fb);
    profile_free(&a);
    profile_free(&b);
    free(raw);
}
END_TEST

/* Counts of one stack that add up past INT64_MAX are written as several lines, each a
 * count the parser takes back, that add up to the exact total (the int64 sum overflowed:
 * "a;b 3" for these three). */
START_TEST(test_folded_write_never_overflows)
{
    const char *in = "a;b 9223372036854775807\na;b 9223372036854775807\na;b 5\nc 1\n";
    struct pp_profile p;
    char err[256];
    ck_assert_msg(folded_parse(in, strlen(in), &p, err, sizeof err) == 0, "%s", err);
    char *text = fold(&p, 0);
    ck_assert_str_eq(text, "a;b 9223372036854775807\na;b 9223372036854775807\na;b 5\nc 1\n");
    free(text);
    profile_free(&p);
}
END_TEST

/* The id indexes, dense (ids 1..n, as writers make them) and sparse (any ids: sorted, so
 * that ids chosen to collide cost nothing): lookups, unknown ids and duplicates. */
START_TEST(test_profile_id_index)
{
    const uint64_t sparse[] = {1ull << 63, 5, 1ull << 40, 77777, UINT64_MAX, 2};
    for (int mode = 0; mode < 4; mode++) {
        const bool dense = mode < 2, dup = mode % 2;
        struct pp_profile p;
        profile_init(&p);
        ck_assert_int_eq(profile_intern(&p, ""), 0);
        const size_t n = 6;
        for (size_t i = 0; i < n; i++) {
            struct pp_function *f = profile_add_function(&p);
            f->id = dense ? n - i : sparse[i];
            struct pp_location *l = profile_add_location(&p);
            l->id = f->id;
            l->address = i;
        }
        if (dup)
            p.locations[4].id = p.locations[1].id;
        const char *error = NULL;
        if (dup) {
            ck_assert_int_eq(profile_index(&p, &error), -1);
            ck_assert_str_eq(error, "duplicate location id");
        } else {
            ck_assert_int_eq(profile_index(&p, &error), 0);
            for (size_t i = 0; i < n; i++) {
                ck_assert_ptr_eq(profile_location(&p, p.locations[i].id), &p.locations[i]);
                ck_assert_ptr_eq(profile_function(&p, p.functions[i].id), &p.functions[i]);
            }
            ck_assert_ptr_null(profile_location(&p, 0));
            ck_assert_ptr_null(profile_location(&p, 7));
            ck_assert_ptr_null(profile_location(&p, 1ull << 62));
            ck_assert_ptr_null(profile_function(&p, UINT64_MAX - 1));
        }
        profile_free(&p);
    }
}
END_TEST

static void setup(void)
{
    if (!pprof_bytes)
        make_profile();
}

int main(void)
{
    Suite *s = suite_create("pprof");
    TCase *tc = tcase_create("pprof");
    tcase_set_timeout(tc, 120);
    tcase_add_unchecked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_pprof_round_trip_matches_folded);
    tcase_add_test(tc, test_folded_parse_round_trip);
    tcase_add_test(tc, test_folded_parse_errors_name_the_line);
    tcase_add_test(tc, test_pprof_rejects_non_gzip_and_truncations);
    tcase_add_test(tc, test_pprof_fuzz_never_crashes);
    tcase_add_test(tc, test_folded_fuzz_never_crashes);
    tcase_add_test(tc, test_pprof_limits_are_exact);
    tcase_add_test(tc, test_pprof_decode_protobuf_matches);
    tcase_add_test(tc, test_profile_id_index);
    tcase_add_test(tc, test_folded_write_never_overflows);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
