/* text_file.c — see text_file.h. */
#include "text_file.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <string.h>

char *read_stream(FILE *f, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    for (;;) {
        if (n + 1 >= cap) {
            char *grown = cap < TEXT_FILE_MAX_BYTES ? realloc(buf, cap * 2) : NULL;
            if (!grown) {
                free(buf);
                errno = cap < TEXT_FILE_MAX_BYTES ? ENOMEM : EFBIG;
                return NULL;
            }
            buf = grown;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        free(buf);
        errno = errno ? errno : EIO;
        return NULL;
    }
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = read_stream(f, len);
    int saved = errno;
    fclose(f);
    errno = saved;
    return buf;
}

int file_close_checked(FILE *f)
{
    const bool failed = ferror(f) != 0;
    if (fclose(f) != 0)
        return -1;
    if (failed) {
        errno = EIO;
        return -1;
    }
    return 0;
}

int atomic_file_open(struct atomic_file *a, const char *path)
{
    if ((size_t)snprintf(a->path, sizeof a->path, "%s", path) >= sizeof a->path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    snprintf(a->tmp, sizeof a->tmp, "%s.tmpXXXXXX", path);
    int fd = mkstemp(a->tmp);
    if (fd < 0)
        return -1;
    fchmod(fd, 0644); /* mkstemp makes it 0600; outputs are ordinary files */
    if (!(a->f = fdopen(fd, "w"))) {
        const int e = errno;
        close(fd);
        unlink(a->tmp);
        errno = e;
        return -1;
    }
    return 0;
}

int atomic_file_commit(struct atomic_file *a)
{
    int rc = ferror(a->f) || fflush(a->f) != 0 || fsync(fileno(a->f)) != 0 ? -1 : 0;
    int e = rc ? (errno ? errno : EIO) : 0;
    if (fclose(a->f) != 0 && rc == 0)
        rc = -1, e = errno;
    a->f = NULL;
    if (rc == 0 && rename(a->tmp, a->path) != 0)
        rc = -1, e = errno;
    if (rc != 0) {
        unlink(a->tmp);
        errno = e;
    }
    return rc;
}

void atomic_file_abort(struct atomic_file *a)
{
    if (a->f)
        fclose(a->f);
    a->f = NULL;
    unlink(a->tmp);
}
