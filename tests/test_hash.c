/*
 * test_hash.c — FNV-1a and the open-addressing table (core/src/hash.h).
 *
 * Checks: FNV-1a against the published 64-bit vectors, in one piece and chained, and
 * over a word's bytes; an empty table (zeroed or hash_init'ed) finds nothing, key 0
 * included; many keys survive every doubling with the load kept at most 1/2; key 0 and
 * UINT64_MAX are ordinary keys and value 0 an ordinary value, the one reserved value is
 * refused; several entries of one key are each walked once (how callers keying on a hash
 * of their data tell collisions apart), also across growth; distinct keys sharing a home
 * slot, including one at the last slot whose run wraps to slot 0; hash_reserve avoids
 * allocations; and profile_intern, the busiest user, keeps its indices across growth.
 */
#define _GNU_SOURCE
#include <check.h>

#include "check_runner.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "pprof/profile.h"

START_TEST(test_fnv1a_known_vectors)
{
    ck_assert_uint_eq(fnv1a_bytes(FNV1A_INIT, "", 0), 0xcbf29ce484222325ull);
    ck_assert_uint_eq(fnv1a_bytes(FNV1A_INIT, "a", 1), 0xaf63dc4c8601ec8cull);
    ck_assert_uint_eq(fnv1a_bytes(FNV1A_INIT, "foobar", 6), 0x85944171f73967e8ull);
    ck_assert_uint_eq(fnv1a_str(FNV1A_INIT, ""), 0xcbf29ce484222325ull);
    ck_assert_uint_eq(fnv1a_str(FNV1A_INIT, "a"), 0xaf63dc4c8601ec8cull);
    ck_assert_uint_eq(fnv1a_str(FNV1A_INIT, "foobar"), 0x85944171f73967e8ull);
    /* Chained pieces hash as their concatenation. */
    ck_assert_uint_eq(fnv1a_str(fnv1a_bytes(FNV1A_INIT, "foo", 3), "bar"), 0x85944171f73967e8ull);
    /* Bytes are unsigned: 0xff is hashed as 255, not as -1. */
    const unsigned char ff = 0xff;
    ck_assert_uint_eq(fnv1a_bytes(FNV1A_INIT, &ff, 1),
                      (0xcbf29ce484222325ull ^ 0xff) * 0x100000001b3ull);
}
END_TEST

START_TEST(test_fnv1a_u64_is_the_words_bytes)
{
    const uint64_t words[] = {0, 1, 0x0102030405060708ull, UINT64_MAX, 0x616f6f66ull};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        unsigned char bytes[8];
        for (int k = 0; k < 8; k++)
            bytes[k] = (unsigned char)(words[i] >> (8 * k)); /* least significant first */
        ck_assert_uint_eq(fnv1a_u64(FNV1A_INIT, words[i]), fnv1a_bytes(FNV1A_INIT, bytes, 8));
        ck_assert_uint_eq(fnv1a_u64(FNV1A_INIT, words[i]),
                          fnv1a_bytes(FNV1A_INIT, &words[i], 8)); /* x86-64: little-endian */
    }
    /* "foobar" and two NULs, as one word. */
    ck_assert_uint_eq(fnv1a_u64(FNV1A_INIT, 0x7261626f6f66ull),
                      fnv1a_bytes(FNV1A_INIT, "foobar\0\0", 8));
}
END_TEST

START_TEST(test_empty_table_finds_nothing)
{
    struct hash_table zeroed = {0}, inited;
    hash_init(&inited);
    uint64_t v = 42;
    const uint64_t keys[] = {0, 1, UINT64_MAX};
    for (size_t i = 0; i < 3; i++) {
        ck_assert(!hash_find(&zeroed, keys[i], &v));
        ck_assert(!hash_find(&inited, keys[i], &v));
        struct hash_probe pr = hash_probe_start(&zeroed, keys[i]);
        ck_assert(!hash_probe_next(&zeroed, &pr, &v));
    }
    ck_assert_uint_eq(v, 42); /* untouched */
    hash_free(&zeroed);       /* freeing an empty table is fine */
    ck_assert_ptr_null(zeroed.slots);
}
END_TEST

/* Keys with neighbouring values, and keys that differ only in their high bits. */
static uint64_t key_of(size_t i)
{
    return i % 2 ? (uint64_t)i : (uint64_t)i << 40;
}

/* The keys 0..n-1 (key_of) not found with their value i * 3. */
static size_t missing(const struct hash_table *t, size_t n)
{
    size_t bad = 0;
    for (size_t k = 0; k < n; k++) {
        uint64_t v;
        bad += !hash_find(t, key_of(k), &v) || v != k * 3;
    }
    return bad;
}

