/* dmsetup.c - the least of dmsetup, for guests without it: enough to set
 * up the device-mapper device that the agent's io-error fault (dm mode)
 * swaps tables of, in the VM integration tests.
 *
 *   agent-dmsetup create NAME 'START LENGTH TYPE PARAMS'   one target, live
 *   agent-dmsetup table NAME                               the live table
 *   agent-dmsetup remove NAME
 *
 * Exit 0 on success, 1 with a message on stderr otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/dm-ioctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define BUF 16384

static struct dm_ioctl *new_io(const char *name)
{
	struct dm_ioctl *io = calloc(1, BUF);

	if (!io) {
		perror("agent-dmsetup");
		exit(1);
	}
	io->version[0] = DM_VERSION_MAJOR;
	io->data_size = BUF;
	io->data_start = sizeof(*io);
	snprintf(io->name, sizeof(io->name), "%s", name);
	return io;
}

static void call(unsigned long cmd, struct dm_ioctl *io, const char *what)
{
	int fd = open("/dev/mapper/control", O_RDWR | O_CLOEXEC);

	if (fd < 0 || ioctl(fd, cmd, io) < 0) {
		fprintf(stderr, "agent-dmsetup: %s of '%s': %s\n", what, io->name,
			strerror(errno));
		exit(1);
	}
	close(fd);
}

static int create(const char *name, const char *line)
{
	struct dm_ioctl *io = new_io(name);
	struct dm_target_spec *spec = (struct dm_target_spec *)((char *)io + io->data_start);
	unsigned long long start, length;
	char type[DM_MAX_TYPE_NAME];
	int off = 0;

	if (sscanf(line, "%llu %llu %15s %n", &start, &length, type, &off) != 3 || !off ||
	    strlen(line + off) > 4000) {
		fprintf(stderr, "agent-dmsetup: bad table line '%s'\n", line);
		return 1;
	}
	call(DM_DEV_CREATE, io, "create");
	free(io);

	io = new_io(name);
	spec = (struct dm_target_spec *)((char *)io + io->data_start);
	spec->sector_start = start;
	spec->length = length;
	snprintf(spec->target_type, sizeof(spec->target_type), "%s", type);
	strcpy((char *)(spec + 1), line + off);
	io->target_count = 1;
	call(DM_TABLE_LOAD, io, "table load");
	free(io);

	io = new_io(name);	/* resume: the loaded table goes live */
	call(DM_DEV_SUSPEND, io, "resume");
	printf("%s %u:%u\n", name, (unsigned)(io->dev >> 8) & 0xfff,
	       (unsigned)((io->dev & 0xff) | ((io->dev >> 12) & ~0xffULL)));
	free(io);
	return 0;
}

static int table(const char *name)
{
	struct dm_ioctl *io = new_io(name);
	char *data = (char *)io + io->data_start;
	size_t off = 0;

	io->flags = DM_STATUS_TABLE_FLAG;
	call(DM_TABLE_STATUS, io, "table status");
	for (unsigned i = 0; i < io->target_count; i++) {
		struct dm_target_spec *spec = (struct dm_target_spec *)(data + off);

		printf("%llu %llu %.*s %s\n", (unsigned long long)spec->sector_start,
		       (unsigned long long)spec->length, DM_MAX_TYPE_NAME, spec->target_type,
		       (char *)(spec + 1));
		off = spec->next;
	}
	free(io);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "create"))
		return create(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "table"))
		return table(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "remove")) {
		call(DM_DEV_REMOVE, new_io(argv[2]), "remove");
		return 0;
	}
	fprintf(stderr, "usage: agent-dmsetup create NAME 'START LENGTH TYPE PARAMS' | "
		"table NAME | remove NAME\n");
	return 1;
}
