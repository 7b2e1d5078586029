/*
 * Unit tests for imagemeta.c: users in every form, reference matching,
 * inspect JSON (docker, podman), a config blob given as REF=FILE, an OCI
 * layout directory with a nested index, both `docker save` layouts, layers
 * with whiteouts, links, an entrypoint script and file capabilities
 * (written as PAX records here), gzip layers where zlib is built in.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/err.h"
#include "capfix/imagemeta.h"
#include "capfix/tarread.h"

#include <sys/stat.h>

#include "tarfixture.h"

#define H1 "1111111111111111111111111111111111111111111111111111111111111111"
#define H2 "2222222222222222222222222222222222222222222222222222222222222222"
#define H3 "3333333333333333333333333333333333333333333333333333333333333333"
#define H4 "4444444444444444444444444444444444444444444444444444444444444444"
#define H5 "5555555555555555555555555555555555555555555555555555555555555555"
#define H6 "6666666666666666666666666666666666666666666666666666666666666666"

static const char entry_script[] = "#!/bin/sh\nset -e\nchown -R app /data\nexec gosu app \"$@\"\n";

static void write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
}

/* The lower layer: passwd, the entrypoint script behind a link, binaries with file capabilities. */
static void layer1(struct sbuf *t)
{
	struct sbuf pax = SBUF_INIT;
	unsigned char cap[24];
	size_t n;

	fx_add(t, "etc/", '5', NULL, NULL, 0, NULL);
	fx_file(t, "etc/passwd",
		"root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n");
	fx_file(t, "usr/local/bin/docker-entrypoint.sh", entry_script);
	fx_add(t, "docker-entrypoint.sh", '2', "usr/local/bin/docker-entrypoint.sh", NULL, 0, NULL);
	fx_add(t, "bin", '2', "usr/bin", NULL, 0, NULL);
	n = fx_vfscap(cap, 2, (uint64_t)1 << 13, true, 0);
	fx_pax(&pax, "SCHILY.xattr.security.capability", cap, n);
	fx_add(t, "usr/bin/ping", '0', NULL, "ELF", 3, &pax);
	pax.len = 0;
	fx_pax(&pax, "hdrcharset", "BINARY", 6);
	n = fx_vfscap(cap, 3, (uint64_t)1 << 10, true, 0);
	fx_pax(&pax, "SCHILY.xattr.security.capability", cap, n);
	fx_add(t, "usr/sbin/caddy", '0', NULL, "ELF", 3, &pax);
	pax.len = 0;
	n = fx_vfscap(cap, 2, (uint64_t)1 << 12, false, 0);
	fx_pax(&pax, "SCHILY.xattr.security.capability", cap, n);
	fx_add(t, "opt/tool/bin/netadm", '0', NULL, "ELF", 3, &pax);
	fx_end(t);
	sbuf_release(&pax);
}

/* The upper layer: ping whited out, /opt/tool opaque, a hard link to caddy. */
static void layer2(struct sbuf *t)
{
	fx_add(t, "usr/bin/.wh.ping", '0', NULL, "", 0, NULL);
	fx_add(t, "opt/tool/.wh..wh..opq", '0', NULL, "", 0, NULL);
	fx_file(t, "opt/tool/README", "x");
	fx_add(t, "usr/bin/caddy2", '1', "usr/sbin/caddy", NULL, 0, NULL);
	fx_end(t);
}

static const char config_json[] =
	"{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"User\":\"app\","
	"\"Env\":[\"PATH=/usr/local/bin:/usr/bin\"],\"Entrypoint\":[\"docker-entrypoint.sh\"],"
	"\"Cmd\":[\"postgres\"],\"WorkingDir\":\"/\"},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";

