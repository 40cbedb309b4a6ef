#!/usr/bin/env python3
"""Decode a Perfetto trace with Perfetto's own schema and print what a viewer
builds from it, as JSON (for tests/perfetto_export.rs).

usage: perfetto_check.py TRACE.pftrace

Parses the file as `perfetto.protos.Trace` (perfetto_trace_pb2 from the
`perfetto` PyPI package), resolves interned names and strings per packet
sequence as trace_processor does (state cleared by
SEQ_INCREMENTAL_STATE_CLEARED, entries usable from the packet that defines
them), and pairs SLICE_BEGIN/SLICE_END per track (an end closes the innermost
open slice). A track whose descriptor has a parent_uuid, the parent a
thread's track, is an async lane of that thread: one slice at a time, its
slices listed as the thread's "async_slices". Timestamps are converted to the trace clock (BOOTTIME) through
the sequence's clock snapshot and `TracePacketDefaults`, incremental clocks
adding each packet's value, as trace_processor does. Checks the rules a
viewer relies on and exits 1 naming the first
broken one. Prints:

  {"packets": N,
   "processes": {"PID": name},
   "threads": {"PID/TID": thread_name},
   "tracks": {"PID/TID": {"slices": [{"name", "start", "end", "args",
                                       "end_args"}...],   # in order of ending
                           "async_slices": [...],          # the same, on lanes
                           "instants": [{"name", "ts", "categories",
                                         "args"}...]}},
   "lanes": {"PID/TID": {lane_name: [[start, end]...]}},
   "sequences": N,
   "interned": {"event_names": [...], "annotation_names": [...],
                "strings": [...], "categories": [...]}}   # values, sorted

Timestamps are in ns. Argument values: ints and uints as numbers, bools as
booleans, pointers as "0x..." strings, strings as text.
"""
import json
import sys

try:
    from perfetto.protos.perfetto.trace import perfetto_trace_pb2 as pb
except ImportError as e:
    sys.exit(
        "perfetto_check.py: cannot import Perfetto's schema (%s): "
        "run `python3 -m pip install perfetto protobuf`" % e
    )

CLEARED = pb.TracePacket.SEQ_INCREMENTAL_STATE_CLEARED


def fail(msg):
    sys.exit("perfetto_check.py: " + msg)


BOOTTIME = pb.BUILTIN_CLOCK_BOOTTIME


class Sequence:
    def __init__(self):
        self.valid = False
        self.clear()

    def clear(self):
        self.names, self.arg_names, self.strings, self.categories = {}, {}, {}, {}
        self.default_clock = None
        self.default_track = None
        # Sequence-scoped clocks: id -> their snapshot (base value, the trace
        # clock's time then) and, when incremental, their current value.
        self.clocks = {}

    def defaults(self, d):
        if d.HasField("timestamp_clock_id"):
            self.default_clock = d.timestamp_clock_id
        if d.HasField("track_event_defaults"):
            self.default_track = d.track_event_defaults.track_uuid

    def snapshot(self, snap):
        times = {c.clock_id: c for c in snap.clocks}
        if BOOTTIME not in times:
            fail("clock snapshot without the trace clock")
        for c in snap.clocks:
            if c.clock_id != BOOTTIME:
                if not 64 <= c.clock_id < 128:
                    fail("clock %d is not sequence-scoped" % c.clock_id)
                if c.unit_multiplier_ns not in (0, 1):
                    fail("unit multiplier %d" % c.unit_multiplier_ns)
                self.clocks[c.clock_id] = {
                    "incremental": c.is_incremental, "base": c.timestamp,
                    "boot": times[BOOTTIME].timestamp, "value": c.timestamp}

    def timestamp(self, packet, i):
        """The packet's time on the trace clock, in ns (as trace_processor
        converts it: incremental clocks add each packet's value)."""
        if packet.HasField("timestamp_clock_id"):
            clock = packet.timestamp_clock_id
        elif self.default_clock is not None:
            clock = self.default_clock
        else:
            clock = BOOTTIME
        if clock == BOOTTIME:
            return packet.timestamp
        if clock not in self.clocks:
            fail("packet %d: clock %d has no snapshot on its sequence" % (i, clock))
        c = self.clocks[clock]
        if c["incremental"]:
            c["value"] += packet.timestamp
            value = c["value"]
        else:
            value = packet.timestamp
        return c["boot"] + value - c["base"]

    def intern(self, data):
        for table, entries, value in (
            (self.names, data.event_names, lambda e: e.name),
            (self.arg_names, data.debug_annotation_names, lambda e: e.name),
            (self.strings, data.debug_annotation_string_values, lambda e: e.str.decode()),
            (self.categories, data.event_categories, lambda e: e.name),
        ):
            for e in entries:
                if e.iid == 0:
                    fail("interned iid 0")
                if e.iid in table and table[e.iid] != value(e):
                    fail("iid %d redefined" % e.iid)
                table[e.iid] = value(e)


def lookup(table, iid, what):
    if iid not in table:
        fail("%s iid %d used before it is interned" % (what, iid))
    return table[iid]


def annotation_value(a, seq):
    kind = a.WhichOneof("value")
    if kind in ("int_value", "uint_value", "bool_value", "string_value"):
        return getattr(a, kind)
    if kind == "pointer_value":
        return "0x%x" % a.pointer_value
    if kind == "string_value_iid":
        return lookup(seq.strings, a.string_value_iid, "string")
    fail("unexpected annotation value %s" % kind)


def args(event, seq):
    out = {}
    for a in event.debug_annotations:
        if a.HasField("name_iid"):
            name = lookup(seq.arg_names, a.name_iid, "annotation name")
        else:
            name = a.name
        out[name] = annotation_value(a, seq)
    return out


