/*
 * cmd_images.c - `capfix images`: the image references the manifests and
 * compose files use, for `docker pull` / `docker image inspect` in CI.
 */
#include "capfix/cmd.h"
#include "capfix/composeenv.h"
#include "capfix/err.h"
#include "capfix/fsutil.h"
#include "capfix/ignore.h"
#include "capfix/imagerefs.h"
#include "capfix/msg.h"
#include "capfix/walk.h"

#include <getopt.h>
#include <jansson.h>

static const char images_usage[] =
	"usage: capfix images [options] [PATH...]\n"
	"\n"
	"List every image reference that the pod-bearing objects and compose services\n"
	"below PATH use (compose values interpolated with the .env beside the file),\n"
	"sorted, once each, one per line: for `docker pull` and\n"
	"`docker image inspect $(capfix images deploy/) > images.json`.\n"
	"\n"
	"options:\n"
	"  --format text|json  json: each image with where it is used\n"
	"  --exclude GLOB      leave out matching paths (gitignore syntax; repeatable);\n"
	"                      ./.capfixignore holds more\n"
	"  --no-gitignore      also read files that git ignores\n"
	"  --max-file-size SIZE  refuse larger files (default 256M)\n"
	"  -h, --help          show this help\n"
	"\n"
	"exit status: 0 done, 2 usage error, 3 some input could not be read or parsed\n"
	"(the rest was listed).\n";

struct images_cmd {
	bool json, no_gitignore;
	const char **excludes;
	size_t nexcludes, max_size;
};

static int parse_args(struct images_cmd *c, int argc, char **argv)
{
	enum { OPT_FORMAT = 256, OPT_EXCLUDE, OPT_NO_GITIGNORE, OPT_MAX_SIZE };
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "exclude", required_argument, NULL, OPT_EXCLUDE },
		{ "no-gitignore", no_argument, NULL, OPT_NO_GITIGNORE },
		{ "max-file-size", required_argument, NULL, OPT_MAX_SIZE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_FORMAT:
			if (cmd_opt_text_json(optarg, &c->json) < 0)
				return -1;
			break;
		case OPT_EXCLUDE:
			cmd_opt_append(&c->excludes, &c->nexcludes, optarg);
			break;
		case OPT_NO_GITIGNORE:
			c->no_gitignore = true;
			break;
		case OPT_MAX_SIZE:
			if (cmd_opt_size(optarg, &c->max_size) < 0)
				return -1;
			break;
		case 'h':
			fputs(images_usage, stdout);
			return 1;
		default:
			cmd_bad_option("images", optopt, argv[optind - 1]);
			return -1;
		}
	}
	return 0;
}

/* The image references of one file into @refs; 0, or -1 with the problem printed. */
static int collect_file(const struct images_cmd *c, const struct walk_file *wf, struct sbuf *buf,
			struct imagerefs *refs)
{
	struct yfile yf = YFILE_INIT;
	struct composeenv env;
	struct yerror err;
	struct sbuf dir = SBUF_INIT;
	const char *slash = strrchr(wf->path, '/');
	size_t n = strlen(wf->path);
	bool json = n > 5 && !strcmp(wf->path + n - 5, ".json");

	if (fsutil_read(wf->path, c->max_size, buf) < 0) {
		msg_print(stderr, NULL, 0, 0, MSG_ERROR, "%s", cf_err_last()->msg);
		return -1;
	}
	if (yamlspan_parse(&yf, buf->buf ? buf->buf : "", buf->len, json, &err) < 0) {
		msg_print(stderr, wf->path, err.line, err.col, MSG_ERROR, "%s", err.msg);
		return -1;
	}
	memset(&env, 0, sizeof(env));
	if (slash)
		sbuf_add(&dir, wf->path, (size_t)(slash - wf->path));
	else
		sbuf_addstr(&dir, ".");
	if (composeenv_load(dir.buf, &env) < 0)
		msg_print(stderr, NULL, 0, 0, MSG_WARNING, "%s", cf_err_last()->msg);
	imagerefs_collect(&yf, wf->path, &env, refs);
	composeenv_release(&env);
	yamlspan_release(&yf);
	sbuf_release(&dir);
	return 0;
}

static void render(const struct images_cmd *c, const struct imagerefs *refs)
{
	json_t *root = c->json ? json_array() : NULL, *img = NULL, *uses = NULL;
	size_t i;

	for (i = 0; i < refs->n; i++) {
		const struct imagerefs_item *it = &refs->items[i];
		bool first = !i || strcmp(refs->items[i - 1].image, it->image);

		if (it->uninterpolated)
			msg_print(stderr, it->path, it->line, it->col, MSG_WARNING,
				  "%s: the image depends on variables the .env does not set: %s",
				  it->where, it->image);
		if (!c->json) {
			if (first) {
				struct sbuf sb = SBUF_INIT;

				msg_escape_str(&sb, it->image); /* one name per line, always */
				printf("%s\n", sb.buf);
				sbuf_release(&sb);
			}
			continue;
		}
		if (first) {
			img = json_pack("{s:s,s:[]}", "image", it->image, "uses");
			uses = json_object_get(img, "uses");
			json_array_append_new(root, img);
		}
		json_array_append_new(uses,
				      json_pack("{s:s,s:i,s:i,s:s,s:b}", "file", it->path, "line",
						it->line, "col", it->col, "where", it->where,
						"uninterpolated", it->uninterpolated));
	}
	if (root) {
		json_t *top = json_pack("{s:i,s:o}", "version", 1, "images", root);
		char *text = json_dumps(top, JSON_INDENT(2) | JSON_ENSURE_ASCII);

		if (text)
			printf("%s\n", text);
		free(text);
		json_decref(top);
	}
}

int cmd_images(int argc, char **argv)
{
	struct images_cmd c;
	struct walk_result wr = WALK_RESULT_INIT;
	struct imagerefs refs = IMAGEREFS_INIT;
	struct ignore ig = IGNORE_INIT;
	struct sbuf buf = SBUF_INIT;
	static const char *const dot[] = { "." };
	size_t i, errors = 0;
	int r;

	memset(&c, 0, sizeof(c));
	c.max_size = FSUTIL_DEFAULT_MAX_SIZE;
	r = parse_args(&c, argc, argv);
	if (r || cmd_ignore_setup(&ig, c.excludes, c.nexcludes, c.no_gitignore) < 0) {
		free(c.excludes);
		ignore_release(&ig);
		return r > 0 ? CF_EXIT_OK : CF_EXIT_USAGE;
	}
	if (optind < argc)
		walk_collect_ignoring(&wr, (const char *const *)argv + optind,
				      (size_t)(argc - optind), &ig);
	else
		walk_collect_ignoring(&wr, dot, 1, &ig);
	for (i = 0; i < wr.nproblems; i++) {
		msg_print(stderr, wr.problems[i].path, 0, 0,
			  wr.problems[i].error ? MSG_ERROR : MSG_WARNING, "%s", wr.problems[i].msg);
		errors += wr.problems[i].error;
	}
	for (i = 0; i < wr.nfiles; i++)
		if (!wr.files[i].chart_template && collect_file(&c, &wr.files[i], &buf, &refs) < 0)
			errors++;
	imagerefs_sort(&refs);
	render(&c, &refs);
	imagerefs_release(&refs);
	walk_result_release(&wr);
	ignore_release(&ig);
	sbuf_release(&buf);
	free(c.excludes);
	return errors ? CF_EXIT_INPUT : CF_EXIT_OK;
}
