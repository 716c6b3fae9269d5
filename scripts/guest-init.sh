#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of contig's test initramfs.  Kernel messages go to the console
# (ttyS0, ttyAMA0 on arm64); test results go as KTAP to QEMU's debug
# console at port 0xe9 (scripts/ktap-port.c says why not a second serial
# port), or on arm64 to a virtio console (/dev/hvc0), so the two never
# interleave.  Every writer writes to the FIFO $R; one ktap-port process
# reads it for the whole run.  Without the debug console (or ioperm()) the
# results go to ttyS1 as before.  The plan comes from /etc/contig/plan, one
# step a line:
#   region SIZE@BASE     the region= to load contig.ko with
#   selftest NAME ARGS   run /tests/NAME (module NOT loaded yet)
#   load [PARAMS]        insmod contig.ko region=... PARAMS (e.g. lend=1),
#                        then the selftests' hook module when the
#                        initramfs has one
#   kunit MODULE         insmod a KUnit module, report its suites, rmmod it
#   selftest ...         (after load: run with the module loaded)
#   bench MODULE ARGS    insmod a benchmark module; its "contig-bench:"
#                        log lines go to the results port
#   benchprog NAME ARGS  run a user-space benchmark the same way
#   sample MODULE        (contig loaded) insmod /lib/MODULE.ko, the sample
#                        driver (samples/edu/), built outside our tree
#                        against contig as installed; check that it bound
#                        the edu device, that its buffers came from the
#                        region and both DMA checks passed; rmmod it and
#                        check the region got every frame back
#   example NAME ARGS    run the example program /tests/NAME (samples/,
#                        built against libcontig as installed): one
#                        result, ok when it exits 0, its output as
#                        diagnostics
#   unload               rmmod the hook module, then contig
#   demo                 show /proc/iomem and debugfs on the console
#   lenddemo             (contig loaded with lend=1) contigctl lend, page
#                        cache filling the lent block, a 64 MiB request
#                        taking it back, the map, on the console
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmp /tmp
mkdir -p /dev/shm && mount -t tmpfs shm /dev/shm

R=/dev/ttyS1
[ -c $R ] || R=/dev/console
if [ -c /dev/hvc0 ]; then
	# arm64 (no debug port): a virtio console, held open to the end so
	# that no line waits on a close.
	R=/dev/hvc0
	exec 3> $R
elif ktap-port --probe; then
	R=/tmp/ktap.fifo
	mkfifo $R
	ktap-port < $R &
	port_pid=$!
	# Held open to the end: the reader sees end of file only then.
	exec 3> $R
else
	echo "contig-test: no debug console at port 0xe9; results go to $R" > /dev/kmsg
fi
say() { echo "$*" > $R; }
kmsg() { echo "contig-test: $*" > /dev/kmsg; }

KL=/sys/kernel/debug/kmemleak
[ -e $KL ] && echo clear > $KL

