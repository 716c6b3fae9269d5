#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge one contig test VM run.

Reads the KTAP stream the guest wrote to its results port and the guest's
whole console log, and fails the run on any of:

  - a test case reported "not ok", or a test program that exited non-zero;
  - a malformed or truncated KTAP document (plan/result count mismatch,
    subtests without their parent's result line);
  - a run that did not reach its completion marker (hang, panic, timeout);
  - kmemleak reporting any object;
  - any oops, BUG, WARNING, KASAN, lockdep, UBSAN or DMA-API report on the
    console, even when every test said ok (but for DMA-API debug turning
    itself off right after a failure that fault injection forced: its
    allocation was the one failed).

Prints a summary and, as its last line, "N passed, N failed" (leaf test
cases; every harness-level problem counts as one failure).  Exit status 0
only when nothing failed.
"""
import argparse
import re
import sys

RESULT = re.compile(r'^(?P<ind> *)(?P<not>not )?ok (?P<num>\d+)(?: -)? ?(?P<desc>[^#]*?)\s*(?:#\s*(?P<dir>\S+)\s*(?P<reason>.*))?$')
PLAN = re.compile(r'^(?P<ind> *)1\.\.(?P<n>\d+)\s*$')
VERSION = re.compile(r'^(KTAP|TAP) version \d+')
EXIT = re.compile(r'^# contig-exit: (\S+) (\d+)')
# Diagnostics shown with the failures (a CI log is all one may get).
MAX_DETAILS = 24
DIAG_BEFORE = 3

SPLATS = [
    (re.compile(r'\bBUG[: ]'), 'BUG'),
    (re.compile(r'WARNING: '), 'WARNING'),
    (re.compile(r'Oops'), 'oops'),
    (re.compile(r'general protection fault'), 'general protection fault'),
    (re.compile(r'Kernel panic'), 'panic'),
    (re.compile(r'KASAN'), 'KASAN report'),
    (re.compile(r'UBSAN'), 'UBSAN report'),
    (re.compile(r'possible (circular|recursive) locking|inconsistent lock state|'
                r'possible irq lock inversion|suspicious RCU usage|held when returning|'
                r'lock held when|bad unlock balance|lockdep: '), 'lockdep splat'),
    (re.compile(r'sleeping function called from invalid context'), 'atomic sleep'),
    (re.compile(r'suspected memory leak'), 'kmemleak report'),
    (re.compile(r'DMA-API: '), 'DMA-API debug report'),
    (re.compile(r'Call Trace:'), 'stack trace'),
    (re.compile(r'rcu: INFO|soft lockup|hung_task|blocked for more than'), 'hang report'),
]
# Lines that look like splats but are not.
BENIGN = [
    re.compile(r'KASAN: (enabled|EXPERIMENTAL)|kasan: KernelAddressSanitizer initialized'),
    re.compile(r'Lock dependency validator|lockdep: fixing up|... MAX_LOCK|... MAX_LOCKDEP|'
               r'... CHAINHASH|... CLASSHASH|memory used by lock dependency|per task-struct memory'),
    re.compile(r'kmemleak: Kernel memory leak detector initialized|kmemleak: Automatic'),
    re.compile(r'DMA-API: preallocated|DMA-API: debugging enabled'),
]


class Judge:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.problems = []
        self.failures = []
        self.details = []   # diagnostics of failures, shown, not counted

    def detail(self, line):
        if len(self.details) < MAX_DETAILS:
            self.details.append(line.strip()[:240])

    def problem(self, what):
        self.problems.append(what)


def parse_document(lines, judge, doc_name):
    """Walk one KTAP document by indentation, counting leaf results."""
    pending = {}        # level -> list of (ok, desc) results since parent
    plans = {}          # level -> declared plan for the pending block
    names = {}          # level -> last "# Subtest:" name
    diag = []           # diagnostic lines since the last result
    fail_lines = []     # "# FAIL ..." lines a test program printed
    any_failed = False
    for raw in lines:
        line = raw.rstrip('\r\n')
        stripped = line.lstrip(' ')
        level = (len(line) - len(stripped)) // 4
        if stripped.startswith('# FAIL'):
            fail_lines.append(stripped)
        elif stripped.startswith('#') and not stripped.startswith('# Subtest:'):
            diag = (diag + [stripped])[-DIAG_BEFORE:]
        if stripped.startswith('# Subtest:'):
            names[level] = stripped[len('# Subtest:'):].strip()
            continue
        m = PLAN.match(line)
        if m:
            plans[level] = int(m.group('n'))
            continue
        m = RESULT.match(line)
        if not m:
            continue
        ok = m.group('not') is None
        desc = m.group('desc').strip()
        directive = (m.group('dir') or '').upper()
        children = pending.pop(level + 1, None)
        child_plan = plans.pop(level + 1, None)
        if children is not None:
            if child_plan is not None and child_plan != len(children):
                judge.problem(f'{doc_name}: {desc}: planned {child_plan} subtests, saw {len(children)}')
            child_failed = any(not c for c in children)
            if not ok and not child_failed and directive != 'SKIP':
                judge.failed += 1
                judge.failures.append(f'{doc_name}: {desc} (failed outside its cases)')
        else:
            if directive == 'SKIP':
                judge.skipped += 1
            elif ok:
                judge.passed += 1
            else:
                judge.failed += 1
                judge.failures.append(f'{doc_name}: {desc}')
                any_failed = True
                for d in diag:
                    judge.detail(f'{doc_name}: {d}')
        diag = []
        pending.setdefault(level, []).append(ok or directive == 'SKIP')
    if any_failed:
        for d in fail_lines[:8]:
            judge.detail(f'{doc_name}: {d}')
    top = pending.pop(0, [])
    top_plan = plans.pop(0, None)
    if top_plan is None:
        judge.problem(f'{doc_name}: no plan line')
    elif top_plan != len(top):
        judge.problem(f'{doc_name}: planned {top_plan} results, saw {len(top)} (crash or truncation?)')
    for level, rest in pending.items():
        if rest:
            judge.problem(f'{doc_name}: {len(rest)} results at depth {level} without their parent result (truncated)')


def judge_results(text, judge):
    docs = []
    cur = None
    next_name = None
    complete = False
    in_leak = False
    leak_lines = []
    for line in text.splitlines():
        line = line.rstrip('\r')
        if line.startswith('# kmemleak-begin'):
            in_leak = True
            continue
        if line.startswith('# kmemleak-end'):
            in_leak = False
            continue
        if in_leak:
            if line.strip():
                leak_lines.append(line)
            continue
        if line.startswith('# contig-run: complete'):
            complete = True
            continue
        m = EXIT.match(line)
        if m:
            if m.group(2) != '0':
                judge.problem(f'test program {m.group(1)} exited with status {m.group(2)}')
            cur = None
            continue
        if line.startswith('# contig-test: '):
            next_name = line[len('# contig-test: '):].strip()
            continue
        if VERSION.match(line):
            cur = []
            docs.append((next_name, cur))
            next_name = None
            continue
        if cur is not None:
            cur.append(line)
    for i, (name, doc) in enumerate(docs):
        if name:
            parse_document(doc, judge, name)
            continue
        name = f'document {i + 1}'
        for line in doc:
            s = line.strip()
            if s.startswith('# Subtest:'):
                name = s[len('# Subtest:'):].strip()
                break
            m = RESULT.match(line)
            if m and not line.startswith(' '):
                name = m.group('desc').strip()
                break
        parse_document(doc, judge, name)
    if not docs:
        judge.problem('no KTAP output at all')
    if not complete:
        judge.problem('the guest never reached the end of its plan (hang, crash or timeout)')
    if leak_lines:
        n = sum(1 for l in leak_lines if l.startswith('unreferenced object'))
        judge.problem(f'kmemleak reported {n} unreferenced object(s)')


# Reports that are a subsystem's answer to a failure fault injection forced
# on it, when they come within INJECTED_LINES lines of the injection.
INJECTED = [
    re.compile(r'DMA-API: cacheline tracking ENOMEM, dma-debug disabled'),
]
INJECTED_LINES = 40


def judge_console(text, judge):
    seen = {}
    expect_warn = False
    injected_at = None
    for i, line in enumerate(text.splitlines()):
        if 'FAULT_INJECTION: forcing a failure' in line:
            injected_at = i
        if (injected_at is not None and i - injected_at <= INJECTED_LINES and
                any(p.search(line) for p in INJECTED)):
            continue
        if 'contig-test: expect-warn begin' in line:
            expect_warn = True
            continue
        if 'contig-test: expect-warn end' in line:
            expect_warn = False
            continue
        if any(b.search(line) for b in BENIGN):
            continue
        for pat, what in SPLATS:
            if pat.search(line):
                if expect_warn and what in ('WARNING', 'stack trace'):
                    break
                seen.setdefault(what, line.strip())
                break
    for what, line in seen.items():
        judge.problem(f'console: {what}: {line[:160]}')


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('results')
    ap.add_argument('console')
    ap.add_argument('--label', default='run')
    args = ap.parse_args()
    judge = Judge()
    with open(args.results, errors='replace') as f:
        judge_results(f.read(), judge)
    with open(args.console, errors='replace') as f:
        judge_console(f.read(), judge)
    for f in judge.failures:
        print(f'  FAIL {f}')
    for p in judge.problems:
        print(f'  FAIL {p}')
    for d in judge.details:
        print(f'  FAIL   | {d}')
    failed = judge.failed + len(judge.problems)
    print(f'{args.label}: {judge.passed} passed, {failed} failed, {judge.skipped} skipped')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