static void check_layered(const struct imagemeta_image *im)
{
	assert_non_null(im);
	assert_true(im->layers);
	assert_string_equal(im->user, "app");
	assert_int_equal(im->user_kind, IMAGEMETA_USER_NONROOT);
	assert_int_equal(im->uid, 1000);
	assert_int_equal(im->nentrypoint, 1);
	assert_string_equal(im->entrypoint[0], "docker-entrypoint.sh");
	assert_string_equal(im->cmd[0], "postgres");
	assert_non_null(im->script);
	assert_string_equal(im->script, entry_script);
	assert_string_equal(im->script_path, "/usr/local/bin/docker-entrypoint.sh");
	/* ping whited out, netadm under the opaque directory gone, caddy and its hard link */
	assert_int_equal(im->nfilecaps, 2);
	assert_string_equal(im->filecaps[0].path, "/usr/bin/caddy2");
	assert_string_equal(im->filecaps[1].path, "/usr/sbin/caddy");
	assert_int_equal(im->filecaps[1].revision, 3);
	assert_int_equal(im->filecaps[1].rootid, 0);
	assert_true(im->filecaps[1].effective);
	assert_int_equal(imagemeta_hard_caps(im), (uint64_t)1 << 10);
	assert_non_null(imagemeta_filecap_of(im, "caddy"));
	assert_non_null(imagemeta_filecap_of(im, "/usr/sbin/caddy"));
	assert_null(imagemeta_filecap_of(im, "ping"));
	assert_string_equal(im->note, "");
}

static void test_user_kinds(void **state)
{
	static const char pw[] = "root:x:0:0::/root:/bin/sh\nnginx:x:101:101::/:/sbin/nologin\n"
				 "toor:x:0:0::/:/bin/sh\nbad:x:abc:0::/:/bin/sh\n";
	static const struct {
		const char *user;
		bool passwd;
		enum imagemeta_user want;
		long long uid;
	} t[] = {
		{ "", false, IMAGEMETA_USER_ROOT, 0 },
		{ NULL, false, IMAGEMETA_USER_ROOT, 0 },
		{ "0", false, IMAGEMETA_USER_ROOT, 0 },
		{ "0:0", false, IMAGEMETA_USER_ROOT, 0 },
		{ "root", false, IMAGEMETA_USER_ROOT, 0 },
		{ "root:staff", false, IMAGEMETA_USER_ROOT, 0 },
		{ "1000", false, IMAGEMETA_USER_NONROOT, 1000 },
		{ "1000:1000", false, IMAGEMETA_USER_NONROOT, 1000 },
		{ "65532", false, IMAGEMETA_USER_NONROOT, 65532 },
		{ "65532:root", false, IMAGEMETA_USER_NONROOT, 65532 },
		{ "nginx", false, IMAGEMETA_USER_UNKNOWN, -1 },
		{ "nginx", true, IMAGEMETA_USER_NONROOT, 101 },
		{ "nginx:nginx", true, IMAGEMETA_USER_NONROOT, 101 },
		{ "toor", true, IMAGEMETA_USER_ROOT, 0 },
		{ "bad", true, IMAGEMETA_USER_UNKNOWN, -1 },
		{ "ngin", true, IMAGEMETA_USER_UNKNOWN, -1 },
		{ "user:group", false, IMAGEMETA_USER_UNKNOWN, -1 },
	};
	size_t i;
	long long uid;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		enum imagemeta_user u =
			imagemeta_user_kind(t[i].user, t[i].passwd ? pw : NULL, strlen(pw), &uid);

		if (u != t[i].want || uid != t[i].uid)
			fail_msg("case %zu (%s): %s %lld", i, t[i].user ? t[i].user : "NULL",
				 imagemeta_user_name(u), uid);
	}
}

static void test_normalize(void **state)
{
	static const struct {
		const char *ref, *want;
	} t[] = {
		{ "nginx", "docker.io/library/nginx:latest" },
		{ "nginx:1.25", "docker.io/library/nginx:1.25" },
		{ "docker.io/library/nginx:1.25", "docker.io/library/nginx:1.25" },
		{ "index.docker.io/bitnami/redis:7", "docker.io/bitnami/redis:7" },
		{ "localhost:5000/app", "localhost:5000/app:latest" },
		{ "Quay.io/Prometheus/node-exporter:v1", "quay.io/prometheus/node-exporter:v1" },
		{ "ghcr.io/x/y:1@sha256:" H1, "ghcr.io/x/y:1" },
	};
	size_t i;
	char out[600];

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		imagemeta_normalize(t[i].ref, out, sizeof(out));
		assert_string_equal(out, t[i].want);
	}
}