say "# contig-run: begin $(uname -r)"
region=
while read -r verb arg rest; do
	case $verb in
	''|'#'*) ;;
	region) region=$arg ;;
	load)
		kmsg "insmod contig.ko region=$region $arg $rest"
		say "KTAP version 1"
		say "1..1"
		# shellcheck disable=SC2086 # PARAMS are words
		if insmod /lib/contig.ko region=$region $arg $rest > /tmp/out 2>&1 &&
		   { [ ! -e /lib/contig_test_hook.ko ] ||
		     insmod /lib/contig_test_hook.ko >> /tmp/out 2>&1; }; then
			say "ok 1 load_contig_ko"
		else
			say "# $(cat /tmp/out)"
			say "not ok 1 load_contig_ko"
		fi ;;
	unload)
		say "KTAP version 1"
		say "1..1"
		if { ! grep -q '^contig_test_hook ' /proc/modules ||
		     rmmod contig_test_hook > /tmp/out 2>&1; } &&
		   rmmod contig >> /tmp/out 2>&1; then
			say "ok 1 unload_contig_ko"
		else
			say "# $(cat /tmp/out)"
			say "not ok 1 unload_contig_ko"
		fi ;;
	kunit)
		kmsg "kunit $arg"
		before=$(ls /sys/kernel/debug/kunit 2>/dev/null)
		if ! insmod /tests/$arg > /tmp/out 2>&1; then
			say "KTAP version 1"
			say "1..1"
			say "# $(cat /tmp/out)"
			say "not ok 1 insmod_$arg"
			continue
		fi
		found=0
		for s in $(ls /sys/kernel/debug/kunit); do
			case " $(echo $before) " in *" $s "*) continue ;; esac
			cat /sys/kernel/debug/kunit/$s/results > $R
			found=1
		done
		if [ $found = 0 ]; then
			say "KTAP version 1"
			say "1..1"
			say "not ok 1 ${arg}_registered_no_suite"
		fi
		rmmod ${arg%.ko} ;;
	bench)
		kmsg "bench $arg"
		dmesg -c > /dev/null
		if insmod /tests/$arg $rest > /tmp/out 2>&1; then
			rmmod ${arg%.ko}
		else
			say "# bench $arg failed: $(cat /tmp/out)"
		fi
		dmesg | grep 'contig-bench:' | sed 's/.*contig-bench: /contig-bench: /' > $R ;;
	sample)
		kmsg "sample $arg"
		frag=/sys/kernel/debug/contig/fragmentation
		free_frames() { sed -n 's/^free: *\([0-9]*\) frames.*/\1/p' $frag; }
		drv=/sys/bus/pci/drivers/$arg
		say "KTAP version 1"
		say "1..6"
		edu=
		for d in /sys/bus/pci/devices/*; do
			[ "$(cat $d/vendor)" = 0x1234 ] && [ "$(cat $d/device)" = 0x11e8 ] &&
				edu=${d##*/}
		done
		if [ -n "$edu" ] && [ ! -e /sys/bus/pci/devices/$edu/driver ]; then
			say "ok 1 ${arg}_edu_present_and_free # $edu"
		else
			say "# edu device: '${edu:-none}', driver: $(readlink /sys/bus/pci/devices/$edu/driver 2>/dev/null)"
			say "not ok 1 ${arg}_edu_present_and_free"
		fi
		before=$(free_frames)
		dmesg -c > /dev/null
		if insmod /lib/$arg.ko > /tmp/out 2>&1 && [ -n "$edu" ] && [ -e $drv/$edu ]; then
			say "ok 2 ${arg}_binds_edu"
		else
			say "# $(cat /tmp/out) $(dmesg | grep "$arg" | tail -n 5)"
			say "not ok 2 ${arg}_binds_edu"
		fi
		bound=$(free_frames)
		# 1 MiB + 4 MiB of 4 KiB frames, or more (alignment).
		if [ -n "$before" ] && [ -n "$bound" ] && [ $((before - bound)) -ge 1280 ]; then
			say "ok 3 ${arg}_buffers_from_the_region # $((before - bound)) frames"
		else
			say "# free frames: '$before' before, '$bound' bound"
			say "not ok 3 ${arg}_buffers_from_the_region"
		fi
		n=4
		for kind in contiguous sg; do
			if dmesg | grep -q "$arg $edu: $kind buffer, .*: DMA checked"; then
				say "ok $n ${arg}_${kind}_dma_checked"
			else
				dmesg | grep "$arg" | tail -n 5 | sed 's/^/# /' > $R
				say "not ok $n ${arg}_${kind}_dma_checked"
			fi
			n=$((n + 1))
		done
		rmmod $arg > /tmp/out 2>&1
		after=$(free_frames)
		if [ ! -e $drv ] && [ -n "$after" ] && [ "$after" = "$before" ]; then
			say "ok 6 ${arg}_unload_gives_every_frame_back"
		else
			say "# $(cat /tmp/out) free frames: '$before' before, '$after' after"
			say "not ok 6 ${arg}_unload_gives_every_frame_back"
		fi
		dmesg | grep "$arg" | sed 's/^/# /' > $R ;;
	example)
		kmsg "example $arg $rest"
		say "KTAP version 1"
		say "1..1"
		# shellcheck disable=SC2086 # ARGS are words
		/tests/$arg $rest > /tmp/out 2>&1
		st=$?
		sed 's/^/# /' /tmp/out > $R
		name=$(echo "${arg}_$rest" | tr -c 'a-zA-Z0-9_\n' _)
		if [ $st = 0 ]; then
			say "ok 1 example_${name%_}"
		else
			say "not ok 1 example_${name%_} # exit $st"
		fi ;;
	benchprog)
		kmsg "benchprog $arg $rest"
		# Line by line as they come (grep would hold them to the end).
		/tests/$arg $rest 2>&1 | while IFS= read -r l; do
			case $l in 'contig-bench:'*|'# '*) say "$l" ;; esac
		done ;;
	selftest)
		kmsg "selftest $arg $rest"
		say "# contig-test: $arg"
		/tests/$arg $rest > $R 2>&1
		say "# contig-exit: $arg $?" ;;
	demo)
		echo "---- /proc/iomem (region) ----"; grep -i -B1 -A1 contig /proc/iomem
		for f in /sys/kernel/debug/contig/*; do
			echo "---- $f ----"; cat $f
		done ;;
	lenddemo)
		movable() { awk '/zone +Movable/ { m = 1; next } /zone/ { m = 0 }
			m && /pages free|present/ { printf "%s %s  ", $(NF-1), $NF }
			END { print "(pages of the Movable zone)" }' /proc/zoneinfo; }
		echo "---- lent: /proc/iomem ----"; grep -i -B1 contig /proc/iomem
		echo "---- contigctl lend ----"; /tests/contigctl lend
		movable
		echo "---- 160 MiB of page cache (files on tmpfs) ----"
		mkdir -p /tmp/pc
		i=0
		while [ $i -lt 20 ]; do
			dd if=/dev/urandom of=/tmp/pc/$i bs=1M count=8 2>/dev/null
			i=$((i + 1))
		done
		md5sum /tmp/pc/* > /tmp/pc.md5
		movable
		echo "---- contigctl stats ----"; /tests/contigctl stats
		echo "---- a 64 MiB CONTIGUOUS request takes it back ----"
		CONTIGCTL_HOLD=/tmp/hold /tests/contigctl alloc --size 64M --kind contiguous --hold &
		holder=$!
		sleep 3
		movable
		echo "---- debugfs lend ----"; cat /sys/kernel/debug/contig/lend
		echo "---- contigctl map (repeated lines counted) ----"
		/tests/contigctl map | head -n 2
		/tests/contigctl map | tail -n +3 | uniq -c -f 1
		kill $holder 2>/dev/null; wait $holder
		echo "---- the files: md5sum -c ----"
		md5sum -c /tmp/pc.md5 | grep -c ': OK$' | sed 's/$/ of 20 files intact/'
		rm -rf /tmp/pc /tmp/pc.md5 ;;
	esac
done < /etc/contig/plan

if [ -e $KL ]; then
	# Objects must be older than kmemleak's minimum age to be reported.
	sleep 6
	echo scan > $KL
	echo scan > $KL
	say "# kmemleak-begin"
	cat $KL > $R
	say "# kmemleak-end"
fi
say "# contig-run: complete"
if [ -n "${port_pid:-}" ]; then
	# Let ktap-port drain the FIFO and see its end; a writer left behind
	# must not hold the power-off forever.
	exec 3>&-
	i=0
	while grep -q '^State:[[:space:]]*[^Z]' /proc/$port_pid/status 2>/dev/null &&
	      [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
fi
kmsg "run complete"
sync
poweroff -f
