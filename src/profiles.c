/*
 * profiles.c - the image profile table.
 *
 * Sources are the images' own entrypoints and Dockerfiles and the issue
 * threads collected in ../shared/research/anchors.md (section 5). Entries
 * apply only when the container may start as root, except file_caps ones.
 */
#include "capfix/profiles.h"

#include <ctype.h>

#define LIST(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const struct image_profile profiles[] = {
	{ "caddy", LIST("caddy"), LIST("NET_BIND_SERVICE"), true,
	  "/usr/bin/caddy carries the file capability cap_net_bind_service; exec fails without it in the bounding set",
	  "caddy Dockerfile (setcap); bcgov/quickstart-openshift PR #2604", false },
	{ "haproxy", LIST("haproxy"), LIST("NET_BIND_SERVICE"), true,
	  "runs as user haproxy with the file capability cap_net_bind_service on the binary",
	  "docker-library/haproxy Dockerfile (USER haproxy, setcap since 2.4)", false },
	{ "httpd", LIST("httpd"), LIST("NET_BIND_SERVICE", "SETGID", "SETUID"), false,
	  "the parent binds port 80 as root, children switch to www-data",
	  "docker-library/httpd (User/Group www-data in httpd.conf, Listen 80)", false },
	{ "ingress-nginx",
	  LIST("registry.k8s.io/ingress-nginx/controller", "k8s.gcr.io/ingress-nginx/controller"),
	  LIST("NET_BIND_SERVICE"), true,
	  "runs as uid 101; the nginx binary carries cap_net_bind_service to bind 80/443",
	  "kubernetes/ingress-nginx deploy manifests (drop ALL, add NET_BIND_SERVICE)", false },
	{ "mariadb", LIST("mariadb"), LIST("CHOWN", "SETGID", "SETUID"), false,
	  "the entrypoint chowns the data directory, then re-executes as mysql with gosu",
	  "MariaDB/mariadb-docker docker-entrypoint.sh", false },
	{ "metrics-server",
	  LIST("registry.k8s.io/metrics-server/metrics-server",
	       "k8s.gcr.io/metrics-server/metrics-server"),
	  LIST("NET_BIND_SERVICE"), true,
	  "the binary carries a file capability; exec fails when it is outside the bounding set",
	  "kubernetes-sigs/metrics-server PR #748", false },
	{ "mongo", LIST("mongo"), LIST("CHOWN", "SETGID", "SETUID"), false,
	  "the entrypoint chowns /data/db and /data/configdb, then re-executes as mongodb with gosu",
	  "docker-library/mongo docker-entrypoint.sh", false },
	{ "mysql", LIST("mysql"), LIST("CHOWN", "SETGID", "SETUID"), false,
	  "the entrypoint chowns the data directory, then re-executes as mysql with gosu",
	  "docker-library/mysql docker-entrypoint.sh", false },
	{ "nginx", LIST("nginx"), LIST("CHOWN", "NET_BIND_SERVICE", "SETGID", "SETUID"), false,
	  "the master chowns /var/cache/nginx to uid 101, binds port 80 and its workers setuid/setgid to 101",
	  "anchors.md section 5: nself-org/cli PR #276, openshift/origin#13443", false },
	{ "postgres", LIST("postgres"),
	  LIST("CHOWN", "DAC_READ_SEARCH", "FOWNER", "SETGID", "SETUID"), false,
	  "the entrypoint chmods and chowns $PGDATA, then re-executes as postgres with gosu",
	  "docker-library/postgres#649, #907; docker-entrypoint.sh", false },
	{ "rabbitmq", LIST("rabbitmq"), LIST("CHOWN", "SETGID", "SETUID"), false,
	  "the entrypoint fixes ownership of /var/lib/rabbitmq, then re-executes as rabbitmq with gosu",
	  "docker-library/rabbitmq docker-entrypoint.sh", false },
	{ "redis", LIST("redis"), LIST("SETGID", "SETUID"), false,
	  "the entrypoint re-executes as redis with gosu (CHOWN too when /data holds files of another owner)",
	  "redis 7.x docker-entrypoint.sh; docker-library-redis#175", false },
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

const struct image_profile *profiles_match(const char *image)
{
	char repo[256];
	size_t i, j;

	if (!image)
		return NULL;
	profiles_repo_of(image, repo, sizeof(repo));
	for (i = 0; i < ARRAY_SIZE(profiles); i++)
		for (j = 0; profiles[i].repos[j]; j++)
			if (!strcmp(repo, profiles[i].repos[j]))
				return &profiles[i];
	return NULL;
}
