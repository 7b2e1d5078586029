/*
 * profiles.c - the image profile table.
 *
 * Every entry cites the file and line of the official image's entrypoint or
 * Dockerfile it comes from (snapshots of the docker-library repositories;
 * ../shared/research/evidence.md section 3). Entries apply only when the
 * container may start as root, except file_caps ones.
 */
#include "capfix/profiles.h"

#include <ctype.h>

#define LIST(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NONE ((const char *const[]){ NULL })

static const struct image_profile profiles[] = {
	{ .name = "bitnami",
	  .repos = LIST("bitnami/*"),
	  .caps = NONE,
	  .nonroot = true,
	  .why = "Bitnami images run as uid 1001; nothing to add",
	  .source = "bitnami/containers bitnami/*/<version>/<os>/Dockerfile: USER 1001 "
		    "(evidence.md section 3)" },
	{ .name = "caddy",
	  .repos = LIST("library/caddy"),
	  .caps = LIST("NET_BIND_SERVICE"),
	  .file_caps = true,
	  .why = "/usr/bin/caddy carries the file capability cap_net_bind_service; exec fails without it in the bounding set",
	  .source =
		  "caddy Dockerfile (setcap cap_net_bind_service=+ep); caddyserver/caddy-docker#396; "
		  "bcgov/quickstart-openshift PR #2604" },
	{ .name = "elasticsearch",
	  .repos = LIST("library/elasticsearch", "elasticsearch/elasticsearch"),
	  .caps = NONE,
	  .nonroot = true,
	  .why = "runs as uid 1000 (gid 0); nothing to add",
	  .source = "docker-library/repo-info repos/elasticsearch (image config: USER 1000:0)" },
	{ .name = "grafana",
	  .repos = LIST("grafana/grafana", "grafana/grafana-oss", "grafana/grafana-enterprise"),
	  .caps = NONE,
	  .nonroot = true,
	  .why = "runs as uid 472; nothing to add",
	  .source = "grafana/grafana Dockerfile: ARG GF_UID=\"472\" ... USER \"$GF_UID\"" },
	{ .name = "haproxy",
	  .repos = LIST("library/haproxy", "haproxytech/haproxy-debian",
			"haproxytech/haproxy-alpine"),
	  .caps = NONE,
	  .nonroot = true,
	  .why = "runs as user haproxy and its binary has no file capabilities: nothing to add "
		 "(a port below 1024 binds only where the runtime lowers ip_unprivileged_port_start)",
	  .source = "docker-library/haproxy 3.0/Dockerfile:106 USER haproxy (since 2.4, ae10fbf); "
		    "no setcap anywhere in the repository's history" },
	{ .name = "httpd",
	  .repos = LIST("library/httpd"),
	  .caps = LIST("NET_BIND_SERVICE", "SETGID", "SETUID"),
	  .why = "the parent binds port 80 as root, children switch to www-data",
	  .source =
		  "docker-library/httpd 2.4/Dockerfile:203-204 (User/Group www-data), :233 EXPOSE 80" },
	{ .name = "ingress-nginx",
	  .repos = LIST("ingress-nginx/controller", "ingress-nginx/controller-chroot"),
	  .caps = LIST("NET_BIND_SERVICE"),
	  .file_caps = true,
	  .nonroot = true,
	  .why = "runs as uid 101; the nginx binary carries cap_net_bind_service to bind 80/443",
	  .source =
		  "kubernetes/ingress-nginx rootfs/Dockerfile (setcap cap_net_bind_service=+ep, USER www-data); "
		  "deploy manifests (drop ALL, add NET_BIND_SERVICE)" },
	{ .name = "mariadb",
	  .repos = LIST("library/mariadb"),
	  .caps = LIST("CHOWN", "SETGID", "SETUID"),
	  .why = "the entrypoint chowns the data directory, then re-executes as mysql with gosu",
	  .source =
		  "MariaDB/mariadb-docker 11.4/docker-entrypoint.sh:210 find \"$DATADIR\" ! -user mysql -exec chown mysql:; "
		  ":699 exec gosu mysql" },
	{ .name = "memcached",
	  .repos = LIST("library/memcached"),
	  .caps = NONE,
	  .nonroot = true,
	  .why = "runs as user memcache and its entrypoint only execs; nothing to add",
	  .source =
		  "docker-library/memcached 1/debian/Dockerfile:98 USER memcache; 1/debian/docker-entrypoint.sh (exec \"$@\")" },
	{ .name = "metrics-server",
	  .repos = LIST("metrics-server/metrics-server"),
	  .caps = LIST("NET_BIND_SERVICE"),
	  .file_caps = true,
	  .why = "the binary carries a file capability; exec fails when it is outside the bounding set",
	  .source = "kubernetes-sigs/metrics-server PR #748" },
	{ .name = "mongo",
	  .repos = LIST("library/mongo"),
	  .caps = LIST("CHOWN", "SETGID", "SETUID"),
	  .why = "the entrypoint chowns /data/db and /data/configdb, then re-executes as mongodb with gosu",
	  .source =
		  "docker-library/mongo 8.0/docker-entrypoint.sh:14 find -L /data/configdb /data/db ! -user mongodb "
		  "-exec chown mongodb; :19 chown /proc/$$/fd/1; :22 exec gosu mongodb" },
	{ .name = "mysql",
	  .repos = LIST("library/mysql"),
	  .caps = LIST("CHOWN", "SETGID", "SETUID"),
	  .why = "the entrypoint chowns the data directory, then re-executes as mysql with gosu",
	  .source =
		  "docker-library/mysql 8.4/docker-entrypoint.sh:210 find ... ! -user mysql -exec chown mysql; "
		  ":380 exec gosu mysql" },
	{ .name = "nginx",
	  .repos = LIST("library/nginx", "nginx/nginx"),
	  .caps = LIST("CHOWN", "NET_BIND_SERVICE", "SETGID", "SETUID"),
	  .why = "the master chowns /var/cache/nginx to uid 101, binds port 80 and its workers setuid/setgid to 101",
	  .source =
		  "nginxinc/docker-nginx mainline/debian/Dockerfile:19 (user nginx, uid 101), :141 EXPOSE 80; "
		  "nginx src/core/ngx_file.c ngx_create_paths (chown, fails on error); openshift/origin#13443" },
	{ .name = "postgres",
	  .repos = LIST("library/postgres"),
	  .caps = LIST("CHOWN", "DAC_READ_SEARCH", "FOWNER", "SETGID", "SETUID"),
	  .why = "the entrypoint chmods and chowns $PGDATA, then re-executes as postgres with gosu",
	  .source =
		  "docker-library/postgres 17/bookworm/docker-entrypoint.sh:41 chmod 00700 \"$PGDATA\"; "
		  ":58 find \"$PGDATA\" ! -user postgres -exec chown postgres; :338 exec gosu postgres; "
		  "docker-library/postgres#649, #907" },
	{ .name = "rabbitmq",
	  .repos = LIST("library/rabbitmq"),
	  .caps = LIST("CHOWN", "SETGID", "SETUID"),
	  .why = "the entrypoint fixes ownership of /var/lib/rabbitmq, then re-executes as rabbitmq with gosu",
	  .source =
		  "docker-library/rabbitmq 4.1/ubuntu/docker-entrypoint.sh:7 find /var/lib/rabbitmq ! -user rabbitmq "
		  "-exec chown rabbitmq; :10 exec gosu rabbitmq" },
	{ .name = "redis",
	  .repos = LIST("library/redis"),
	  .caps = NONE,
	  .major_min = 8,
	  .why = "redis 8 drops privileges only when SETUID and SETGID are in the bounding set; without them it "
		 "skips the chown and keeps running as uid 0 (prefer runAsUser 999)",
	  .source =
		  "redis/docker-library-redis 8.x docker-entrypoint.sh: `[ \"$(id -u)\" = '0' ] && has_cap setuid "
		  "&& has_cap setgid` guards fix_data_dir_perms and setpriv --reuid redis" },
	{ .name = "redis<=7",
	  .repos = LIST("library/redis"),
	  .caps = LIST("SETGID", "SETUID"),
	  .major_max = 7,
	  .why = "the entrypoint re-executes as redis with gosu (CHOWN too when /data holds files of another owner)",
	  .source =
		  "docker-library/redis 7.2/debian/docker-entrypoint.sh:12 find . ! -user redis -exec chown redis; "
		  ":13 exec gosu redis" },
	{ .name = "wordpress",
	  .repos = LIST("library/wordpress"),
	  .caps = LIST("CHOWN", "FOWNER", "NET_BIND_SERVICE", "SETGID", "SETUID"),
	  .why = "the entrypoint chowns the web root and copies WordPress with tar --owner www-data; Apache binds "
		 "port 80 as root and its children switch to www-data",
	  .source =
		  "docker-library/wordpress latest/php8.3/apache/docker-entrypoint.sh:31 chown \"$user:$group\" .; "
		  ":42 tar --owner \"$user\"; :91 chown wp-config.php; php:8.3-apache (User www-data, Listen 80)" },
	{ .name = "wordpress-fpm",
	  .repos = LIST("library/wordpress"),
	  .caps = LIST("CHOWN", "FOWNER", "SETGID", "SETUID"),
	  .tag_contains = "fpm",
	  .why = "the entrypoint chowns the web root and copies WordPress with tar --owner www-data; the php-fpm "
		 "master switches its pool workers to www-data",
	  .source =
		  "docker-library/wordpress latest/php8.3/fpm/docker-entrypoint.sh:31 chown \"$user:$group\" .; "
		  ":42 tar --owner \"$user\"; php:8.3-fpm (www.conf user = www-data)" },
};

