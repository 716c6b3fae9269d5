/* SPDX-License-Identifier: GPL-2.0 */
/*
 * migrate.h - making room for contiguous requests by moving movable memory
 * (migrate.c).
 */
#ifndef _CONTIG_MIGRATE_H
#define _CONTIG_MIGRATE_H

#include "contig_internal.h"

struct contig_alloc_report;
struct contig_movable;
struct seq_file;

/**
 * struct contig_migrate_stats - migration counters, for tests.
 * @movable_pages:	live movable pages.
 * @out_pages:		of which in system memory.
 * @migrated:		pages moved within the region.
 * @pushed_out:		pages moved to system memory.
 * @brought_back:	pages moved back into the region.
 * @bytes_copied:	bytes copied by all of the above.
 * @make_room:		contiguous requests that needed migration.
 * @make_room_ok:	of which served.
 * @fail_busy:		of which refused for pinned pages.
 * @fail_nomem:		of which refused for unmovable memory.
 */
struct contig_migrate_stats {
	u64 movable_pages;
	u64 out_pages;
	u64 migrated;
	u64 pushed_out;
	u64 brought_back;
	u64 bytes_copied;
	u64 make_room;
	u64 make_room_ok;
	u64 fail_busy;
	u64 fail_nomem;
};

void contig_migrate_init(void);
void contig_migrate_exit(void);
long contig_migrate_alloc(struct contig_region *r, unsigned long nr,
			  unsigned long align, enum contig_owner owner,
			  struct contig_alloc_report *rep, bool dry_run);
long contig_migrate_alloc_at(struct contig_region *r, unsigned long start,
			     unsigned long nr, enum contig_owner owner);
void contig_migrate_report_log(const struct contig_alloc_report *rep,
			       unsigned long nr, unsigned long align);
void contig_migrate_freed(unsigned long nr);
unsigned long contig_migrate_bring_back(void);
void *contig_migrate_map_out(struct contig_movable *mov);
void contig_migrate_get_stats(struct contig_migrate_stats *st);
int contig_migrate_show(struct seq_file *m, void *unused);

#endif /* _CONTIG_MIGRATE_H */
