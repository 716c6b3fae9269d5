// SPDX-License-Identifier: GPL-2.0
/*
 * test_hook.c - contig_test_hook.ko: the selftests' window into a buffer's
 * kernel mapping.  TEST ONLY, not ABI: built with CONTIG_TEST_MODULES=1
 * (make check) and never by DKMS, so the contig.ko users install has no
 * test hook.
 *
 * /sys/kernel/debug/contig_test_hook/buffer_test (root only) lets a
 * selftest reach a buffer exactly as an importing driver would: through
 * the dma-buf API alone (dma_buf_begin_cpu_access(), dma_buf_vmap(), the
 * exporter's vmap op, dma_buf_end_cpu_access()), with no internal symbol
 * of contig.ko.  Write one command; a following read returns its result:
 *
 *   peek FD OFFSET LENGTH   read returns the LENGTH bytes (at most 1 MiB)
 *   fill FD OFFSET LENGTH BYTE
 *                           stores BYTE into the range; read returns "ok"
 *
 * FD is a dma-buf fd of the writing process, exported by contig.  Errors
 * are returned by the write: -EBADF, -EINVAL (not contig's dma-buf, a bad
 * command), -ERANGE (a range outside the buffer), or what the dma-buf
 * calls return.  Each open file keeps its last result under a mutex of
 * its own, so two writers on one file descriptor never free each other's
 * result.
 *
 * /sys/kernel/debug/contig_test_hook/import (root only, write only) is a
 * device importing a buffer: write a dma-buf fd of contig's, and the
 * platform device "contig_test_importer" (no driver, no IOMMU, a 64-bit
 * DMA mask) does dma_buf_attach(), dma_buf_map_attachment_unlocked(),
 * then unmaps and detaches.  The write returns the first error, or the
 * byte count when all succeeded (tools/selftests/failnth_test.c injects
 * faults into it).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/fs.h>
#include <linux/iosys-map.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

MODULE_IMPORT_NS(CONTIG_NS(DMA_BUF));

#define CONTIG_TEST_MAX	SZ_1M

/**
 * struct contig_test_file - one open buffer_test file.
 * @lock:	protects @len and @data.
 * @len:	bytes of the last result.
 * @data:	the last result (kvmalloc'ed), or NULL.
 */
struct contig_test_file {
	struct mutex lock;	/* see @lock above */
	size_t len;
	u8 *data;
};

static struct dentry *contig_test_dir;
static struct platform_device *contig_test_importer;

/* Run one command on a contig dma-buf; on success *@out is the result. */
static int __contig_test_cmd(const char *cmd, u8 **out, size_t *outlen)
{
	unsigned int fd, byte = 0;
	struct iosys_map map;
	struct dma_buf *dmabuf;
	u64 off, len, end;
	char op[8];
	u8 *res;
	int n, ret;

	n = sscanf(cmd, "%7s %u %llu %llu %u", op, &fd, &off, &len, &byte);
	if (!(n == 4 && !strcmp(op, "peek")) &&
	    !(n == 5 && !strcmp(op, "fill") && byte <= 0xff))
		return -EINVAL;
	if (len > CONTIG_TEST_MAX)
		return -EINVAL;
	dmabuf = dma_buf_get(fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	ret = -EINVAL;
	if (!dmabuf->exp_name || strcmp(dmabuf->exp_name, "contig"))
		goto put;
	ret = -ERANGE;
	if (check_add_overflow(off, len, &end) || end > dmabuf->size)
		goto put;
	res = kvzalloc(max_t(u64, len, 2), GFP_KERNEL);
	ret = -ENOMEM;
	if (!res)
		goto put;
	ret = dma_buf_begin_cpu_access(dmabuf, DMA_BIDIRECTIONAL);
	if (ret)
		goto free;
	ret = dma_buf_vmap_unlocked(dmabuf, &map);
	if (ret)
		goto end_access;
	if (op[0] == 'p') {
		memcpy(res, map.vaddr + off, len);
		*outlen = len;
	} else {
		memset(map.vaddr + off, byte, len);
		memcpy(res, "ok", 2);
		*outlen = min_t(u64, len, 2);
	}
	dma_buf_vunmap_unlocked(dmabuf, &map);
	ret = dma_buf_end_cpu_access(dmabuf, DMA_BIDIRECTIONAL);
	if (!ret) {
		*out = res;
		res = NULL;
	}
	goto free;
end_access:
	dma_buf_end_cpu_access(dmabuf, DMA_BIDIRECTIONAL);
free:
	kvfree(res);
put:
	dma_buf_put(dmabuf);
	return ret;
}

static int buffer_test_open(struct inode *inode, struct file *file)
{
	struct contig_test_file *tf = kzalloc(sizeof(*tf), GFP_KERNEL);

	if (!tf)
		return -ENOMEM;
	mutex_init(&tf->lock);
	file->private_data = tf;
	return 0;	/* pread() at 0 rereads the result */
}

static ssize_t buffer_test_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	struct contig_test_file *tf = file->private_data;
	u8 *res = NULL;
	size_t len = 0;
	char cmd[96];
	int ret;

	if (count >= sizeof(cmd))
		return -EINVAL;
	if (copy_from_user(cmd, ubuf, count))
		return -EFAULT;
	cmd[count] = '\0';
	ret = __contig_test_cmd(cmd, &res, &len);
	if (ret)
		return ret;
	mutex_lock(&tf->lock);
	swap(tf->data, res);
	tf->len = len;
	mutex_unlock(&tf->lock);
	kvfree(res);
	return count;
}

