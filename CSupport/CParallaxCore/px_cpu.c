/* CPU feature detection: see include/px_cpu.h. */
#include "px_cpu.h"

#include <stdbool.h>
#include <stddef.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static uint64_t read_xcr0(void) {
    uint32_t eax, edx;
    __asm__ __volatile__("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((uint64_t)edx << 32) | eax;
}

static uint32_t detect(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    bool osxsave = (ecx & bit_OSXSAVE) != 0;
    uint64_t xcr0 = osxsave ? read_xcr0() : 0;
    /* XCR0 bits 1,2: SSE and AVX state; bits 5,6,7: opmask, ZMM_Hi256, Hi16_ZMM. */
    bool ymm_saved = (xcr0 & 0x6) == 0x6;
    bool zmm_saved = ymm_saved && (xcr0 & 0xE0) == 0xE0;

    unsigned int max_leaf = __get_cpuid_max(0, NULL);
    if (max_leaf < 7) return 0;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);

    uint32_t features = 0;
    if (ymm_saved && (ebx & (1u << 5))) features |= px_cpu_avx2;
    if (zmm_saved && (ebx & (1u << 16))) features |= px_cpu_avx512f;
    if (zmm_saved && (ebx & (1u << 30))) features |= px_cpu_avx512bw;
    if (zmm_saved && (ebx & (1u << 31))) features |= px_cpu_avx512vl;
    if (zmm_saved && (ebx & (1u << 21))) features |= px_cpu_avx512ifma;
    if (zmm_saved && (ecx & (1u << 6))) features |= px_cpu_avx512vbmi2;
    if (ebx & (1u << 29)) features |= px_cpu_sha_ni;
    if (ebx & (1u << 8)) features |= px_cpu_bmi2;
    if (ebx & (1u << 19)) features |= px_cpu_adx;
    return features;
}
#else
static uint32_t detect(void) { return 0; }
#endif

/* Detection is idempotent, so a benign race on first use computes the same
 * value twice; the cache word is accessed atomically to keep TSan quiet. */
static uint32_t detected_cache;        /* bit 31 set once computed */
static uint32_t restriction = PX_CPU_ALL_FEATURES;

uint32_t px_cpu_detected(void) {
    uint32_t cached = __atomic_load_n(&detected_cache, __ATOMIC_ACQUIRE);
    if (cached & 0x80000000u) return cached & PX_CPU_ALL_FEATURES;
    uint32_t value = detect();
    __atomic_store_n(&detected_cache, value | 0x80000000u, __ATOMIC_RELEASE);
    return value;
}

uint32_t px_cpu_features(void) {
    return px_cpu_detected() & __atomic_load_n(&restriction, __ATOMIC_ACQUIRE);
}

void px_cpu_restrict(uint32_t mask) {
    __atomic_store_n(&restriction, mask & PX_CPU_ALL_FEATURES, __ATOMIC_RELEASE);
}
