/* OpenSSL's EVP digests (libcrypto), the reference implementation the hash
 * tests compare every kernel against. Test-only: never linked into the library. */
#include <openssl/evp.h>
