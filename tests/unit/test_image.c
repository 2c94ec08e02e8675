/* test_image.c - manifest loading and its errors, the cache directory,
 * and image_build against a fake build script. No VM, no real build. */
#include "buf.h"
#include "err.h"
#include "image.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[] = "/tmp/test_image.XXXXXX";

static void write_file(const char *name, const char *data, int mode)
{
	char *path = xasprintf("%s/%s", tmp, name);
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(1);
	}
	fputs(data, f);
	fclose(f);
	chmod(path, (mode_t)mode);
	free(path);
}

#define HASH "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define HOST_KEY "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEkFGaeZaYSiHdZpG3Kd40/GDculRkTTNny84akrOxOM"

/* A manifest with one member replaced (key "", or value NULL: removed). */
static void write_manifest(const char *dir, const char *key, const char *value)
{
	static const char *const keys[][2] = {
		{ "recipe", "\"tiny\"" },
		{ "hash", "\"" HASH "\"" },
		{ "kernel", "\"vmlinuz\"" },
		{ "initrd", "\"initrd.img\"" },
		{ "disk", "null" },
		{ "cmdline", "\"console=ttyS0 quiet\"" },
		{ "ssh_user", "\"root\"" },
		{ "client_key", "\"id_ed25519\"" },
		{ "client_pubkey", "\"id_ed25519.pub\"" },
		{ "host_key", "\"" HOST_KEY "\"" },
		{ "agent_path", "\"/usr/bin/campaign-agent\"" },
		{ "memory_mib", "128" },
		{ "packages", "{\"busybox-static\": \"1:1.35.0-4\"}" },
	};
	struct buf b = BUF_INIT;
	const char *sep = "";
	char *name = xasprintf("%s/image.json", dir);

	buf_adds(&b, "{");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = keys[i][1];

		if (!strcmp(keys[i][0], key)) {
			if (!value)
				continue;
			v = value;
		}
		buf_addf(&b, "%s\n  \"%s\": %s", sep, keys[i][0], v);
		sep = ",";
	}
	buf_adds(&b, "\n}\n");
	write_file(name + strlen(tmp) + 1, b.data, 0644);
	buf_release(&b);
	free(name);
}

/* Load tmp/img after writing a manifest with key set to value; return
 * the error message ("" on success). */
static const char *load_with(const char *key, const char *value)
{
	static struct err e;
	struct image *img = NULL;
	char *dir = xasprintf("%s/img", tmp);

	write_manifest(dir, key, value);
	e.msg[0] = '\0';
	if (image_load(dir, &img, &e) == 0)
		e.msg[0] = '\0';
	image_free(img);
	free(dir);
	return e.msg;
}

static void test_cache_dir(void)
{
	char *d;

	setenv("CAMPAIGN_STATE_DIR", "/srv/state", 1);
	d = image_cache_dir();
	is_str(d, "/srv/state/images", "cache dir follows CAMPAIGN_STATE_DIR");
	free(d);
	unsetenv("CAMPAIGN_STATE_DIR");
	d = image_cache_dir();
	is_str(d, "/var/lib/campaign/images", "cache dir default");
	free(d);
}

static void test_load_ok(void)
{
	char *dir = xasprintf("%s/img", tmp), *want;
	struct image *img = NULL;
	struct err e;

	write_manifest(dir, "", NULL);
	is_int(image_load(dir, &img, &e), 0, "a complete manifest loads");
	if (!img) {
		ok(0, "no image: %s", e.msg);
		free(dir);
		return;
	}
	is_str(img->dir, dir, "dir is absolute");
	is_str(img->recipe, "tiny", "recipe");
	is_str(img->hash, HASH, "hash");
	want = xasprintf("%s/vmlinuz", dir);
	is_str(img->kernel, want, "kernel resolved against the image dir");
	free(want);
	want = xasprintf("%s/id_ed25519", dir);
	is_str(img->client_key, want, "client key resolved");
	free(want);
	ok(img->disk == NULL, "disk null means initramfs only");
	is_str(img->cmdline, "console=ttyS0 quiet", "cmdline");
	is_str(img->ssh_user, "root", "ssh user");
	is_str(img->host_key, HOST_KEY, "host key");
	is_str(img->agent_path, "/usr/bin/campaign-agent", "agent path");
	is_int(img->memory_mib, 128, "memory");
	image_free(img);
	image_free(NULL);

	/* Through a relative path with a trailing slash. */
	if (chdir(tmp) < 0)
		ok(0, "chdir");
	is_int(image_load("img/", &img, &e), 0, "relative dir loads");
	if (img)
		is_str(img->dir, dir, "relative dir made absolute");
	image_free(img);
	img = NULL;

	write_manifest(dir, "disk", "\"disk.qcow2\"");
	is_int(image_load(dir, &img, &e), 0, "manifest with a disk loads");
	want = xasprintf("%s/disk.qcow2", dir);
	if (img)
		is_str(img->disk, want, "disk resolved");
	free(want);
	image_free(img);
	free(dir);
}

