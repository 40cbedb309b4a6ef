#!/usr/bin/env python3
"""Writes the hand-made read_trace seeds: a self-describing v4 trace
(trace_event_decl and trace_thread records, learned events, a dropped record),
a cut copy, and two bad declarations. Usage: seeds/self_describing.py OUT_DIR"""
import struct
import sys


def header():
    return struct.pack('<QQQ', 0xffffffffffffffff, 0xf2b177cb0aa429b4, 4)


def mapping(i, name):
    n = name.encode()
    return struct.pack('<QQI', 0, i, len(n)) + n


def event(i, ts, pid, args):
    body = b''
    for a in args:
        if isinstance(a, int):
            body += struct.pack('<Q', a & 0xffffffffffffffff)
        else:
            body += struct.pack('<I', len(a)) + a
    return struct.pack('<QQQII', 1, i, ts, 24 + len(body), pid) + body


def decl(i, text):
    return event(1, 1, 7, [i, text.encode()])


out = sys.argv[1]
base = (header() + mapping(1, 'trace_event_decl') + mapping(2, 'trace_thread')
        + mapping(3, 'learned_a') + mapping(4, 'learned_b') + mapping(5, 'ppc40x_store_tsr'))
good = (base
        + decl(3, 'learned_a(uint32_t x, const char *s) "x %u s %s"')
        + decl(4, 'disable learned_b(int64_t v, void *p, bool b) "v %" PRId64 " p %p b %d"')
        + decl(5, 'ppc40x_store_tsr(uint64_t value) "val 0x%" PRIx64')
        + event(2, 5, 7, [1234, b'main'])
        + event(3, 10, 7, [42, b'hello\n"\\']) + event(4, 20, 7, [-5, 0xdeadbeef, 1])
        + event(0xfffffffffffffffe, 15, 7, [3]) + event(5, 30, 8, [0xff])
        + event(2, 31, 8, [99, b'worker']) + event(3, 40, 8, [0xffffffff, b'\xff\xfe']))
seeds = {
    'self-describing.bin': good,
    'self-describing-cut.bin': good[:len(good) - 9],
    'decl-mismatch.bin': base + decl(3, 'learned_b(int x) "x %d"') + event(3, 10, 7, [1]),
    'decl-invalid.bin': base + decl(3, 'learned_a(uint32_t x, "x %u"') + event(3, 10, 7, [1]),
}
for name, data in seeds.items():
    with open(f'{out}/{name}', 'wb') as f:
        f.write(data)
