/* image.h - guest images: build from a recipe (cached by content), load.
 *
 * An image is a directory <cache>/<recipe>-<hash>/ holding image.json
 * (the manifest) and the files it names. The build itself is done by
 * scripts/image-build; this module runs it and reads its manifest.
 */
#ifndef CAMPAIGN_IMAGE_H
#define CAMPAIGN_IMAGE_H

#include "err.h"

struct image {
	char *dir;		/* absolute path of the image directory */
	char *recipe;		/* recipe name, e.g. "tiny" */
	char *hash;		/* content hash of the recipe and its inputs (hex) */
	char *kernel;		/* absolute path of the kernel */
	char *initrd;		/* absolute path of the initramfs */
	char *disk;		/* absolute path of the base qcow2, or NULL when
				 * the image is initramfs-only */
	char *cmdline;		/* base kernel command line ("console=ttyS0 quiet ...") */
	char *ssh_user;		/* user the client key logs in as */
	char *client_key;	/* absolute path of the ed25519 private key */
	char *client_pubkey;	/* absolute path of its public key */
	char *host_key;		/* pinned host key, "ssh-ed25519 AAAA..." */
	char *agent_path;	/* where the agent is inside the guest */
	int memory_mib;		/* the recipe's recommended memory */
};

/* Default cache directory: $CAMPAIGN_STATE_DIR/images, where
 * CAMPAIGN_STATE_DIR defaults to /var/lib/campaign. New string. */
char *image_cache_dir(void);

/* Build the recipe in recipe_dir unless an image with the same content
 * hash is cached (force rebuilds). On success *ret_dir is a new string
 * naming the image directory. */
int image_build(const char *recipe_dir, const char *cache_dir, int force,
		char **ret_dir, struct err *e);

/* Read dir/image.json. On success *ret_image is new (image_free). */
int image_load(const char *dir, struct image **ret_image, struct err *e);

/* Takes NULL. */
void image_free(struct image *img);

#endif
