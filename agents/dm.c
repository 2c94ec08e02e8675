/* dm.c - device-mapper table swaps through the dm ioctl interface. */
#include "dm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/dm-ioctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define DM_BUF 65536
#define DM_CONTROL "/dev/mapper/control"

int dm_major(void)
{
	char buf[8192], *p;

	if (agent_read_file("/proc/devices", buf, sizeof(buf)) <= 0 ||
	    !(p = strstr(buf, "Block devices:")))
		return -1;
	while ((p = strchr(p, '\n'))) {
		int major;
		char name[64];

		p++;
		if (sscanf(p, "%d %63s", &major, name) == 2 && !strcmp(name, "device-mapper"))
			return major;
	}
	return -1;
}

/* A zeroed ioctl buffer naming the device by name or by dev. */
static struct dm_ioctl *dm_new(const char *name, dev_t dev)
{
	struct dm_ioctl *io = calloc(1, DM_BUF);

	if (!io)
		return NULL;
	io->version[0] = DM_VERSION_MAJOR;
	io->data_size = DM_BUF;
	io->data_start = sizeof(*io);
	if (name)
		snprintf(io->name, sizeof(io->name), "%s", name);
	else	/* the kernel's huge_encode_dev */
		io->dev = (__u64)((minor(dev) & 0xff) | (major(dev) << 8) |
				  ((__u64)(minor(dev) & ~0xffu) << 12));
	return io;
}

static int dm_call(unsigned long cmd, struct dm_ioctl *io, const char *what,
		   struct agent_err *e)
{
	int fd = open(DM_CONTROL, O_RDWR | O_CLOEXEC), rc;

	if (fd < 0)
		return agent_err_errno(e, errno, "cannot open '%s'", DM_CONTROL);
	rc = ioctl(fd, cmd, io);
	close(fd);
	if (rc < 0)
		return agent_err_errno(e, errno, "device-mapper %s of '%s' failed", what,
				       io->name[0] ? io->name : "?");
	return 0;
}

int dm_name_of(dev_t dev, char *ret_name, size_t size, struct agent_err *e)
{
	struct dm_ioctl *io = dm_new(NULL, dev);
	int rc;

	if (!io)
		return agent_err_set(e, "out of memory");
	rc = dm_call(DM_DEV_STATUS, io, "status", e);
	if (rc == 0)
		snprintf(ret_name, size, "%s", io->name);
	free(io);
	return rc;
}

int dm_table(const char *name, json_t **ret, struct agent_err *e)
{
	struct dm_ioctl *io = dm_new(name, 0);
	char *data;
	size_t off = 0;

	if (!io)
		return agent_err_set(e, "out of memory");
	io->flags = DM_STATUS_TABLE_FLAG;
	if (dm_call(DM_TABLE_STATUS, io, "table status", e) < 0) {
		free(io);
		return -1;
	}
	if (io->flags & DM_BUFFER_FULL_FLAG) {
		free(io);
		return agent_err_set(e, "table of '%s' is too large", name);
	}
	data = (char *)io + io->data_start;
	*ret = json_array();
	for (unsigned i = 0; i < io->target_count; i++) {
		struct dm_target_spec *spec = (struct dm_target_spec *)(data + off);
		char type[DM_MAX_TYPE_NAME + 1];

		snprintf(type, sizeof(type), "%.*s", DM_MAX_TYPE_NAME, spec->target_type);
		json_array_append_new(*ret, json_pack("{s:I, s:I, s:s, s:s}", "start",
				      (json_int_t)spec->sector_start, "length",
				      (json_int_t)spec->length, "type", type, "params",
				      (char *)(spec + 1)));
		off = spec->next;	/* from the start of the data, in results */
	}
	free(io);
	return 0;
}

/* Fill the load buffer with the table's specs; -1 if it does not fit. */
static int fill_specs(struct dm_ioctl *io, json_t *table)
{
	char *data = (char *)io + io->data_start, *end = (char *)io + DM_BUF;
	struct dm_target_spec *spec = NULL;
	json_t *t;
	size_t i;

	json_array_foreach(table, i, t) {
		const char *type = json_string_value(json_object_get(t, "type"));
		const char *params = json_string_value(json_object_get(t, "params"));
		size_t need;

		if (!type || !params || strlen(type) >= DM_MAX_TYPE_NAME ||
		    !json_is_integer(json_object_get(t, "start")) ||
		    !json_is_integer(json_object_get(t, "length")))
			return -1;
		need = (sizeof(*spec) + strlen(params) + 1 + 7) & ~7UL;
		if (data + need > end)
			return -1;
		spec = (struct dm_target_spec *)data;
		memset(spec, 0, need);
		spec->sector_start = json_integer_value(json_object_get(t, "start"));
		spec->length = json_integer_value(json_object_get(t, "length"));
		snprintf(spec->target_type, sizeof(spec->target_type), "%s", type);
		strcpy((char *)(spec + 1), params);
		spec->next = need;	/* from this spec, in a load */
		data += need;
	}
	io->target_count = json_array_size(table);
	return 0;
}

int dm_swap(const char *name, json_t *table, struct agent_err *e)
{
	struct dm_ioctl *io = dm_new(name, 0);
	int rc = -1;

	if (!io)
		return agent_err_set(e, "out of memory");
	if (fill_specs(io, table) < 0) {
		agent_err_set(e, "table for '%s' is malformed or too large", name);
		goto out;
	}
	if (dm_call(DM_TABLE_LOAD, io, "table load", e) < 0)
		goto out;
	free(io);
	io = dm_new(name, 0);
	io->flags = DM_SUSPEND_FLAG | DM_SKIP_LOCKFS_FLAG | DM_NOFLUSH_FLAG;
	if (dm_call(DM_DEV_SUSPEND, io, "suspend", e) < 0) {
		free(io);
		io = dm_new(name, 0);
		dm_call(DM_TABLE_CLEAR, io, "table clear", NULL);
		goto out;
	}
	free(io);
	io = dm_new(name, 0);
	io->flags = DM_NOFLUSH_FLAG;	/* resume: the loaded table goes live */
	rc = dm_call(DM_DEV_SUSPEND, io, "resume", e);
out:
	free(io);
	return rc;
}

json_t *dm_table_lines(json_t *table)
{
	json_t *lines = json_array(), *t;
	size_t i;

	json_array_foreach(table, i, t) {
		char line[1200];

		snprintf(line, sizeof(line), "%lld %lld %s %s",
			 json_integer_value(json_object_get(t, "start")),
			 json_integer_value(json_object_get(t, "length")),
			 json_string_value(json_object_get(t, "type")) ?: "",
			 json_string_value(json_object_get(t, "params")) ?: "");
		json_array_append_new(lines, json_string(line));
	}
	return lines;
}