static void test_load_errors(void)
{
	struct image *img = (struct image *)0x1;
	struct err e;
	char *path;

	ok(strstr(load_with("host_key", NULL), "missing \"host_key\""),
	   "missing key is named: %s", load_with("host_key", NULL));
	ok(strstr(load_with("memory_mib", "\"128\""), "\"memory_mib\" must be an integer"),
	   "memory as a string: %s", load_with("memory_mib", "\"128\""));
	ok(strstr(load_with("memory_mib", "0"), "\"memory_mib\""), "zero memory");
	ok(strstr(load_with("recipe", "7"), "\"recipe\" must be a non-empty string"),
	   "recipe as a number");
	ok(strstr(load_with("cmdline", "\"\""), "\"cmdline\" must be a non-empty string"),
	   "empty cmdline");
	ok(strstr(load_with("kernel", "\"bzImage\""), "\"kernel\" names '") &&
	   strstr(load_with("kernel", "\"bzImage\""), "/img/bzImage': No such file"),
	   "missing kernel file: %s", load_with("kernel", "\"bzImage\""));
	ok(strstr(load_with("disk", "\"nope.qcow2\""), "\"disk\" names"), "missing disk file");
	ok(strstr(load_with("disk", "false"), "\"disk\" must be a file name or null"),
	   "disk false");
	ok(strstr(load_with("disk", NULL), "missing \"disk\""), "disk is required");
	ok(strstr(load_with("host_key", "\"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ\""),
		  "\"host_key\" is not"), "rsa host key refused");
	ok(strstr(load_with("host_key", "\"ssh-ed25519 AAAA;rm -rf /\""), "\"host_key\" is not"),
	   "junk host key refused");
	/* base64, but not an Ed25519 key: another type's blob, a truncated key */
	ok(strstr(load_with("host_key", "\"ssh-ed25519 AAAAB3NzaC1yc2EAAQIDBAUGBwgJCgsMDQ4PEB"
			    "ESExQVFhcYGRobHB0eHyAhIiMkJSYn\""), "\"host_key\" is not"),
	   "an RSA blob under the ed25519 name refused");
	ok(strstr(load_with("host_key", "\"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEkFGaeZaYSiHdZpG3Kd40"
			    "/GDculRkTTNny84akrOx\""), "\"host_key\" is not"),
	   "a truncated key refused");
	ok(strstr(load_with("hash", "\"abc\""), "\"hash\" is not 64 hex digits"), "short hash");
	ok(strstr(load_with("agent_path", "\"campaign-agent\""), "must be absolute"),
	   "relative agent path");
	ok(load_with("packages", NULL)[0] == '\0', "informational keys are optional");

	write_file("img/image.json", "{\"recipe\": \"tiny\",\n  oops }\n", 0644);
	path = xasprintf("%s/img", tmp);
	is_int(image_load(path, &img, &e), -1, "bad JSON fails");
	ok(strstr(e.msg, "image.json': line 2:"), "bad JSON names the line: %s", e.msg);
	write_file("img/image.json", "[1, 2]\n", 0644);
	image_load(path, &img, &e);
	ok(strstr(e.msg, "not a JSON object"), "array manifest: %s", e.msg);
	write_file("img/image.json", "{\"recipe\": \"a\", \"recipe\": \"b\"}\n", 0644);
	image_load(path, &img, &e);
	ok(strstr(e.msg, "line 1"), "duplicate keys refused: %s", e.msg);
	free(path);

	path = xasprintf("%s/nothing", tmp);
	is_int(image_load(path, &img, &e), -1, "missing dir fails");
	ok(strstr(e.msg, "cannot open image '") && strstr(e.msg, "No such file"),
	   "missing dir: %s", e.msg);
	free(path);
	path = xasprintf("%s/recipe", tmp);
	image_load(path, &img, &e);
	ok(strstr(e.msg, "cannot read image manifest '") && strstr(e.msg, "No such file"),
	   "dir without manifest: %s", e.msg);
	free(path);
	ok(img == (struct image *)0x1, "ret_image untouched on failure");
}

