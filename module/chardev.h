/* SPDX-License-Identifier: GPL-2.0 */
/*
 * chardev.h - /dev/contig (chardev.c).
 */
#ifndef _CONTIG_CHARDEV_H
#define _CONTIG_CHARDEV_H

int contig_chardev_init(void);
void contig_chardev_exit(void);

#endif /* _CONTIG_CHARDEV_H */