START_TEST(test_insert_lookup_grow)
{
    /* Plain comparisons in the loops, asserted once: each Check assertion writes to the
     * test's log, and hundreds of thousands of them take seconds. */
    struct hash_table t = {0};
    const size_t n = 100000;
    size_t doublings = 0, last_size = 0, bad_adds = 0, bad_loads = 0, bad_growths = 0,
           lost_at_growth = 0;
    for (size_t i = 0; i < n; i++) {
        bad_adds += hash_add(&t, key_of(i), i * 3) != 0 || t.count != i + 1;
        bad_loads += t.size < 2 * t.count || (t.size & (t.size - 1)) != 0; /* at most 1/2 */
        if (t.size != last_size) {
            bad_growths += last_size == 0 ? t.size != 16 : t.size != 2 * last_size;
            doublings++;
            last_size = t.size;
            lost_at_growth += missing(&t, i + 1); /* all added so far survived it */
        }
    }
    ck_assert_uint_eq(bad_adds, 0);
    ck_assert_uint_eq(bad_loads, 0);
    ck_assert_uint_eq(bad_growths, 0);
    ck_assert_uint_eq(lost_at_growth, 0);
    ck_assert_uint_ge(doublings, 10);
    ck_assert_uint_eq(missing(&t, n), 0);
    size_t found_unadded = 0;
    for (size_t i = n; i < 2 * n; i++) {
        uint64_t v;
        found_unadded += hash_find(&t, key_of(i), &v);
    }
    ck_assert_uint_eq(found_unadded, 0);
    hash_free(&t);
    ck_assert_uint_eq(t.size, 0);
    ck_assert_uint_eq(t.count, 0);
    /* A freed table is an empty one, and can be used again. */
    uint64_t v;
    ck_assert(!hash_find(&t, key_of(1), &v));
    ck_assert_int_eq(hash_add(&t, 5, 6), 0);
    ck_assert(hash_find(&t, 5, &v));
    ck_assert_uint_eq(v, 6);
    hash_free(&t);
}
END_TEST

START_TEST(test_no_reserved_key_one_reserved_value)
{
    struct hash_table t = {0};
    uint64_t v;
    /* Key 0 is an ordinary key (empty slots are marked in the value word, not the key). */
    ck_assert(!hash_find(&t, 0, &v));
    ck_assert_int_eq(hash_add(&t, 0, 0), 0); /* value 0 is an ordinary value too */
    ck_assert(hash_find(&t, 0, &v));
    ck_assert_uint_eq(v, 0);
    ck_assert(!hash_find(&t, 1, &v));
    ck_assert_int_eq(hash_add(&t, UINT64_MAX, HASH_VALUE_MAX), 0);
    ck_assert(hash_find(&t, UINT64_MAX, &v));
    ck_assert_uint_eq(v, HASH_VALUE_MAX);
    /* The reserved value is refused and leaves the table as it was. */
    ck_assert_int_eq(hash_add(&t, 7, UINT64_MAX), -1);
    ck_assert_uint_eq(t.count, 2);
    ck_assert(!hash_find(&t, 7, &v));
    /* Key 0 survives growth among many other keys. */
    int failed = 0;
    for (uint64_t k = 1; k < 1000; k++)
        failed |= hash_add(&t, k, k + 100);
    ck_assert_int_eq(failed, 0);
    ck_assert(hash_find(&t, 0, &v));
    ck_assert_uint_eq(v, 0);
    ck_assert(hash_find(&t, UINT64_MAX, &v));
    ck_assert_uint_eq(v, HASH_VALUE_MAX);
    hash_free(&t);
}
END_TEST

/* Walks every entry of key and checks it sees exactly values first..first+n-1, once each. */
static void check_walk(const struct hash_table *t, uint64_t key, uint64_t first, size_t n)
{
    char *seen = calloc(n ? n : 1, 1);
    struct hash_probe pr = hash_probe_start(t, key);
    uint64_t v;
    size_t walked = 0, wrong = 0;
    while (hash_probe_next(t, &pr, &v)) {
        if (v < first || v >= first + n || seen[v - first])
            wrong++;
        else
            seen[v - first] = 1;
        walked++;
    }
    ck_assert_uint_eq(wrong, 0);
    ck_assert_uint_eq(walked, n);
    free(seen);
}