static void test_build(void)
{
	char *recipe = xasprintf("%s/recipe", tmp), *img_dir = xasprintf("%s/img", tmp);
	char *script, *agent, *dir = NULL, *args, *want;
	struct err e;
	FILE *f;
	char line[1024] = "";

	write_manifest(img_dir, "", NULL);
	/* The fake script records its arguments and prints progress on
	 * stderr, some noise and then the image dir on stdout. */
	script = xasprintf("#!/bin/sh\n"
			   "echo \"$@\" >'%s/args'\n"
			   "echo progress >&2\n"
			   "[ -n \"$FAKE_FAIL\" ] && exit \"$FAKE_FAIL\"\n"
			   "[ -n \"$FAKE_SILENT\" ] && exit 0\n"
			   "echo noise; echo '%s'; echo\n", tmp, img_dir);
	write_file("build", script, 0755);
	free(script);
	write_file("agent", "#!/bin/sh\n", 0755);
	script = xasprintf("%s/build", tmp);
	agent = xasprintf("%s/agent", tmp);
	setenv("CAMPAIGN_IMAGE_BUILD", script, 1);
	setenv("CAMPAIGN_AGENT", agent, 1);

	is_int(image_build(recipe, "/cache", 1, &dir, &e), -1, "no recipe.json fails");
	ok(strstr(e.msg, "no image recipe in '") != NULL, "no recipe: %s", e.msg);

	write_file("recipe/recipe.json", "{\"rootfs\": \"busybox\"}\n", 0644);
	is_int(image_build(recipe, "/cache", 1, &dir, &e), 0, "fake build succeeds");
	is_str(dir, img_dir, "last stdout line is the image dir");
	free(dir);
	dir = NULL;
	args = xasprintf("%s/args", tmp);
	f = fopen(args, "r");
	if (f && fgets(line, sizeof(line), f))
		line[strcspn(line, "\n")] = '\0';
	if (f)
		fclose(f);
	want = xasprintf("--recipe %s --cache /cache --agent %s --force", recipe, agent);
	is_str(line, want, "script arguments");
	free(want);
	free(args);

	setenv("FAKE_FAIL", "3", 1);
	is_int(image_build(recipe, "/cache", 0, &dir, &e), -1, "failing script fails");
	ok(strstr(e.msg, "cannot build image '") && strstr(e.msg, "exit 3"),
	   "failure names the exit status: %s", e.msg);
	unsetenv("FAKE_FAIL");
	setenv("FAKE_SILENT", "1", 1);
	is_int(image_build(recipe, "/cache", 0, &dir, &e), -1, "silent script fails");
	ok(strstr(e.msg, "printed no image directory") != NULL, "silent: %s", e.msg);
	unsetenv("FAKE_SILENT");
	ok(dir == NULL, "ret_dir untouched on failure");

	setenv("CAMPAIGN_AGENT", "/nonexistent/agent", 1);
	is_int(image_build(recipe, "/cache", 0, &dir, &e), -1, "missing agent fails");
	ok(strstr(e.msg, "cannot use the agent '/nonexistent/agent'") != NULL,
	   "missing agent: %s", e.msg);
	setenv("CAMPAIGN_AGENT", agent, 1);
	setenv("CAMPAIGN_IMAGE_BUILD", "/nonexistent/image-build", 1);
	is_int(image_build(recipe, "/cache", 0, &dir, &e), -1, "missing script fails");
	ok(strstr(e.msg, "cannot run it") != NULL, "missing script: %s", e.msg);

	unsetenv("CAMPAIGN_IMAGE_BUILD");
	unsetenv("CAMPAIGN_AGENT");
	free(script);
	free(agent);
	free(recipe);
	free(img_dir);
}

int main(void)
{
	char *cmd;

	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	cmd = xasprintf("%s/img", tmp);
	mkdir(cmd, 0755);
	free(cmd);
	cmd = xasprintf("%s/recipe", tmp);
	mkdir(cmd, 0755);
	free(cmd);
	write_file("img/vmlinuz", "kernel", 0644);
	write_file("img/initrd.img", "initrd", 0644);
	write_file("img/disk.qcow2", "disk", 0644);
	write_file("img/id_ed25519", "private", 0600);
	write_file("img/id_ed25519.pub", "public", 0644);

	test_cache_dir();
	test_load_ok();
	test_load_errors();
	test_build();

	cmd = xasprintf("rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmp);
	free(cmd);
	return tap_done();
}
