/*
 * tarread.h - reading tar archives held in memory (image layers, `docker
 * save` archives), gzip inflation, and Linux file capabilities
 * (vfs_cap_data) carried as extended attributes.
 *
 * Paths lose their leading "./" and "/" and a directory's trailing "/".
 * Formats: POSIX ustar, GNU (`L` long names, `K` long link names, base-256
 * sizes refused above the limit), PAX (`x` per-file records: path,
 * linkpath, size, SCHILY.xattr.security.capability in GNU tar's raw form
 * or with hdrcharset=BINARY; LIBARCHIVE.xattr.security.capability in
 * bsdtar's base64 form; `g` global records are skipped). Every header's
 * checksum is verified; every size and offset is range-checked against the
 * buffer: an archive is attacker-controlled.
 *
 * vfs_cap_data (include/uapi/linux/capability.h): little-endian magic_etc,
 * revision 1 (0x01000000, 12 bytes, 32 bits), 2 (0x02000000, 20 bytes) and
 * 3 (0x03000000, 24 bytes, with the root uid of its user namespace);
 * flag 0x1 = effective.
 *
 * Ownership: entries passed to the callback borrow from the archive buffer
 * and from the reader (valid during the call only). Failure: -1 with a
 * message in @err (never printed); nothing here exits.
 */
#ifndef CAPFIX_TARREAD_H
#define CAPFIX_TARREAD_H

#include "capfix/sbuf.h"

#define TARREAD_PATH_MAX 4096

struct tarread_vfscap {
	int revision; /* 1, 2 or 3 */
	bool effective;
	uint64_t permitted, inheritable; /* bit = kernel capability number */
	bool has_rootid;
	uint32_t rootid; /* revision 3 */
};

/*
 * Parse @n bytes of a security.capability value. Returns 0, or -1 for an
 * unknown revision or a length that does not fit it.
 */
int tarread_vfscap(const unsigned char *v, size_t n, struct tarread_vfscap *out);

struct tarread_entry {
	const char *path; /* as in the archive, with leading "./" and "/" removed */
	const char *linkname; /* symbolic or hard link target, "" otherwise */
	char type; /* '0' regular, '1' hard link, '2' symbolic link, '5' directory, ... */
	unsigned mode;
	long long uid;
	const unsigned char *data; /* regular files: the contents in the archive */
	uint64_t size;
	bool has_cap; /* a security.capability xattr that parsed */
	struct tarread_vfscap cap;
	bool cap_binary; /* the record came with hdrcharset=BINARY */
};

/* Return 0 to go on, 1 to stop (tarread_each() returns 0), -1 to fail. */
typedef int (*tarread_fn)(const struct tarread_entry *e, void *ctx);

/*
 * Call @fn for every member of the tar archive in @buf (@len bytes), in
 * order, PAX and GNU extension headers applied to the member they
 * precede. Stops at the end-of-archive blocks or the end of the buffer.
 * Returns 0, or -1 (bad checksum, truncated member, size beyond the
 * buffer, a malformed PAX record, a name too long, or @fn's -1) with @err
 * filled.
 */
int tarread_each(const unsigned char *buf, size_t len, tarread_fn fn, void *ctx, char *err,
		 size_t errsize);

/* Does @buf look like a tar archive (a ustar/GNU magic, or an old header with a good checksum)? */
bool tarread_is_tar(const unsigned char *buf, size_t len);

/* Does @buf start with the gzip magic (1f 8b)? */
bool tarread_is_gzip(const unsigned char *buf, size_t len);

/* Is gzip inflation compiled in (CAPFIX_HAVE_ZLIB)? */
bool tarread_have_gzip(void);

/*
 * Inflate the gzip stream (members one after the other) in @in into @out
 * (replaced), refusing more than @max bytes of output. Returns 0, or -1
 * with @err filled (corrupt stream, too large, built without zlib).
 */
int tarread_gunzip(const unsigned char *in, size_t n, size_t max, struct sbuf *out, char *err,
		   size_t errsize);

#endif
