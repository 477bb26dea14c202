/*
 * Test and benchmark driver for px_bn254 (EIP-196/197).
 *
 *   driver [--portable]            read requests from stdin, one per line:
 *       add HEX | mul HEX | pair HEX | pairslow HEX | g2 HEX | g2slow HEX
 *     and answer one line each: "ok HEX" (add, mul: the 64-byte output),
 *     "ok 0"/"ok 1" (pair: the check's result), "ok" (g2: a valid G2 point)
 *     or "err CODE" (a px_bn254_status). Odd hex or junk gives "bad".
 *     add/mul take their input zero-padded or truncated to 128/96 bytes, as
 *     the EVM does; pair takes the bytes exactly. pairslow and g2slow use the
 *     reference subgroup check ([r]Q = 0) instead of the psi-based one.
 *   driver [--portable] bench NAME ITER   NAME in add, mul, pairing2, pairing1,
 *     g2check: runs ITER calls and prints "NAME calls_per_sec X".
 *   driver [--portable] selftest N SEED   px_bn254_selftest: N rounds of the
 *     internal consistency checks; prints "selftest ok" or the failing check.
 * --portable (or PX_PORTABLE=1 in the environment) forces the __int128 path
 * through px_cpu_restrict(0).
 */
#define _POSIX_C_SOURCE 200809L
#include "px_bn254.h"
#include "px_cpu.h"

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

static long unhex(const char *s, size_t n, uint8_t *out) {
    if (n % 2) return -1;
    for (size_t i = 0; i < n / 2; i++) {
        int h = hexval(s[2 * i]), l = hexval(s[2 * i + 1]);
        if (h < 0 || l < 0) return -1;
        out[i] = (uint8_t)(h << 4 | l);
    }
    return (long)(n / 2);
}

static void put_hex(const uint8_t *b, size_t n) {
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        putchar(d[b[i] >> 4]);
        putchar(d[b[i] & 15]);
    }
}

static const char BENCH_ADD[] =
    "288fa200f9164766e43f6b5779c25479f0e93a7209c15f07a6d4d650ff9996e600128ffe174395fe3bdf2f99640741878d5c48610f7d906dbbb9f0ea745acba72a77c57682cfe568eed91f271c91a9d1b222de0ef8341c56e30eab9b7f46691523870647663e373288f61258352af2cc9d023156a2596acae3be016fdc3181dd";
static const char BENCH_MUL[] =
    "288fa200f9164766e43f6b5779c25479f0e93a7209c15f07a6d4d650ff9996e600128ffe174395fe3bdf2f99640741878d5c48610f7d906dbbb9f0ea745acba730644e72e131a029b85045b68181585d2833e84879b9709143e1f59395a5a5a7";
/* e(aG1, bG2) * e(-abG1, G2) = 1 */
static const char BENCH_PAIR2[] =
    "288fa200f9164766e43f6b5779c25479f0e93a7209c15f07a6d4d650ff9996e600128ffe174395fe3bdf2f99640741878d5c48610f7d906dbbb9f0ea745acba713edaa786f042373a8b08587f28f4276efe5c4d1bef77fe7535f83f746f828b129a5f95ff734a1fb70eb86f0e48e2cc3529f7412a723e17c1e9c56e46cbe93ef040c0cd5c5d2f6a6b250c366e8b9c75dc764826fde89789ce0c8e17efa4f7ef000b5279029c0a4c8279883922a350994a5ff61dea12f61d0b84d74f5c649708f25882720d979e55a6353c57d82dff5d27cee36aced6b8989299805e55182b8f62372c31bafe5b1c4d5ce7a15bbfe5c126ed7593b6c6d377442978c2a390786b0198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c21800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa";

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int bench(const char *name, long iters) {
    uint8_t in[384], out[64];
    int result = 0;
    volatile int sink = 0;
    double t0;
    if (!strcmp(name, "add")) {
        unhex(BENCH_ADD, strlen(BENCH_ADD), in);
        t0 = now();
        for (long i = 0; i < iters; i++) sink += px_bn254_add(in, out) + out[0];
    } else if (!strcmp(name, "mul")) {
        unhex(BENCH_MUL, strlen(BENCH_MUL), in);
        t0 = now();
        for (long i = 0; i < iters; i++) sink += px_bn254_mul(in, out) + out[0];
    } else if (!strcmp(name, "pairing2") || !strcmp(name, "pairing1")) {
        unhex(BENCH_PAIR2, strlen(BENCH_PAIR2), in);
        size_t len = name[7] == '2' ? 384 : 192;
        t0 = now();
        for (long i = 0; i < iters; i++) sink += px_bn254_pairing_check(in, len, &result) + result;
        if (len == 384 && !result) { fprintf(stderr, "pairing2: wrong result\n"); return 1; }
    } else if (!strcmp(name, "g2check")) {
        unhex(BENCH_PAIR2, strlen(BENCH_PAIR2), in);
        t0 = now();
        for (long i = 0; i < iters; i++) sink += px_bn254_g2_check(in + 64, 0);
    } else {
        fprintf(stderr, "unknown bench %s\n", name);
        return 2;
    }
    double dt = now() - t0;
    (void)sink;
    printf("%s calls_per_sec %.1f\n", name, iters / dt);
    return 0;
}

