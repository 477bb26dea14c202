/*
 * Differential-test driver for px_modexp and px_blake2f.
 * stdin, one case per line:
 *   modexp BASE_HEX EXP_HEX MOD_HEX   (each may be "-" for the empty string)
 *   blake2f INPUT_HEX                 (any length; not 213 bytes prints "badlen")
 * stdout: the output as hex, or "err" for a rejected input.
 */
#include "px_blake2f.h"
#include "px_modexp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t unhex(const char *s, uint8_t **out) {
    if (strcmp(s, "-") == 0) { *out = malloc(1); return 0; }
    size_t n = strlen(s) / 2;
    *out = malloc(n ? n : 1);
    for (size_t i = 0; i < n; i++) sscanf(s + 2 * i, "%2hhx", &(*out)[i]);
    return n;
}

static void puthex(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++) printf("%02x", p[i]);
    printf("\n");
}

int main(void) {
    static char line[1 << 20];
    char a[1 << 18], b[1 << 18], c[1 << 18], op[16];
    while (fgets(line, sizeof line, stdin)) {
        if (sscanf(line, "%15s", op) != 1) continue;
        if (strcmp(op, "modexp") == 0) {
            if (sscanf(line, "%*s %s %s %s", a, b, c) != 3) return 2;
            uint8_t *base, *exp, *mod;
            size_t bl = unhex(a, &base), el = unhex(b, &exp), ml = unhex(c, &mod);
            uint8_t *out = malloc(ml ? ml : 1);
            if (px_modexp(base, bl, exp, el, mod, ml, out) != 0) printf("err\n");
            else puthex(out, ml);
            free(base); free(exp); free(mod); free(out);
        } else if (strcmp(op, "blake2f") == 0) {
            if (sscanf(line, "%*s %s", a) != 1) return 2;
            uint8_t *in;
            size_t n = unhex(a, &in);
            uint8_t out[64];
            if (n != 213) printf("badlen\n");
            else if (px_blake2f(in, out) != 0) printf("err\n");
            else puthex(out, 64);
            free(in);
        } else {
            return 2;
        }
        fflush(stdout);
    }
    return 0;
}
