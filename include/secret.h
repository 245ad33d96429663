/* secret — the one policy for secrets the console holds: the user API token,
 * the key passphrase, an issued JWT.
 *
 *  - read: the first line of a file (its trailing "\n" or "\r\n" is not part
 *    of it; what follows the first line is ignored), through util_read_file
 *    (a regular file within LIMIT_SECRET_FILE); an empty first line is an
 *    error, never an empty secret;
 *  - forget: every copy is wiped with OPENSSL_cleanse before it is freed or
 *    goes out of scope (a memset before free may be optimised away);
 *  - files: a file that holds or records a secret is private (0600), and a
 *    chmod that fails is an error, never ignored.
 *
 * Strings returned here are owned by the caller and freed with
 * secret_free(). */
#ifndef DRIVR_SECRET_H
#define DRIVR_SECRET_H

#include <stdbool.h>
#include <stddef.h>

/* The secret of `path` (see above); `what` names it in errors
 * ("--user-token-file").  NULL with a reason in err. */
char *secret_read_line(const char *path, const char *what, char *err, size_t err_size);

/* A copy of s to be freed with secret_free (NULL for NULL). */
char *secret_dup(const char *s);

/* Wipes n bytes (a stack buffer, a struct that held a secret). */
void secret_wipe(void *p, size_t n);

/* Wipes the string and frees it; NULL is fine. */
void secret_free(char *s);

/* Makes the open file `fd` (named path, for errors) mode 0600 when it is
 * ours and not already so; a file of another user keeps its mode.  False
 * with a reason when fstat or fchmod fails. */
bool secret_file_private(int fd, const char *path, char *err, size_t err_size);

#endif
