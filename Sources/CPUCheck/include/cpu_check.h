// The CPU a release build was compiled for (-march / -target-cpu), and the check, before main,
// that this CPU has the instruction-set extensions the compiler was allowed to use.
#ifndef MPITRAIN_CPU_CHECK_H
#define MPITRAIN_CPU_CHECK_H

/// The CPU the release build was compiled for: "native" (the build machine's) or a level such as
/// "x86-64-v3" (scripts/setup --portable); "generic" for a debug build.
const char *mpitrain_target_cpu(void);

/// The first extension this binary was compiled for that /proc/cpuinfo's flags lack (e.g.
/// "avx512f"), or NULL when it has them all or the flags cannot be read.
const char *mpitrain_missing_cpu_feature(void);

#endif
