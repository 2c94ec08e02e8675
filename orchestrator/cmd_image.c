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

static int image_usage(void)
{
	log_error("usage: campaign image build RECIPE_DIR [--force] [--cache DIR]\n"
		  "       campaign image show IMAGE_DIR");
	return EXIT_USAGE;
}

static int image_build_cmd(int argc, char **argv)
{
	const char *recipe = NULL, *cache_opt = NULL;
	char *cache, *dir = NULL;
	struct image *img = NULL;
	struct err e;
	int force = 0, rc = EXIT_OK;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--force")) {
			force = 1;
		} else if (!strcmp(argv[i], "--cache")) {
			if (++i >= argc)
				return image_usage();
			cache_opt = argv[i];
		} else if (argv[i][0] == '-' || recipe) {
			log_error("image build: unexpected argument '%s'", argv[i]);
			return image_usage();
		} else {
			recipe = argv[i];
		}
	}
	if (!recipe)
		return image_usage();
	cache = cache_opt ? xstrdup(cache_opt) : image_cache_dir();
	if (image_build(recipe, cache, force, &dir, &e) < 0 ||
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

	if (argc != 1)
		return image_usage();
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

int cmd_image(int argc, char **argv)
{
	if (argc < 2)
		return image_usage();
	if (!strcmp(argv[1], "build"))
		return image_build_cmd(argc - 2, argv + 2);
	if (!strcmp(argv[1], "show"))
		return image_show_cmd(argc - 2, argv + 2);
	log_error("image: unknown subcommand '%s'", argv[1]);
	return image_usage();
}