int main(int argc, char **argv) {
    int argi = 1;
    const char *env = getenv("PX_PORTABLE");
    if (env && *env && strcmp(env, "0")) px_cpu_restrict(0);
    if (argi < argc && !strcmp(argv[argi], "--portable")) {
        px_cpu_restrict(0);
        argi++;
    }
    if (argi + 2 < argc && !strcmp(argv[argi], "bench")) return bench(argv[argi + 1], atol(argv[argi + 2]));
    if (argi + 2 < argc && !strcmp(argv[argi], "selftest")) {
        int rc = px_bn254_selftest(strtoull(argv[argi + 2], NULL, 0), atoi(argv[argi + 1]));
        printf(rc ? "selftest fail %d\n" : "selftest ok\n", rc);
        return rc != 0;
    }
    if (argi < argc) {
        fprintf(stderr, "usage: %s [--portable] [bench NAME ITER]\n", argv[0]);
        return 2;
    }
    size_t cap = 1 << 16;
    char *line = malloc(cap);
    uint8_t *buf = malloc(cap);
    if (!line || !buf) return 1;
    size_t n = 0;
    int c;
    for (;;) {
        n = 0;
        while ((c = getchar()) != EOF && c != '\n') {
            if (n + 1 >= cap) {
                cap *= 2;
                line = realloc(line, cap);
                buf = realloc(buf, cap);
                if (!line || !buf) return 1;
            }
            line[n++] = (char)c;
        }
        if (c == EOF && n == 0) break;
        line[n] = 0;
        char *sp = strchr(line, ' ');
        const char *hex = sp ? sp + 1 : "";
        if (sp) *sp = 0;
        long len = unhex(hex, strlen(hex), buf);
        if (len < 0) {
            puts("bad");
            continue;
        }
        uint8_t in[128], out[64];
        int st, result = 0;
        if (!strcmp(line, "add") || !strcmp(line, "mul")) {
            size_t want = line[0] == 'a' ? 128 : 96;
            memset(in, 0, sizeof in);
            memcpy(in, buf, (size_t)len < want ? (size_t)len : want);
            st = line[0] == 'a' ? px_bn254_add(in, out) : px_bn254_mul(in, out);
            if (st) printf("err %d\n", st);
            else { printf("ok "); put_hex(out, 64); putchar('\n'); }
        } else if (!strcmp(line, "pair") || !strcmp(line, "pairslow")) {
            st = line[4] ? px_bn254_pairing_check_slow_subgroup(buf, (size_t)len, &result)
                         : px_bn254_pairing_check(buf, (size_t)len, &result);
            if (st) printf("err %d\n", st);
            else printf("ok %d\n", result);
        } else if (!strcmp(line, "g2") || !strcmp(line, "g2slow")) {
            if (len != 128) { puts("bad"); continue; }
            st = px_bn254_g2_check(buf, line[2] != 0);
            if (st) printf("err %d\n", st);
            else puts("ok");
        } else {
            puts("bad");
        }
        fflush(stdout);
    }
    free(line);
    free(buf);
    return 0;
}
