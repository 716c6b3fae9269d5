#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# checkpatch --strict over our kernel code, with the kernel source's script.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
src=$(ksrc_dir)
files=$(cd "$ROOT" && git ls-files -co --exclude-standard -- \
	'module/*.[ch]' 'include/*.h' 'kunit/*.[ch]' 'bench/*.[ch]' \
	'testmod/*.[ch]' 'samples/edu/*.[ch]')
cd "$ROOT"
# shellcheck disable=SC2086
"$src/scripts/checkpatch.pl" --no-tree --strict --quiet --show-types \
	--ignore FILE_PATH_CHANGES -f $files