def main():
    trace = pb.Trace()
    with open(sys.argv[1], "rb") as f:
        trace.ParseFromString(f.read())
    sequences = {}
    processes, threads, track_of_uuid = {}, {}, {}
    # Async lanes: uuid -> their name.
    lane_name = {}
    tracks, open_slices, last_ts, lanes = {}, {}, {}, {}
    for i, packet in enumerate(trace.packet):
        if not packet.HasField("trusted_packet_sequence_id"):
            fail("packet %d has no trusted_packet_sequence_id" % i)
        seq_id = packet.trusted_packet_sequence_id
        first = seq_id not in sequences
        if first:
            sequences[seq_id] = Sequence()
        seq = sequences[seq_id]
        if first and not packet.sequence_flags & CLEARED:
            fail("first packet of sequence %d lacks SEQ_INCREMENTAL_STATE_CLEARED" % seq_id)
        if packet.sequence_flags & CLEARED:
            seq.clear()
            seq.valid = True
        if packet.HasField("interned_data"):
            seq.intern(packet.interned_data)
        if packet.HasField("trace_packet_defaults"):
            seq.defaults(packet.trace_packet_defaults)
        if packet.HasField("clock_snapshot"):
            seq.snapshot(packet.clock_snapshot)
        ts = seq.timestamp(packet, i) if packet.HasField("timestamp") else None
        data = packet.WhichOneof("data")
        if data == "track_descriptor":
            d = packet.track_descriptor
            if d.HasField("thread"):
                key = "%d/%d" % (d.thread.pid, d.thread.tid)
                threads[key] = d.thread.thread_name
                track_of_uuid[d.uuid] = key
            elif d.HasField("parent_uuid"):
                if d.parent_uuid not in track_of_uuid or d.parent_uuid in lane_name:
                    fail("packet %d: lane %d's parent is not a thread's track" % (i, d.uuid))
                if d.uuid in track_of_uuid:
                    fail("packet %d: lane %d described twice" % (i, d.uuid))
                track_of_uuid[d.uuid] = track_of_uuid[d.parent_uuid]
                lane_name[d.uuid] = d.name
                lanes.setdefault(track_of_uuid[d.uuid], {})[d.name] = []
            elif d.HasField("process"):
                processes[str(d.process.pid)] = d.process.process_name
            else:
                track_of_uuid[d.uuid] = d.name
        elif data == "track_event":
            # Interned names and the incremental clock need the sequence's
            # state: valid once cleared (SEQ_NEEDS_INCREMENTAL_STATE would
            # only make trace_processor skip the packet if it were not).
            if not seq.valid:
                fail("packet %d: incremental state never cleared" % i)
            e = packet.track_event
            uuid = e.track_uuid if e.HasField("track_uuid") else seq.default_track
            if uuid not in track_of_uuid:
                fail("packet %d: track %s not described before use" % (i, uuid))
            key = track_of_uuid[uuid]
            if ts is None:
                fail("packet %d: a track event without a timestamp" % i)
            if ts < last_ts.get(uuid, 0):
                fail("packet %d: goes back in time on track %s" % (i, key))
            last_ts[uuid] = ts
            track = tracks.setdefault(key, {"slices": [], "async_slices": [], "instants": []})
            lane = lane_name.get(uuid)
            if e.HasField("name_iid"):
                name = lookup(seq.names, e.name_iid, "event name")
            else:
                name = e.name
            categories = [lookup(seq.categories, c, "category") for c in e.category_iids]
            if e.type == pb.TrackEvent.TYPE_SLICE_BEGIN:
                stack = open_slices.setdefault(uuid, [])
                if lane is not None and stack:
                    fail("packet %d: two slices at once on lane %s of %s" % (i, lane, key))
                stack.append((name, ts, args(e, seq)))
            elif e.type == pb.TrackEvent.TYPE_SLICE_END:
                stack = open_slices.get(uuid)
                if not stack:
                    fail("packet %d: slice end with no slice open on %s" % (i, key))
                b_name, start, b_args = stack.pop()
                part = "slices" if lane is None else "async_slices"
                track[part].append(
                    {"name": b_name, "start": start, "end": ts, "args": b_args,
                     "end_args": args(e, seq)}
                )
                if lane is not None:
                    lanes[key][lane].append([start, ts])
            elif e.type == pb.TrackEvent.TYPE_INSTANT:
                if lane is not None:
                    fail("packet %d: an instant on lane %s" % (i, lane))
                track["instants"].append(
                    {"name": name, "ts": ts, "categories": categories, "args": args(e, seq)}
                )
            else:
                fail("packet %d: unexpected event type %d" % (i, e.type))
        elif data not in (None, "clock_snapshot"):
            fail("packet %d: unexpected content %s" % (i, data))
    left = {k: v for k, v in open_slices.items() if v}
    if left:
        fail("slices never ended: %s" % left)
    interned = {"event_names": set(), "annotation_names": set(), "strings": set(),
                "categories": set()}
    for seq in sequences.values():
        interned["event_names"].update(seq.names.values())
        interned["annotation_names"].update(seq.arg_names.values())
        interned["strings"].update(seq.strings.values())
        interned["categories"].update(seq.categories.values())
    interned = {k: sorted(v) for k, v in interned.items()}
    # One dumps (the C encoder), not dump's many small writes.
    sys.stdout.write(json.dumps(
        {"packets": len(trace.packet), "sequences": len(sequences), "processes": processes, "threads": threads,
         "tracks": tracks, "lanes": lanes, "interned": interned}
    ))


main()
