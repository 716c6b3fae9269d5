#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench-plots.py RESULTS OUTDIR [CONTIG_TRACE TRACE]: the plots of `make bench`.

Reads the "contig-bench: AREA | CASE | OURS | KERNEL | RATIO" lines of a
benchmark run (OURS and KERNEL as "MEDIAN UNIT (MIN-MAX...)", see
bench/bench_stats.h and tools/selftests/bench_util.h) and writes SVG
plots with gnuplot into OUTDIR, each figure drawn as its median with a
bar from min to max:

  buddy-orders.svg   ns per alloc+free by size, contig's buddy (first fit)
                     against alloc_pages() and alloc_contig_range();
  contig-64m.svg     ms for a 64 MiB contiguous request, contig against
                     the CMA heap: idle and pre-zeroed, empty (cleared on
                     the spot), full of movable memory, lent and filled
                     alike (the first three from migrate_bench, lent
                     from lend_bench);
  policies.svg       the four placement policies replaying TRACE with
                     CONTIG_TRACE --series (tools/buddy/): the largest
                     free block and the frames refused, as the trace goes.

A plot whose rows are missing is left out with a line saying so; the
exit status is 1 only when gnuplot is missing or fails.
"""
import os
import re
import subprocess
import sys

FIG = re.compile(r'^([0-9.]+) (\S+) \(([0-9.]+)-([0-9.]+)')


def rows(path):
    """{(area, case): (ours, kernel)}, each (median, lo, hi, unit) or None."""
    out = {}
    with open(path, errors='replace') as f:
        for line in f:
            if not line.startswith('contig-bench: '):
                continue
            parts = [p.strip() for p in line[len('contig-bench: '):].split('|')]
            if len(parts) < 4:
                continue
            figs = []
            for p in parts[2:4]:
                m = FIG.match(p)
                figs.append((float(m.group(1)), float(m.group(3)),
                             float(m.group(4)), m.group(2)) if m else None)
            out[(parts[0], parts[1])] = tuple(figs)
    return out


def find(r, area, pattern):
    """The first row of @area whose case matches @pattern, or None."""
    for (a, case), figs in r.items():
        if a == area and re.search(pattern, case):
            return figs
    return None


def gnuplot(script, out):
    try:
        subprocess.run(['gnuplot'], input=script, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        sys.exit(f'bench-plots: gnuplot failed for {out}: {e}')
    print(f'bench-plots: wrote {out}')


HEAD = ('set terminal svg size 720,420 dynamic font "sans,12" background "white"\n'
        'set termoption noenhanced\nset key top left\nset grid ytics\n')


def buddy_orders(r, outdir):
    sizes = [('1 pg first fit', 0, '1 page'), ('16 pg first fit', 4, '16 pages'),
             ('512 pg first fit', 9, '512 pages'), ('8M first fit', 11, '8 MiB')]
    data = []
    for pat, order, label in sizes:
        figs = find(r, 'buddy', '^' + re.escape(pat))
        if figs and figs[0] and figs[1]:
            data.append((order, label, figs[0], figs[1]))
    if not data:
        print('bench-plots: no buddy rows: buddy-orders.svg left out')
        return
    out = os.path.join(outdir, 'buddy-orders.svg')
    pts = '\n'.join(f'{o} {a[0]} {a[1]} {a[2]} {k[0]} {k[1]} {k[2]} "{lab}"'
                    for o, lab, a, k in data)
    gnuplot(HEAD + f'''set output "{out}"
set title "alloc+free by size: median, bar from min to max"
set xlabel "size (order: log2 of pages)"
set ylabel "ns per alloc+free"
set logscale y
set xrange [-1:12]
set xtics ({", ".join(f'"{lab}" {o}' for o, lab, _, _ in data)})
$d << EOD
{pts}
EOD
plot $d using ($1-0.15):2:3:4 with yerrorbars pt 7 lc rgb "#1f77b4" title "contig buddy (first fit)", \\
     $d using ($1-0.15):2 with lines lc rgb "#1f77b4" notitle, \\
     $d using ($1+0.15):5:6:7 with yerrorbars pt 5 lc rgb "#d62728" title "alloc_pages() (8 MiB: alloc_contig_range())", \\
     $d using ($1+0.15):5 with lines lc rgb "#d62728" notitle
''', out)


def contig_64m(r, outdir):
    cases = [('migrate', r'^contiguous whole, idle, pre-zeroed', 'idle, pre-zeroed'),
             ('migrate', r'^contiguous whole, empty', 'empty, cleared then'),
             ('migrate', r'^contiguous whole, full', 'full'),
             ('lend', r'^64 MiB contiguous, areas filled alike', 'lent, filled alike'),
             ('lend', r'^64 MiB contiguous, filled, reserve', 'lent, reserve=64M')]
    data = []
    for area, pat, label in cases:
        figs = find(r, area, pat)
        if figs and figs[0] and figs[1]:
            data.append((label, figs[0], figs[1]))
    if not data:
        print('bench-plots: no migrate or lend rows: contig-64m.svg left out')
        return
    out = os.path.join(outdir, 'contig-64m.svg')
    pts = '\n'.join(f'{i} {a[0]} {a[1]} {a[2]} {k[0]} {k[1]} {k[2]}'
                    for i, (_, a, k) in enumerate(data))
    gnuplot(HEAD + f'''set output "{out}"
set title "64 MiB contiguous request: median, bar from min to max\\n(pre-zeroed, empty, full: migrate_bench; lent: lend_bench)"
set ylabel "ms (log scale)"
set logscale y
set xrange [-0.5:{len(data) - 0.5}]
set xtics ({", ".join(f'"{lab}" {i}' for i, (lab, _, _) in enumerate(data))})
$d << EOD
{pts}
EOD
plot $d using ($1-0.1):2:3:4 with yerrorbars pt 7 ps 1.2 lc rgb "#1f77b4" title "contig", \\
     $d using ($1+0.1):5:6:7 with yerrorbars pt 5 ps 1.2 lc rgb "#d62728" title "CMA heap"
''', out)


def policies(outdir, tracer, trace):
    if not (tracer and trace and os.access(tracer, os.X_OK)):
        print('bench-plots: no contig-trace: policies.svg left out')
        return
    res = subprocess.run([tracer, '--series', '100', trace], text=True,
                         capture_output=True, check=True).stdout
    series = {}
    for line in res.splitlines():
        if line.startswith('#'):
            continue
        pol, ops, used, largest, refused = line.split('\t')
        series.setdefault(pol, []).append(f'{ops} {used} {largest} {refused}')
    out = os.path.join(outdir, 'policies.svg')
    blocks = ''.join(f'${p} << EOD\n' + '\n'.join(v) + '\nEOD\n'
                     for p, v in series.items())
    colours = ['#1f77b4', '#2ca02c', '#d62728', '#9467bd']
    top = ', \\\n     '.join(
        f'${p} using 1:3 with steps lc rgb "{colours[i % 4]}" title "{p} fit"'
        for i, p in enumerate(series))
    bottom = ', \\\n     '.join(
        f'${p} using 1:4 with steps lc rgb "{colours[i % 4]}" title "{p} fit"'
        for i, p in enumerate(series))
    name = os.path.basename(trace)
    gnuplot(HEAD.replace('720,420', '720,640') + f'''set output "{out}"
{blocks}set multiplot layout 2,1 title "placement policies replaying {name}"
set ylabel "largest free block (frames)"
set logscale y 2
set format x ""
plot {top}
unset logscale y
set format x "%g"
set xlabel "operations"
set ylabel "frames refused so far"
set key top left
plot {bottom}
unset multiplot
''', out)


def main():
    if len(sys.argv) not in (3, 5):
        sys.exit(__doc__)
    r = rows(sys.argv[1])
    os.makedirs(sys.argv[2], exist_ok=True)
    buddy_orders(r, sys.argv[2])
    contig_64m(r, sys.argv[2])
    policies(sys.argv[2], *(sys.argv[3:5] if len(sys.argv) == 5 else (None, None)))


if __name__ == '__main__':
    main()
