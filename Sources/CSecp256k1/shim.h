/* libsecp256k1: ECDSA verification and public-key recovery (Ethereum-style senders). */
#include <secp256k1.h>
#include <secp256k1_recovery.h>

/* secp256k1_context_static is an immutable context, but Swift imports the extern
 * pointer as a mutable global; reading it through a function keeps strict
 * concurrency checking honest. */
static inline const secp256k1_context *px_secp256k1_context_static(void) {
    return secp256k1_context_static;
}
