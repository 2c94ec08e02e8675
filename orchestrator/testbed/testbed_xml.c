#include "testbed_xml.h"

#include "ctlchan.h"
#include "escape.h"

static void attr(struct buf *out, const char *fmt_before, const char *value,
		 const char *after)
{
	buf_adds(out, fmt_before);
	markup_escape(out, value);
	buf_adds(out, after);
}

static void qemu_arg(struct buf *out, const char *value)
{
	attr(out, "    <qemu:arg value='", value, "'/>\n");
}

/* The control NIC is QEMU user networking with one forward bound to
 * loopback: libvirt 9 offers port forwards only for passt, so the
 * netdev is passed through on the QEMU command line. PCI slots 0x10 and
 * up are far from those libvirt assigns. */
static void control_nic(struct buf *out, const struct domain_spec *s)
{
	buf_adds(out, "  <qemu:commandline>\n");
	qemu_arg(out, "-netdev");
	/* restrict=on: the guest reaches nothing beyond the forward */
	buf_addf(out, "    <qemu:arg value='user,id=ctl,net=10.0.2.0/24,restrict=on,"
		 "hostfwd=tcp:127.0.0.1:%d-:22", s->ssh_port);
	for (int k = 0; k < s->n_forwards; k++)
		buf_addf(out, ",hostfwd=tcp:127.0.0.1:%d-:%d", s->forward_host[k],
			 s->forward_guest[k]);
	buf_adds(out, "'/>\n");
	qemu_arg(out, "-device");
	attr(out, "    <qemu:arg value='virtio-net-pci,netdev=ctl,addr=0x10,romfile=,mac=",
	     s->ctl_mac, "'/>\n");
	if (s->vde_sock) {
		qemu_arg(out, "-netdev");
		attr(out, "    <qemu:arg value='vde,id=cl,sock=", s->vde_sock, "'/>\n");
		qemu_arg(out, "-device");
		attr(out, "    <qemu:arg value='virtio-net-pci,netdev=cl,addr=0x11,romfile=,mac=",
		     s->cl_mac, "'/>\n");
	}
	buf_adds(out, "  </qemu:commandline>\n");
}

void testbed_domain_xml(struct buf *out, const struct domain_spec *s)
{
	buf_addf(out, "<domain type='%s' "
		 "xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n",
		 s->kvm ? "kvm" : "qemu");
	attr(out, "  <name>", s->name, "</name>\n");
	buf_adds(out, "  <metadata>\n");
	attr(out, "    <campaign:testbed xmlns:campaign='" TESTBED_XML_NS
	     "' prefix='", s->prefix, "'");
	attr(out, " node='", s->node, "'/>\n");
	buf_adds(out, "  </metadata>\n");
	buf_addf(out, "  <memory unit='MiB'>%d</memory>\n", s->memory_mib);
	buf_addf(out, "  <vcpu>%d</vcpu>\n", s->vcpus);
	buf_adds(out, "  <os>\n    <type arch='x86_64' machine='pc'>hvm</type>\n");
	attr(out, "    <kernel>", s->kernel, "</kernel>\n");
	attr(out, "    <initrd>", s->initrd, "</initrd>\n");
	attr(out, "    <cmdline>", s->cmdline, "</cmdline>\n");
	buf_adds(out, "  </os>\n");
	if (s->kvm)
		buf_adds(out, "  <cpu mode='host-passthrough'/>\n");
	buf_adds(out, "  <features><acpi/></features>\n"
		 "  <clock offset='utc'/>\n"
		 "  <on_poweroff>destroy</on_poweroff>\n"
		 "  <on_reboot>restart</on_reboot>\n"
		 "  <on_crash>destroy</on_crash>\n"
		 "  <devices>\n"
		 "    <disk type='file' device='disk'>\n"
		 "      <driver name='qemu' type='qcow2' cache='unsafe'/>\n");
	attr(out, "      <source file='", s->disk, "'/>\n");
	buf_adds(out, "      <target dev='vda' bus='virtio'/>\n"
		 "    </disk>\n");
	if (s->libvirt_network) {
		attr(out, "    <interface type='network'>\n      <source network='",
		     s->libvirt_network, "'/>\n");
		attr(out, "      <mac address='", s->cl_mac, "'/>\n");
		buf_adds(out, "      <model type='virtio'/>\n    </interface>\n");
	}
	attr(out, "    <serial type='file'>\n      <source path='",
	     s->console_log, "'/>\n      <target port='0'/>\n    </serial>\n");
	if (s->ctl_sock) {
		/* the control channel (ctlchan.h): QEMU listens, we connect */
		attr(out, "    <channel type='unix'>\n      <source mode='bind' path='",
		     s->ctl_sock, "'/>\n      <target type='virtio' name='"
		     CTLCHAN_PORT_NAME "'/>\n    </channel>\n");
	}
	buf_adds(out, "    <controller type='usb' model='none'/>\n");
	buf_adds(out, "    <rng model='virtio'><backend model='random'>"
		 "/dev/urandom</backend></rng>\n"
		 "    <memballoon model='none'/>\n"
		 "    <video><model type='none'/></video>\n"
		 "  </devices>\n");
	control_nic(out, s);
	buf_adds(out, "</domain>\n");
}
