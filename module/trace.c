// SPDX-License-Identifier: GPL-2.0
/*
 * trace.c - the one instance of contig.ko's tracepoints (contig_trace.h).
 *
 * Every file that emits an event includes contig_trace.h; this file alone
 * defines them, so no concept owns another's events.
 */
#define CREATE_TRACE_POINTS
#include "contig_trace.h"
