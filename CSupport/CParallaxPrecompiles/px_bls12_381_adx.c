/*
 * px_bls12_381_adx.c — the BMI2+ADX build of the BLS12-381 KZG check: the
 * same code as px_bls12_381_port.c with the Montgomery product in mulx/adcx/
 * adox (px_bls12_381_mulx.h), every function compiled for those extensions.
 * px_kzg.c calls it only when px_cpu_features() reports both.
 */
#include "px_bls12_381.h"
#include "px_kzg.h"

#include <stdint.h>
#include <string.h>

#if defined(PX_BLS12_381_HAVE_ADX)

/* Everything defined from here on (the static functions of the included
 * implementation) may use BMI2 and ADX; the headers above stay untouched. */

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("bmi2,adx"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC push_options
#pragma GCC target("bmi2,adx")
#endif

#define PX_BLS12_381_ADX 1
#include "px_bls12_381_impl.h"

int px_bls12_381_kzg_verify_adx(const uint8_t commitment[48], const uint8_t z[32],
                                const uint8_t y[32], const uint8_t proof[48], int *valid) {
    return kzg_verify(commitment, z, y, proof, valid);
}

#if defined(__clang__)
#pragma clang attribute pop
#elif defined(__GNUC__)
#pragma GCC pop_options
#endif

#endif /* PX_BLS12_381_HAVE_ADX */
