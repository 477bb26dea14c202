/* LMDB (Debian liblmdb-dev): the durable state store's B+tree. */
#include <lmdb.h>