size_t profiles_count(void)
{
	return ARRAY_SIZE(profiles);
}

const struct image_profile *profiles_at(size_t i)
{
	return i < ARRAY_SIZE(profiles) ? &profiles[i] : NULL;
}

void profiles_repo_of(const char *image, char *out, size_t size)
{
	const char *s = image, *first_slash, *p;
	size_t n = 0, len;

	if (!size)
		return;
	while (*s == ' ' || *s == '"' || *s == '\'')
		s++;
	/* a registry host: the first component has a '.' or ':' or is localhost */
	first_slash = strchr(s, '/');
	if (first_slash) {
		size_t hl = (size_t)(first_slash - s);

		if ((hl == 9 && !strncmp(s, "docker.io", 9)) ||
		    (hl == 15 && !strncmp(s, "index.docker.io", 15)) ||
		    (hl == 20 && !strncmp(s, "registry-1.docker.io", 20)))
			s = first_slash + 1;
	}
	if (!strncmp(s, "library/", 8))
		s += 8;
	/* strip @digest, then :tag (a ':' after the last '/') */
	len = strcspn(s, "@ \"'");
	p = s + len;
	for (const char *q = s + len; q > s; q--) {
		if (q[-1] == '/')
			break;
		if (q[-1] == ':') {
			p = q - 1;
			break;
		}
	}
	for (; s < p && n + 1 < size; s++)
		out[n++] = (char)tolower((unsigned char)*s);
	out[n] = '\0';
}