START_TEST(test_same_key_entries_are_walked_once_each)
{
    /* As callers keying on a hash use it: two strings with one hash are two entries of
     * one key, told apart by the caller's own comparison. */
    struct hash_table t = {0};
    const char *stored[] = {"first", "second", "third"};
    const uint64_t same = 0x1234; /* pretend all three hash alike */
    for (uint64_t i = 0; i < 3; i++)
        ck_assert_int_eq(hash_add(&t, same, i), 0);
    for (uint64_t i = 0; i < 3; i++) {
        struct hash_probe pr = hash_probe_start(&t, same);
        uint64_t v, found = UINT64_MAX;
        while (hash_probe_next(&t, &pr, &v))
            if (strcmp(stored[v], stored[i]) == 0)
                found = v;
        ck_assert_uint_eq(found, i);
    }
    /* Many entries of a few keys, interleaved with other keys, across several doublings. */
    int failed = 0;
    for (uint64_t i = 0; i < 300; i++)
        failed |= hash_add(&t, 7, 1000 + i) | hash_add(&t, 0, 5000 + i) | hash_add(&t, 100 + i, 9);
    ck_assert_int_eq(failed, 0);
    check_walk(&t, same, 0, 3);
    check_walk(&t, 7, 1000, 300);
    check_walk(&t, 0, 5000, 300);
    check_walk(&t, 100, 9, 1);
    check_walk(&t, 8, 0, 0);
    hash_free(&t);
}
END_TEST

START_TEST(test_distinct_keys_sharing_a_home_slot)
{
    struct hash_table t = {0};
    ck_assert_int_eq(hash_reserve(&t, 1000), 0);
    const size_t size = t.size;
    /* Keys whose home is the last slot: their run wraps around to slot 0. */
    uint64_t keys[40];
    size_t n = 0;
    for (uint64_t k = 0; n < 40; k++)
        if (hash_home(&t, k) == size - 1)
            keys[n++] = k;
    for (size_t i = 0; i < 20; i++) /* the other 20 share the home but are never added */
        ck_assert_int_eq(hash_add(&t, keys[i], i), 0);
    ck_assert_uint_eq(t.size, size);
    ck_assert_uint_ne(t.slots[0].stored, 0); /* the run did wrap */
    for (size_t i = 0; i < 40; i++) {
        uint64_t v;
        ck_assert_int_eq(hash_find(&t, keys[i], &v), i < 20);
        if (i < 20)
            ck_assert_uint_eq(v, i);
    }
    hash_free(&t);
}
END_TEST

START_TEST(test_reserve_then_add_allocates_nothing)
{
    struct hash_table t = {0};
    ck_assert_int_eq(hash_reserve(&t, 500), 0);
    ck_assert_uint_ge(t.size, 1000);
    const struct hash_slot *slots = t.slots;
    const size_t size = t.size;
    int failed = 0;
    for (uint64_t k = 0; k < 500; k++)
        failed |= hash_add(&t, k * 0x10001, k);
    ck_assert_int_eq(failed, 0);
    ck_assert_ptr_eq(t.slots, slots); /* not moved: nothing was allocated */
    ck_assert_uint_eq(t.size, size);
    ck_assert_int_eq(hash_reserve(&t, 10), 0); /* smaller: nothing to do */
    ck_assert_ptr_eq(t.slots, slots);
    ck_assert_int_eq(hash_reserve(&t, SIZE_MAX), -1); /* impossible: refused, unchanged */
    ck_assert_ptr_eq(t.slots, slots);
    ck_assert_uint_eq(t.count, 500);
    hash_free(&t);
}
END_TEST

START_TEST(test_profile_intern_across_growth)
{
    struct pp_profile p;
    profile_init(&p);
    ck_assert_int_eq(profile_intern(&p, ""), 0);
    char s[32];
    int wrong = 0;
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < 20000; i++) {
            snprintf(s, sizeof s, "name-%d", i);
            wrong += profile_intern(&p, s) != i + 1;
        }
    ck_assert_int_eq(wrong, 0);
    ck_assert_uint_eq(p.nstrings, 20001);
    ck_assert_str_eq(p.strings[12346], "name-12345");
    ck_assert_int_eq(profile_intern(&p, ""), 0);
    profile_free(&p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hash");
    TCase *fnv = tcase_create("fnv1a");
    tcase_add_test(fnv, test_fnv1a_known_vectors);
    tcase_add_test(fnv, test_fnv1a_u64_is_the_words_bytes);
    suite_add_tcase(s, fnv);
    TCase *table = tcase_create("table");
    tcase_add_test(table, test_empty_table_finds_nothing);
    tcase_add_test(table, test_insert_lookup_grow);
    tcase_add_test(table, test_no_reserved_key_one_reserved_value);
    tcase_add_test(table, test_same_key_entries_are_walked_once_each);
    tcase_add_test(table, test_distinct_keys_sharing_a_home_slot);
    tcase_add_test(table, test_reserve_then_add_allocates_nothing);
    tcase_add_test(table, test_profile_intern_across_growth);
    suite_add_tcase(s, table);
    return run_suite(s);
}