static void test_inspect(void **state)
{
	static const char docker[] =
		"[{\"Id\":\"sha256:" H1
		"\",\"RepoTags\":[\"nginx:1.25\",\"mirror.gcr.io/library/nginx:1.25\"],"
		"\"RepoDigests\":[\"nginx@sha256:" H2 "\"],"
		"\"Config\":{\"User\":\"\",\"Entrypoint\":[\"/docker-entrypoint.sh\"],"
		"\"Cmd\":[\"nginx\",\"-g\",\"daemon off;\"],\"ExposedPorts\":{\"80/tcp\":{}}}},"
		"{\"Id\":\"sha256:" H3 "\",\"RepoTags\":[\"gcr.io/distroless/static:nonroot\"],"
		"\"Config\":{\"User\":\"65532\",\"Entrypoint\":null,\"Cmd\":null}}]";
	static const char podman[] =
		"[{\"Id\":\"" H4 "\",\"Digest\":\"sha256:" H5
		"\",\"RepoTags\":[\"docker.io/bitnami/redis:7.2\"],"
		"\"Names\":[\"docker.io/bitnami/redis:7.2\"],\"User\":\"1001\","
		"\"Config\":{\"Entrypoint\":[\"/opt/bitnami/scripts/redis/entrypoint.sh\"]}}]";
	struct imagemeta_set *s = imagemeta_set_new();
	const struct imagemeta_image *im;

	(void)state;
	assert_int_equal(imagemeta_load_buf(s, "docker.json", (const unsigned char *)docker,
					    strlen(docker), NULL),
			 2);
	assert_int_equal(imagemeta_load_buf(s, "podman.json", (const unsigned char *)podman,
					    strlen(podman), NULL),
			 1);
	im = imagemeta_lookup(s, "docker.io/library/nginx:1.25");
	assert_non_null(im);
	assert_int_equal(im->user_kind, IMAGEMETA_USER_ROOT);
	/* what the kubelet accepts for runAsNonRoot: a numeric user other than 0 */
	assert_false(imagemeta_user_numeric_nonroot(im)); /* "" */
	assert_true(imagemeta_user_numeric_nonroot(
		imagemeta_lookup(s, "gcr.io/distroless/static:nonroot")));
	assert_false(imagemeta_user_numeric_nonroot(NULL));
	{
		struct imagemeta_image u;
		static const char *const users[] = { "1000:1000", "0",	 "0:1000",     "00",
						     "app",	  "10a", "99999999999" };
		static const bool want[] = { true, false, false, false, false, false, false };
		size_t i;

		memset(&u, 0, sizeof(u));
		for (i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
			u.user = (char *)users[i];
			if (imagemeta_user_numeric_nonroot(&u) != want[i])
				fail_msg("user %s", users[i]);
		}
	}
	assert_false(im->layers);
	assert_int_equal(im->ncmd, 3);
	assert_string_equal(im->cmd[2], "daemon off;");
	assert_ptr_equal(imagemeta_lookup(s, "nginx@sha256:" H2), im);
	assert_ptr_equal(imagemeta_lookup(s, "sha256:" H1), im);
	assert_ptr_equal(imagemeta_lookup(s, "mirror.gcr.io/library/nginx:1.25"), im);
	assert_null(imagemeta_lookup(s, "nginx:1.24"));
	assert_null(imagemeta_lookup(s, "nginx")); /* latest is another tag */
	assert_null(imagemeta_lookup(s, "nginx@sha256:" H6));
	im = imagemeta_lookup(s, "gcr.io/distroless/static:nonroot");
	assert_non_null(im);
	assert_int_equal(im->user_kind, IMAGEMETA_USER_NONROOT);
	assert_null(im->entrypoint);
	im = imagemeta_lookup(s, "bitnami/redis:7.2");
	assert_non_null(im);
	assert_int_equal(im->uid, 1001);
	assert_ptr_equal(imagemeta_lookup(s, "sha256:" H4), im);
	assert_ptr_equal(imagemeta_lookup(s, "x@sha256:" H5), im);
	imagemeta_set_free(s);
}