static ssize_t buffer_test_read(struct file *file, char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct contig_test_file *tf = file->private_data;
	ssize_t ret = 0;

	mutex_lock(&tf->lock);
	if (tf->data)
		ret = simple_read_from_buffer(ubuf, count, ppos, tf->data,
					      tf->len);
	mutex_unlock(&tf->lock);
	return ret;
}

static int buffer_test_release(struct inode *inode, struct file *file)
{
	struct contig_test_file *tf = file->private_data;

	kvfree(tf->data);
	mutex_destroy(&tf->lock);
	kfree(tf);
	return 0;
}

static const struct file_operations buffer_test_fops = {
	.owner = THIS_MODULE,
	.open = buffer_test_open,
	.write = buffer_test_write,
	.read = buffer_test_read,
	.release = buffer_test_release,
};

/* Attach the importer to a contig dma-buf, map, unmap, detach. */
static int __contig_test_import(unsigned int fd)
{
	struct device *dev = &contig_test_importer->dev;
	struct dma_buf_attachment *att;
	struct dma_buf *dmabuf;
	struct sg_table *sgt;
	int ret;

	dmabuf = dma_buf_get(fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	ret = -EINVAL;
	if (!dmabuf->exp_name || strcmp(dmabuf->exp_name, "contig"))
		goto put;
	att = dma_buf_attach(dmabuf, dev);
	if (IS_ERR(att)) {
		ret = PTR_ERR(att);
		goto put;
	}
	sgt = dma_buf_map_attachment_unlocked(att, DMA_BIDIRECTIONAL);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		goto detach;
	}
	dma_buf_unmap_attachment_unlocked(att, sgt, DMA_BIDIRECTIONAL);
	ret = 0;
detach:
	dma_buf_detach(dmabuf, att);
put:
	dma_buf_put(dmabuf);
	return ret;
}

static ssize_t import_write(struct file *file, const char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	unsigned int fd;
	int ret;

	ret = kstrtouint_from_user(ubuf, count, 0, &fd);
	if (ret)
		return ret;
	ret = __contig_test_import(fd);
	return ret ? ret : count;
}

static const struct file_operations import_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
	.write = import_write,
};

static int __init contig_test_hook_init(void)
{
	const struct platform_device_info info = {
		.name = "contig_test_importer",
		.id = PLATFORM_DEVID_NONE,
		.dma_mask = DMA_BIT_MASK(64),
	};

	contig_test_importer = platform_device_register_full(&info);
	if (IS_ERR(contig_test_importer)) {
		pr_err("cannot register the importer device (%ld)\n",
		       PTR_ERR(contig_test_importer));
		return PTR_ERR(contig_test_importer);
	}
	contig_test_dir = debugfs_create_dir("contig_test_hook", NULL);
	if (IS_ERR(contig_test_dir)) {
		pr_err("cannot create its debugfs directory (%ld)\n",
		       PTR_ERR(contig_test_dir));
		platform_device_unregister(contig_test_importer);
		return PTR_ERR(contig_test_dir);
	}
	debugfs_create_file("buffer_test", 0600, contig_test_dir, NULL,
			    &buffer_test_fops);
	debugfs_create_file("import", 0200, contig_test_dir, NULL,
			    &import_fops);
	return 0;
}

static void __exit contig_test_hook_exit(void)
{
	debugfs_remove_recursive(contig_test_dir);
	platform_device_unregister(contig_test_importer);
}

module_init(contig_test_hook_init);
module_exit(contig_test_hook_exit);

MODULE_DESCRIPTION("contig: test hook for the selftests (never installed)");
MODULE_AUTHOR("contig developers");
MODULE_LICENSE("GPL");
