/* cmd_image.c - `campaign image build RECIPE_DIR [--force] [--cache DIR]`
 * and `campaign image show IMAGE_DIR`.
 *
 * build prints the image directory (and nothing else) on stdout; the
 * build script's progress goes to stderr.
 */
#include "commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "image.h"
#include "log.h"

struct image_build_args {
	int force;
	const char *cache;
};

static const struct option_spec build_options[] = {
	OPT_FLAG(0, "force", struct image_build_args, force,
		 "build again even when the cache has this recipe's image"),
	OPT_STRING(0, "cache", struct image_build_args, cache, "DIR",
		   "the image cache (default: $CAMPAIGN_STATE_DIR/images, "
		   "/var/lib/campaign/images)"),
	OPT_END(),
};

static const struct options_cmd build_cmd = {
	"image build", "image build RECIPE_DIR [options]",
	build_options, 1, 1,
};

static const struct option_spec show_options[] = {
	OPT_END(),
};

static const struct options_cmd show_cmd = {
	"image show", "image show IMAGE_DIR", show_options, 1, 1,
};

static const struct options_cmd *const image_forms[] = { &build_cmd, &show_cmd, NULL };

/* Before the subcommand: only --help, which shows both. */
static const struct options_cmd image_cmd = {
	"image", "image build RECIPE_DIR [options]\nimage show IMAGE_DIR",
	show_options, 0, -1, 1, NULL, image_forms,
};

static int image_build_cmd(int argc, char **argv)
{
	struct image_build_args a = { 0 };
	char *cache, *dir = NULL;
	struct image *img = NULL;
	struct err e;
	int rc;

	if (command_options(&build_cmd, &argc, argv, &a, &rc) < 0)
		return rc;
	rc = EXIT_OK;
	cache = a.cache ? xstrdup(a.cache) : image_cache_dir();
	if (image_build(argv[0], cache, a.force, &dir, &e) < 0 ||
	    image_load(dir, &img, &e) < 0) {
		log_error("%s", e.msg);
		rc = EXIT_INFRA;
	} else {
		printf("%s\n", dir);
	}
	image_free(img);
	free(dir);
	free(cache);
	return rc;
}

static int image_show_cmd(int argc, char **argv)
{
	struct image *img;
	struct err e;
	int status;

	if (command_options(&show_cmd, &argc, argv, NULL, &status) < 0)
		return status;
	if (image_load(argv[0], &img, &e) < 0) {
		log_error("%s", e.msg);
		return EXIT_USAGE;
	}
	printf("dir        %s\nrecipe     %s\nhash       %s\nkernel     %s\n"
	       "initrd     %s\ndisk       %s\ncmdline    %s\nssh        %s@ key %s\n"
	       "host key   %s\nagent      %s\nmemory     %d MiB\n",
	       img->dir, img->recipe, img->hash, img->kernel, img->initrd,
	       img->disk ? img->disk : "(none: initramfs only)", img->cmdline,
	       img->ssh_user, img->client_key, img->host_key, img->agent_path,
	       img->memory_mib);
	image_free(img);
	return EXIT_OK;
}

static int cmd_image(int argc, char **argv)
{
	int status;

	if (argc >= 2 && !strcmp(argv[1], "build"))
		return image_build_cmd(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "show"))
		return image_show_cmd(argc - 1, argv + 1);
	if (command_options(&image_cmd, &argc, argv, NULL, &status) < 0)
		return status;
	if (!argc)
		return command_usage_error(&image_cmd, "needs 'build' or 'show'");
	return command_usage_error(&image_cmd, "unknown subcommand '%s'", argv[0]);
}

const struct command command_image = {
	"image", cmd_image, "build a guest image from a recipe (cached by "
	"content), or show one", image_forms,
};