static void test_config_blob(void **state)
{
	char path[] = "/tmp/capfix-cfg-XXXXXX";
	int fd = mkstemp(path);
	char arg[128];
	struct imagemeta_set *s = imagemeta_set_new();
	const struct imagemeta_image *im;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	write_file(path, config_json, strlen(config_json));
	assert_int_equal(imagemeta_load(s, path), -1);
	assert_non_null(strstr(cf_err_last()->msg, "REF="));
	snprintf(arg, sizeof(arg), "registry.example.com/team/db:16=%s", path);
	assert_int_equal(imagemeta_load(s, arg), 1);
	im = imagemeta_lookup(s, "registry.example.com/team/db:16");
	assert_non_null(im);
	assert_int_equal(im->user_kind, IMAGEMETA_USER_UNKNOWN); /* "app" without /etc/passwd */
	assert_string_equal(im->env[0], "PATH=/usr/local/bin:/usr/bin");
	unlink(path);
	assert_int_equal(imagemeta_load(s, path), -1);
	imagemeta_set_free(s);
}

static void mkdirs(const char *root)
{
	char p[256];

	assert_int_equal(mkdir(root, 0700), 0);
	snprintf(p, sizeof(p), "%s/blobs", root);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/blobs/sha256", root);
	assert_int_equal(mkdir(p, 0700), 0);
}

static void blob(const char *root, const char *hex, const void *d, size_t n)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/blobs/sha256/%s", root, hex);
	write_file(p, d, n);
}

static void rm_rf(const char *root)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

static const char *manifest_json(bool gz)
{
	static char buf[1024];

	snprintf(
		buf, sizeof(buf),
		"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
		"\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:" H3
		"\",\"size\":1},"
		"\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"sha256:" H1
		"\",\"size\":1},"
		"{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar%s\",\"digest\":\"sha256:" H2
		"\",\"size\":1}]}",
		gz ? "+gzip" : "");
	return buf;
}

static void test_oci_layout(void **state)
{
	char root[] = "/tmp/capfix-oci-XXXXXX";
	struct sbuf l1 = SBUF_INIT, l2 = SBUF_INIT, gz = SBUF_INIT;
	struct imagemeta_set *s = imagemeta_set_new();
	const struct imagemeta_image *im;
	bool gzip = tarread_have_gzip();
	char p[256];
	static const char index_top[] =
		"{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
		"\"digest\":\"sha256:" H5 "\",\"size\":1,\"annotations\":{"
		"\"io.containerd.image.name\":\"docker.io/library/postgres:16\","
		"\"org.opencontainers.image.ref.name\":\"16\"}}]}";
	static const char index_nested[] =
		"{\"schemaVersion\":2,\"manifests\":["
		"{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:" H6
		"\","
		"\"platform\":{\"architecture\":\"arm\",\"os\":\"windows\"}},"
		"{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:" H4
		"\","
		"\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
		"{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:" H6
		"\","
		"\"annotations\":{\"vnd.docker.reference.type\":\"attestation-manifest\"},"
		"\"platform\":{\"architecture\":\"unknown\",\"os\":\"unknown\"}}]}";

	(void)state;
	assert_non_null(mkdtemp(root));
	rmdir(root);
	mkdirs(root);
	snprintf(p, sizeof(p), "%s/oci-layout", root);
	write_file(p, "{\"imageLayoutVersion\":\"1.0.0\"}", 30);
	snprintf(p, sizeof(p), "%s/index.json", root);
	write_file(p, index_top, strlen(index_top));
	blob(root, H5, index_nested, strlen(index_nested));
	blob(root, H4, manifest_json(gzip), strlen(manifest_json(gzip)));
	blob(root, H3, config_json, strlen(config_json));
	layer1(&l1);
	layer2(&l2);
	blob(root, H1, l1.buf, l1.len);
	if (gzip && fx_gzip(&l2, &gz))
		blob(root, H2, gz.buf, gz.len);
	else
		blob(root, H2, l2.buf, l2.len);
	assert_int_equal(imagemeta_load(s, root), 1);
	im = imagemeta_lookup(s, "postgres:16");
	check_layered(im);
	assert_ptr_equal(imagemeta_lookup(s, "postgres@sha256:" H4), im);
	/* a missing blob: an error, nothing added */
	snprintf(p, sizeof(p), "%s/blobs/sha256/%s", root, H3);
	unlink(p);
	assert_int_equal(imagemeta_load(s, root), -1);
	assert_int_equal(imagemeta_count(s), 1);
	rm_rf(root);
	imagemeta_set_free(s);
	sbuf_release(&l1);
	sbuf_release(&l2);
	sbuf_release(&gz);
}

