/* baseline.c — the table of baselines (see baseline.h). */
#include "baseline.h"

#include <string.h>

static const struct baseline_ops *const table[] = {
    &baseline_gperftools, &baseline_gperftools_thread, &baseline_perf_record, &baseline_go_pprof};
#define NTABLE (sizeof table / sizeof table[0])

const struct baseline_ops *baseline_find(const char *name)
{
    for (size_t i = 0; i < NTABLE; i++)
        if (strcmp(table[i]->name, name) == 0)
            return table[i];
    return NULL;
}

const char *const *baseline_names(void)
{
    static const char *names[NTABLE + 1];
    for (size_t i = 0; i < NTABLE; i++)
        names[i] = table[i]->name;
    return names;
}

void baseline_shell_quote(char *out, size_t n, const char *s)
{
    size_t k = 0;
    if (n < 3)
        return;
    out[k++] = '\'';
    for (; *s && k + 5 < n; s++) {
        if (*s == '\'') {
            memcpy(out + k, "'\\''", 4);
            k += 4;
        } else {
            out[k++] = *s;
        }
    }
    out[k++] = '\'';
    out[k] = '\0';
}