static void lower_copy(char *dst, size_t size, const char *s, size_t n)
{
	size_t i;

	if (n >= size)
		n = size - 1;
	for (i = 0; i < n; i++)
		dst[i] = (char)tolower((unsigned char)s[i]);
	dst[n] = '\0';
}

bool profiles_parse_ref(const char *image, struct image_ref *out)
{
	const char *s = image ? image : "", *end, *at, *colon = NULL, *slash, *p;
	size_t n;

	memset(out, 0, sizeof(*out));
	out->major = -1;
	while (*s == ' ' || *s == '\t' || *s == '"' || *s == '\'')
		s++;
	end = s + strcspn(s, " \t\"'\r\n");
	at = memchr(s, '@', (size_t)(end - s));
	if (at) {
		n = (size_t)(end - at - 1);
		if (n >= sizeof(out->digest))
			n = sizeof(out->digest) - 1;
		memcpy(out->digest, at + 1, n);
		end = at;
	}
	for (p = end; p > s && p[-1] != '/'; p--)
		if (p[-1] == ':') {
			colon = p - 1;
			break;
		}
	if (colon) {
		n = (size_t)(end - colon - 1);
		if (n >= sizeof(out->tag))
			n = sizeof(out->tag) - 1;
		memcpy(out->tag, colon + 1, n);
		end = colon;
	}
	slash = memchr(s, '/', (size_t)(end - s));
	if (slash) {
		size_t hl = (size_t)(slash - s);

		if (memchr(s, '.', hl) || memchr(s, ':', hl) ||
		    (hl == 9 && !strncmp(s, "localhost", 9))) {
			lower_copy(out->host, sizeof(out->host), s, hl);
			s = slash + 1;
		}
	}
	if (!strcmp(out->host, "docker.io") || !strcmp(out->host, "index.docker.io") ||
	    !strcmp(out->host, "registry-1.docker.io"))
		out->host[0] = '\0';
	n = (size_t)(end - s);
	if (n && !memchr(s, '/', n)) {
		memcpy(out->path, "library/", 8);
		lower_copy(out->path + 8, sizeof(out->path) - 8, s, n);
	} else {
		lower_copy(out->path, sizeof(out->path), s, n);
	}
	if (isdigit((unsigned char)out->tag[0])) {
		long v = strtol(out->tag, NULL, 10);

		out->major = v > 100000 ? 100000 : (int)v;
	}
	return out->path[0] != '\0';
}

/* Do the last components of @path equal @repo ("a/b", or "a/\*": any name below a)? */
static bool path_ends_with(const char *path, const char *repo)
{
	size_t pl = strlen(path), rl = strlen(repo);

	if (rl >= 2 && !strcmp(repo + rl - 2, "/*")) {
		const char *last = strrchr(path, '/'), *prev;

		if (!last || !last[1])
			return false;
		for (prev = last; prev > path && prev[-1] != '/'; prev--)
			;
		return (size_t)(last - prev) == rl - 2 && !strncmp(prev, repo, rl - 2);
	}
	if (rl > pl || strcmp(path + pl - rl, repo))
		return false;
	return rl == pl || path[pl - rl - 1] == '/';
}

const struct image_profile *profiles_match(const char *image)
{
	struct image_ref ref;
	const struct image_profile *best = NULL;
	int best_score = -1;
	size_t i, j;

	if (!image || !profiles_parse_ref(image, &ref))
		return NULL;
	for (i = 0; i < ARRAY_SIZE(profiles); i++) {
		const struct image_profile *p = &profiles[i];
		int score = 0;

		for (j = 0; p->repos[j] && !path_ends_with(ref.path, p->repos[j]); j++)
			;
		if (!p->repos[j])
			continue;
		if (p->tag_contains) {
			if (!strstr(ref.tag, p->tag_contains))
				continue;
			score += 2;
		}
		if (p->major_min || p->major_max) {
			if (ref.major < 0 ? p->major_max != 0
					  : (ref.major < p->major_min ||
					     (p->major_max && ref.major > p->major_max)))
				continue;
			score += 1;
		}
		if (score > best_score) {
			best = p;
			best_score = score;
		}
	}
	return best;
}
