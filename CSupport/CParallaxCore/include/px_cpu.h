/*
 * px_cpu.h — CPU feature detection for runtime SIMD dispatch.
 *
 * Detection reads CPUID and, for the AVX families, checks with XGETBV that the
 * OS saves the YMM/ZMM state (a CPU flag alone is not enough under some
 * hypervisors). The effective set is the detected set intersected with a
 * restriction mask, so tests and operators can force a lower dispatch level
 * (px_cpu_restrict) without a different binary.
 */
#ifndef PX_CPU_H
#define PX_CPU_H

#include <stdint.h>

typedef enum px_cpu_feature {
    px_cpu_avx2 = 1u << 0,
    px_cpu_avx512f = 1u << 1,
    px_cpu_avx512bw = 1u << 2,
    px_cpu_avx512vl = 1u << 3,
    px_cpu_avx512ifma = 1u << 4,
    px_cpu_avx512vbmi2 = 1u << 5,
    px_cpu_sha_ni = 1u << 6,
    px_cpu_bmi2 = 1u << 7,
    px_cpu_adx = 1u << 8,
} px_cpu_feature;

#define PX_CPU_ALL_FEATURES 0x1FFu

/* What the CPU and OS support, ignoring any restriction. */
uint32_t px_cpu_detected(void);
/* The features dispatch may use: detected & restriction. */
uint32_t px_cpu_features(void);
/* Sets the restriction mask (PX_CPU_ALL_FEATURES lifts it); thread-safe. */
void px_cpu_restrict(uint32_t mask);

#endif /* PX_CPU_H */
