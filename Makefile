# SPDX-License-Identifier: GPL-2.0
#
# contig - user-facing targets.  The module itself is described in Kbuild.
#
#   make                 build contig.ko against KDIR (default: running kernel)
#   make demo            build everything, boot the VM demo
#   make check           the whole test suite in QEMU (what CI runs)
#   make check-harness   prove the harness fails on broken tests
#   make check-kernels   DKMS, W=1/sparse and QEMU boots on Debian's stock kernels
#   make fuzz SECONDS=N  only the fuzzer, N seconds on each region (SEED=, THREADS=)
#   make bench           benchmarks on a non-debug kernel
#   make tools           user-space tools and selftests
#   make deps            install the Debian packages the scripts need
#   make install         install contigctl, libcontig (library, headers, .pc)
#                        and their man pages under $(DESTDIR)$(PREFIX)
#                        (PREFIX=/usr/local)
#   make dkms-install    install contig.ko with DKMS (root; KVER=, default running)
#   make dkms-remove     remove it from DKMS and every kernel

KDIR ?= /lib/modules/$(shell uname -r)/build

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	$(MAKE) -C tools clean

tools:
	$(MAKE) -C tools

deps:
	scripts/deps.sh

check:
	scripts/check.sh

check-harness:
	scripts/check.sh --broken

fuzz:
	SECONDS_PER_REGION=$(or $(SECONDS),600) scripts/fuzz.sh

check-kernels:
	scripts/deps.sh --stock
	scripts/check-kernels.sh

# contigctl where contig.ko's default lend_helper looks for it
# (/usr/sbin/contigctl, then /usr/local/sbin/contigctl), its man page, and
# libcontig: static and shared library, headers, pkg-config file, man page
# (tools/lib/Makefile; LIBDIR is PREFIX/lib/<multiarch triplet>).
PREFIX ?= /usr/local
install:
	$(MAKE) -C tools contigctl
	$(MAKE) -C tools/lib install OUT=$(CURDIR)/tools/out/lib PREFIX=$(PREFIX) \
		DESTDIR=$(DESTDIR)
	install -D -m 0755 tools/out/contigctl $(DESTDIR)$(PREFIX)/sbin/contigctl
	install -D -m 0644 tools/contigctl.1 $(DESTDIR)$(PREFIX)/share/man/man1/contigctl.1

dkms-install:
	scripts/dkms.sh install $(KVER)

dkms-remove:
	scripts/dkms.sh remove

demo:
	scripts/demo.sh

bench:
	scripts/bench.sh

.PHONY: all modules clean tools deps check check-harness demo bench \
	check-kernels install dkms-install dkms-remove fuzz
