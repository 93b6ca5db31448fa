/*
 * pprof_fields.h — the field numbers of perftools.profiles.Profile (google/pprof
 * proto/profile.proto), shared by the encoder (core: pprof_encode.c) and the decoder
 * (profile/pprof_decode.c). The nested messages' numbers are written where they are read
 * or written, next to the field they fill.
 */
#ifndef HZPROF_PPROF_FIELDS_H
#define HZPROF_PPROF_FIELDS_H

/* Profile */
enum {
    F_SAMPLE_TYPE = 1,
    F_SAMPLE = 2,
    F_MAPPING = 3,
    F_LOCATION = 4,
    F_FUNCTION = 5,
    F_STRING_TABLE = 6,
    F_DROP_FRAMES = 7,
    F_KEEP_FRAMES = 8,
    F_TIME_NANOS = 9,
    F_DURATION_NANOS = 10,
    F_PERIOD_TYPE = 11,
    F_PERIOD = 12,
    F_COMMENT = 13,
    F_DEFAULT_SAMPLE_TYPE = 14,
};

#endif