static void test_docker_save_legacy(void **state)
{
	struct sbuf t = SBUF_INIT, l1 = SBUF_INIT, l2 = SBUF_INIT;
	struct imagemeta_set *s = imagemeta_set_new();
	const struct imagemeta_image *im;
	static const char manifest[] =
		"[{\"Config\":\"" H3 ".json\",\"RepoTags\":[\"postgres:16\"],"
		"\"Layers\":[\"" H1 "/layer.tar\",\"" H2 "/layer.tar\"]}]";

	(void)state;
	layer1(&l1);
	layer2(&l2);
	fx_add(&t, H1 "/", '5', NULL, NULL, 0, NULL);
	fx_add(&t, H1 "/layer.tar", '0', NULL, l1.buf, l1.len, NULL);
	fx_add(&t, H2 "/", '5', NULL, NULL, 0, NULL);
	fx_add(&t, H6 "/layer.tar", '0', NULL, l2.buf, l2.len, NULL);
	fx_add(&t, H2 "/layer.tar", '2', "../" H6 "/layer.tar", NULL, 0, NULL);
	fx_file(&t, H3 ".json", config_json);
	fx_file(&t, "repositories", "{\"postgres\":{\"16\":\"" H3 "\"}}");
	fx_file(&t, "manifest.json", manifest);
	fx_end(&t);
	assert_int_equal(
		imagemeta_load_buf(s, "save.tar", (const unsigned char *)t.buf, t.len, NULL), 1);
	im = imagemeta_lookup(s, "docker.io/library/postgres:16");
	check_layered(im);
	assert_ptr_equal(imagemeta_lookup(s, "sha256:" H3), im);
	/* the whole archive gzip-compressed (docker save | gzip) */
	if (tarread_have_gzip()) {
		struct sbuf gz = SBUF_INIT;

		if (fx_gzip(&t, &gz)) {
			assert_int_equal(imagemeta_load_buf(s, "save.tar.gz",
							    (const unsigned char *)gz.buf, gz.len,
							    NULL),
					 1);
			check_layered(imagemeta_at(s, 1));
		}
		sbuf_release(&gz);
	}
	imagemeta_set_free(s);
	sbuf_release(&t);
	sbuf_release(&l1);
	sbuf_release(&l2);
}

