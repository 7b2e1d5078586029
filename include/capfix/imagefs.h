/*
 * imagefs.h - an image's file system, built from its layers applied in
 * order (OCI image-spec layer.md: whiteouts and opaque directories; tar
 * or gzip of tar; hard and symbolic links resolved inside the image), and
 * what capfix reads in it: /etc/passwd for the image's user, the
 * entrypoint script (through init wrappers and `sh FILE`), and the file
 * capabilities (security.capability) of every regular file.
 *
 * Ownership: a struct imagefs points into the layer buffers given to
 * imagefs_apply(), which must live until imagefs_free(); the gunzipped
 * layers it makes are its own. imagefs_finish() copies what it finds into
 * the image. Failure: none; a layer that can't be read (zstd, corrupt,
 * too large once inflated) writes a note and the rest is still read.
 * Nothing prints.
 */
#ifndef CAPFIX_IMAGEFS_H
#define CAPFIX_IMAGEFS_H

#include "capfix/imagemeta.h"

struct imagefs;

struct imagefs *imagefs_new(void);

/* Apply the next layer, @buf (@len bytes, media type @mt or NULL); a problem goes to @note. */
void imagefs_apply(struct imagefs *v, const unsigned char *buf, size_t len, const char *mt,
		   char *note, size_t notesize);

/* The next layer could not be had: counted, so that later layers stay in order. */
void imagefs_skip(struct imagefs *v);

/* Into @im: its user kind (from /etc/passwd), the entrypoint script, the file capabilities. */
void imagefs_finish(struct imagefs *v, struct imagemeta_image *im);

void imagefs_free(struct imagefs *v);

/* Normalise "a/./b/../c" (no leading '/') in place; ".." above the root stays at the root. */
void imagefs_norm_path(char *p);

#endif
