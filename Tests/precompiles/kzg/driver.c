/*
 * Test driver for px_kzg_verify_proof (EIP-4844 point evaluation core).
 *
 *   driver [--portable]            reads lines of hex: commitment(48) z(32) y(32) proof(48)
 *                                  (320 hex digits); prints per line "1" / "0" (valid /
 *                                  invalid proof) or the negative status ("-1", "-2"), or
 *                                  "bad-input" for a line that is not 320 hex digits.
 *   driver [--portable] bench NAME ITER
 *                                  NAME = verify: ITER calls on a fixed valid proof; prints
 *                                  "verify <path> <rate> calls/s wall, <rate> calls/s cpu"
 *                                  for the path in use (cpu: per second of process CPU time).
 *
 * --portable (or PX_KZG_PORTABLE=1 in the environment) calls px_cpu_restrict(0) first,
 * forcing the unsigned __int128 build.
 */
#define _POSIX_C_SOURCE 200809L
#include "px_cpu.h"
#include "px_kzg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int parse_hex(uint8_t *out, size_t n, const char *s, size_t len) {
    if (len != 2 * n) return 0;
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0) return 0;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 1;
}

/* A valid proof made with ckzg 2.1.8 (random blob, random z) on the mainnet setup. */
static const char *BENCH_VECTOR =
    "b0416e842e796ebd221af42fada4a759bdafd1bd65cca885d8b05833ad9bf6c234912fedec5045e2b2a818642ea44570"
    "0f1870e787f66c2c9932eb0bea74a01da35019590ccc26db10971ee2b3856c23"
    "63f36a3c6cd982ec11aa1fefbe05ca503a1a8c6bbe64c41362ef1a7d867e6ee2"
    "8e4afcb8dbe4f40aae6824ae44e9a24d3f13af41e173b567e4bb4ef2805b30a7ac4fdde82fcb06145112057151185192";

static double clock_s(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const char *path_name(void) {
    uint32_t need = (uint32_t)px_cpu_bmi2 | (uint32_t)px_cpu_adx;
    return (px_cpu_features() & need) == need ? "mulx-adx" : "portable";
}

int main(int argc, char **argv) {
    int argi = 1;
    const char *env = getenv("PX_KZG_PORTABLE");
    if (env && strcmp(env, "1") == 0) px_cpu_restrict(0);
    if (argi < argc && strcmp(argv[argi], "--portable") == 0) {
        px_cpu_restrict(0);
        argi++;
    }
    if (argi < argc && strcmp(argv[argi], "bench") == 0) {
        if (argi + 2 >= argc || strcmp(argv[argi + 1], "verify") != 0) {
            fprintf(stderr, "usage: driver [--portable] bench verify ITER\n");
            return 2;
        }
        long iters = atol(argv[argi + 2]);
        if (iters <= 0) iters = 1;
        uint8_t in[160];
        if (!parse_hex(in, 160, BENCH_VECTOR, strlen(BENCH_VECTOR))) return 3;
        int valid = 0;
        /* warm-up */
        if (px_kzg_verify_proof(in, in + 48, in + 80, in + 112, &valid) != 0 || valid != 1) {
            fprintf(stderr, "bench vector does not verify\n");
            return 1;
        }
        double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
        long ok = 0;
        for (long i = 0; i < iters; i++) {
            px_kzg_verify_proof(in, in + 48, in + 80, in + 112, &valid);
            ok += valid;
        }
        double dt = clock_s(CLOCK_MONOTONIC) - t0, dc = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
        if (ok != iters) return 1;
        /* The CPU-time rate is the one to compare on a shared machine: it does
         * not count time the process spent waiting for a core. */
        printf("verify %s %.1f calls/s wall, %.1f calls/s cpu (%.1f us/call cpu)\n", path_name(),
               (double)iters / dt, (double)iters / dc, dc / (double)iters * 1e6);
        return 0;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ')) n--;
        if (n == 0) continue;
        uint8_t in[160];
        if (!parse_hex(in, 160, line, (size_t)n)) {
            printf("bad-input\n");
            continue;
        }
        int valid = -7;
        int st = px_kzg_verify_proof(in, in + 48, in + 80, in + 112, &valid);
        if (st != 0) {
            printf("%d\n", st);
        } else {
            printf("%d\n", valid);
        }
    }
    free(line);
    fflush(stdout);
    return 0;
}
