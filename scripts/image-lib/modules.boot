# Loaded by rc at every boot (both images), in this order.
virtio_pci
virtio_net
virtio_rng
virtio_console
