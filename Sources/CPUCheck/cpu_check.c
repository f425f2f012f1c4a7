#include "cpu_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *mpitrain_target_cpu(void) {
#ifdef MPITRAIN_TARGET_CPU
    return MPITRAIN_TARGET_CPU;
#else
    return "generic";
#endif
}

/// The x86 extensions the compiler may use, as /proc/cpuinfo names them: one per predefined
/// macro that -march / -target-cpu turned on for this file (the Swift targets get the same CPU).
static const char *const compiled_features[] = {
#ifdef __SSSE3__
    "ssse3",
#endif
#ifdef __SSE4_1__
    "sse4_1",
#endif
#ifdef __SSE4_2__
    "sse4_2",
#endif
#ifdef __POPCNT__
    "popcnt",
#endif
#ifdef __AVX__
    "avx",
#endif
#ifdef __AVX2__
    "avx2",
#endif
#ifdef __FMA__
    "fma",
#endif
#ifdef __BMI__
    "bmi1",
#endif
#ifdef __BMI2__
    "bmi2",
#endif
#ifdef __F16C__
    "f16c",
#endif
#ifdef __LZCNT__
    "abm",
#endif
#ifdef __MOVBE__
    "movbe",
#endif
#ifdef __ADX__
    "adx",
#endif
#ifdef __SHA__
    "sha_ni",
#endif
#ifdef __GFNI__
    "gfni",
#endif
#ifdef __VAES__
    "vaes",
#endif
#ifdef __VPCLMULQDQ__
    "vpclmulqdq",
#endif
#ifdef __AVX512F__
    "avx512f",
#endif
#ifdef __AVX512BW__
    "avx512bw",
#endif
#ifdef __AVX512CD__
    "avx512cd",
#endif
#ifdef __AVX512DQ__
    "avx512dq",
#endif
#ifdef __AVX512VL__
    "avx512vl",
#endif
#ifdef __AVX512VNNI__
    "avx512_vnni",
#endif
#ifdef __AVX512BF16__
    "avx512_bf16",
#endif
#ifdef __AVX512IFMA__
    "avx512ifma",
#endif
#ifdef __AVX512VBMI__
    "avx512vbmi",
#endif
#ifdef __AVX512VBMI2__
    "avx512_vbmi2",
#endif
#ifdef __AVX512BITALG__
    "avx512_bitalg",
#endif
#ifdef __AVX512VPOPCNTDQ__
    "avx512_vpopcntdq",
#endif
#ifdef __AVX512FP16__
    "avx512_fp16",
#endif
    NULL,
};

/// Whether the space-separated `flags` hold the word `name`.
static int has_flag(const char *flags, const char *name) {
    size_t length = strlen(name);
    for (const char *at = strstr(flags, name); at; at = strstr(at + 1, name)) {
        if ((at == flags || at[-1] == ' ' || at[-1] == '\t') && (at[length] == ' ' || at[length] == '\n' || at[length] == '\0')) {
            return 1;
        }
    }
    return 0;
}

const char *mpitrain_missing_cpu_feature(void) {
    if (compiled_features[0] == NULL) return NULL;
    FILE *cpuinfo = fopen("/proc/cpuinfo", "r");
    if (!cpuinfo) return NULL;
    static char line[8192];
    const char *missing = NULL;
    int found = 0;
    while (fgets(line, sizeof line, cpuinfo)) {
        if (strncmp(line, "flags", 5) != 0) continue;
        const char *flags = strchr(line, ':');
        if (!flags) continue;
        found = 1;
        for (int index = 0; compiled_features[index]; index++) {
            if (!has_flag(flags + 1, compiled_features[index])) { missing = compiled_features[index]; break; }
        }
        break;   // the first processor speaks for all
    }
    fclose(cpuinfo);
    return found ? missing : NULL;
}

/// Runs before main (before any Swift code that may use those extensions): a CPU without one of
/// them gets one line and exit status 1 instead of a SIGILL part-way through. Under mpirun, rank 0
/// alone prints it.
__attribute__((constructor)) static void check_cpu(void) {
    const char *missing = mpitrain_missing_cpu_feature();
    if (!missing) return;
    const char *rank = getenv("OMPI_COMM_WORLD_RANK");
    if (!rank || strcmp(rank, "0") == 0) {
        fprintf(stderr, "mpitrain: error: this binary was compiled for %s CPUs and uses %s, which this CPU lacks "
                        "(see /proc/cpuinfo); build it on this machine (scripts/setup), or build a portable one "
                        "(scripts/setup --portable)\n", mpitrain_target_cpu(), missing);
    }
    exit(1);
}
