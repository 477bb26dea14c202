/* libsodium: the reference Ed25519 verifier, SHA-512 and test-vector helpers. */
#include <sodium.h>