static void test_docker_save_oci(void **state)
{
	struct sbuf t = SBUF_INIT, l1 = SBUF_INIT, l2 = SBUF_INIT, gz = SBUF_INIT;
	struct imagemeta_set *s = imagemeta_set_new();
	const struct imagemeta_image *im;
	bool gzip = tarread_have_gzip() && fx_gzip(&l2, &gz);
	static const char manifest[] =
		"[{\"Config\":\"blobs/sha256/" H3 "\",\"RepoTags\":[\"postgres:16\"],"
		"\"Layers\":[\"blobs/sha256/" H1 "\",\"blobs/sha256/" H2 "\"]}]";
	static const char index[] =
		"{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
		"\"digest\":\"sha256:" H4
		"\",\"annotations\":{\"io.containerd.image.name\":\"docker.io/library/postgres:16\","
		"\"org.opencontainers.image.ref.name\":\"16\"}}]}";

	(void)state;
	layer1(&l1);
	layer2(&l2);
	gzip = tarread_have_gzip() && fx_gzip(&l2, &gz);
	fx_add(&t, "blobs/", '5', NULL, NULL, 0, NULL);
	fx_add(&t, "blobs/sha256/", '5', NULL, NULL, 0, NULL);
	fx_add(&t, "blobs/sha256/" H1, '0', NULL, l1.buf, l1.len, NULL);
	if (gzip)
		fx_add(&t, "blobs/sha256/" H2, '0', NULL, gz.buf, gz.len, NULL);
	else
		fx_add(&t, "blobs/sha256/" H2, '0', NULL, l2.buf, l2.len, NULL);
	fx_add(&t, "blobs/sha256/" H3, '0', NULL, config_json, strlen(config_json), NULL);
	fx_add(&t, "blobs/sha256/" H4, '0', NULL, manifest_json(gzip), strlen(manifest_json(gzip)),
	       NULL);
	fx_file(&t, "index.json", index);
	fx_file(&t, "manifest.json", manifest);
	fx_file(&t, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
	fx_end(&t);
	assert_int_equal(
		imagemeta_load_buf(s, "save25.tar", (const unsigned char *)t.buf, t.len, NULL), 1);
	im = imagemeta_lookup(s, "postgres:16");
	check_layered(im);
	/* the same archive without manifest.json: read as an OCI layout in a tar (oci-archive) */
	{
		struct sbuf t2 = SBUF_INIT;

		fx_add(&t2, "blobs/sha256/" H1, '0', NULL, l1.buf, l1.len, NULL);
		if (gzip)
			fx_add(&t2, "blobs/sha256/" H2, '0', NULL, gz.buf, gz.len, NULL);
		else
			fx_add(&t2, "blobs/sha256/" H2, '0', NULL, l2.buf, l2.len, NULL);
		fx_add(&t2, "blobs/sha256/" H3, '0', NULL, config_json, strlen(config_json), NULL);
		fx_add(&t2, "blobs/sha256/" H4, '0', NULL, manifest_json(gzip),
		       strlen(manifest_json(gzip)), NULL);
		fx_file(&t2, "index.json", index);
		fx_end(&t2);
		assert_int_equal(imagemeta_load_buf(s, "oci.tar", (const unsigned char *)t2.buf,
						    t2.len, "mirror.example/pg:16"),
				 1);
		check_layered(imagemeta_lookup(s, "mirror.example/pg:16"));
		sbuf_release(&t2);
	}
	imagemeta_set_free(s);
	sbuf_release(&t);
	sbuf_release(&l1);
	sbuf_release(&l2);
	sbuf_release(&gz);
}

static void test_hostile(void **state)
{
	struct imagemeta_set *s = imagemeta_set_new();
	struct sbuf t = SBUF_INIT;
	static const char *const bad_json[] = {
		"",	 "   ",	      "hello",	       "[]",
		"[1,2]", "{\"a\":1}", "[{\"Config\":", "{\"manifests\":[]}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad_json); i++)
		if (imagemeta_load_buf(s, "x", (const unsigned char *)bad_json[i],
				       strlen(bad_json[i]), NULL) != -1)
			fail_msg("case %zu accepted", i);
	/* a manifest pointing outside the archive, and at a missing member */
	fx_file(&t, "manifest.json", "[{\"Config\":\"../../etc/passwd\",\"Layers\":[]}]");
	fx_end(&t);
	assert_int_equal(imagemeta_load_buf(s, "t", (const unsigned char *)t.buf, t.len, NULL), -1);
	assert_non_null(strstr(cf_err_last()->msg, "refused"));
	t.len = 0;
	fx_file(&t, "manifest.json", "[{\"Config\":\"nope.json\",\"Layers\":[\"/abs\"]}]");
	fx_end(&t);
	assert_int_equal(imagemeta_load_buf(s, "t", (const unsigned char *)t.buf, t.len, NULL), -1);
	/* a layer that is no tar: the image is kept with a note */
	t.len = 0;
	fx_file(&t, "c.json", config_json);
	fx_file(&t, "l.tar", "not a tar at all, not even close..........");
	fx_file(&t, "manifest.json",
		"[{\"Config\":\"c.json\",\"RepoTags\":[\"a:1\"],\"Layers\":[\"l.tar\",\"missing.tar\"]}]");
	fx_end(&t);
	assert_int_equal(imagemeta_load_buf(s, "t", (const unsigned char *)t.buf, t.len, NULL), 1);
	assert_string_not_equal(imagemeta_lookup(s, "a:1")->note, "");
	/* a symbolic link loop in the layers */
	{
		struct sbuf l = SBUF_INIT;
		static const char cfg[] = "{\"config\":{\"Entrypoint\":[\"/a\"]}}";

		fx_add(&l, "a", '2', "b", NULL, 0, NULL);
		fx_add(&l, "b", '2', "/a", NULL, 0, NULL);
		fx_end(&l);
		t.len = 0;
		fx_file(&t, "c.json", cfg);
		fx_add(&t, "l.tar", '0', NULL, l.buf, l.len, NULL);
		fx_file(&t, "manifest.json",
			"[{\"Config\":\"c.json\",\"RepoTags\":[\"loop:1\"],\"Layers\":[\"l.tar\"]}]");
		fx_end(&t);
		assert_int_equal(
			imagemeta_load_buf(s, "t", (const unsigned char *)t.buf, t.len, NULL), 1);
		assert_null(imagemeta_lookup(s, "loop:1")->script);
		assert_int_equal(imagemeta_lookup(s, "loop:1")->user_kind, IMAGEMETA_USER_ROOT);
		sbuf_release(&l);
	}
	imagemeta_set_free(s);
	sbuf_release(&t);
}

/* The one rule for the program a container starts: command, entrypoint, args, cmd. */
static void test_start(void **state)
{
	char *ep[] = { "/docker-entrypoint.sh", "nginx", NULL }, *cmd[] = { "/bin/sh", NULL };
	struct imagemeta_image img;

	(void)state;
	memset(&img, 0, sizeof(img));
	assert_null(imagemeta_start(NULL, NULL, NULL, false));
	assert_string_equal(imagemeta_start(NULL, "/bin/app", "x", true), "/bin/app");
	assert_string_equal(imagemeta_start(NULL, NULL, "ping", true), "ping");
	img.cmd = cmd;
	assert_string_equal(imagemeta_start(&img, NULL, NULL, false), "/bin/sh");
	assert_null(imagemeta_start(&img, NULL, NULL, true)); /* args: [] */
	assert_string_equal(imagemeta_start(&img, NULL, "ping", true), "ping");
	img.entrypoint = ep;
	assert_string_equal(imagemeta_start(&img, NULL, "ping", true), "/docker-entrypoint.sh");
	assert_string_equal(imagemeta_start(&img, "", NULL, false), "/docker-entrypoint.sh");
	assert_string_equal(imagemeta_start(&img, "/bin/app", NULL, false), "/bin/app");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start),
		cmocka_unit_test(test_user_kinds),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_inspect),
		cmocka_unit_test(test_config_blob),
		cmocka_unit_test(test_oci_layout),
		cmocka_unit_test(test_docker_save_legacy),
		cmocka_unit_test(test_docker_save_oci),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
