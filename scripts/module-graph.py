#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""module-graph.py OBJDIR [--dot]: the call graph between contig.ko's files.

Reads the object files of module/ (OBJDIR holds module/*.o of a build),
maps every global symbol to the file that defines it, and draws an edge
a -> b when a.o uses a symbol b.o defines: who calls whom, whatever the
headers say.  Prints one line per file ("a -> b c"), then checks the
promises of the layout (contig_internal.h): the graph has no cycle, and
buffer.c knows nothing of who asked for a buffer (no edge from buffer to
chardev or quota).  Exits 1, naming the cycle or the edge, when a promise
is broken.
"""
import os
import subprocess
import sys


def symbols(obj):
    out = subprocess.run(["nm", obj], check=True, capture_output=True,
                         text=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            undefined.add(parts[1])
        elif len(parts) == 3 and parts[1].isupper() and parts[1] != "U":
            defined.add(parts[2])
    return defined, undefined


def find_cycle(graph):
    state = {n: 0 for n in graph}  # 0 new, 1 on stack, 2 done
    stack = []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(graph[n]):
            if state[m] == 1:
                return stack[stack.index(m):] + [m]
            if state[m] == 0:
                c = visit(m)
                if c:
                    return c
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if state[n] == 0:
            c = visit(n)
            if c:
                return c
    return None


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    objdir = sys.argv[1]
    objs = sorted(f for f in os.listdir(objdir)
                  if f.endswith(".o") and not f.endswith(".mod.o"))
    if not objs:
        sys.exit(f"no object files in {objdir}")
    owner, uses = {}, {}
    for o in objs:
        name = o[:-2]
        d, u = symbols(os.path.join(objdir, o))
        for s in d:
            owner[s] = name
        uses[name] = u
    graph = {n: set() for n in uses}
    for n, u in uses.items():
        for s in u:
            m = owner.get(s)
            if m and m != n:
                graph[n].add(m)
    for n in sorted(graph):
        print(f"{n} -> {' '.join(sorted(graph[n])) or '(nothing)'}")
    bad = 0
    cycle = find_cycle(graph)
    if cycle:
        print("FAIL: cycle: " + " -> ".join(cycle))
        bad = 1
    for caller, callee in (("buffer", "chardev"), ("buffer", "quota")):
        if callee in graph.get(caller, ()):
            print(f"FAIL: {caller}.c calls into {callee}.c")
            bad = 1
    if not bad:
        print(f"ok: {len(graph)} files, no cycle")
    sys.exit(bad)


if __name__ == "__main__":
    main()
