/*
 * px_kzg.c — EIP-4844 point evaluation (precompile 0x0a): the KZG proof check
 * on BLS12-381, dispatched at run time to the BMI2+ADX build when the CPU has
 * both extensions, else to the portable build. Both give identical answers.
 */
#include "px_kzg.h"

#include "px_bls12_381.h"
#include "px_cpu.h"

int px_kzg_verify_proof(const uint8_t commitment[48], const uint8_t z[32], const uint8_t y[32],
                        const uint8_t proof[48], int *valid) {
#if defined(PX_BLS12_381_HAVE_ADX)
    uint32_t need = (uint32_t)px_cpu_bmi2 | (uint32_t)px_cpu_adx;
    if ((px_cpu_features() & need) == need)
        return px_bls12_381_kzg_verify_adx(commitment, z, y, proof, valid);
#endif
    return px_bls12_381_kzg_verify_portable(commitment, z, y, proof, valid);
}
