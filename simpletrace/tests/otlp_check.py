#!/usr/bin/env python3
"""Decode OTLP trace requests with OpenTelemetry's own schema and print their
spans as JSON (for tests/otlp_export.rs).

usage: otlp_check.py REQUEST...

Each file is parsed as one `ExportTraceServiceRequest`
(opentelemetry.proto.collector.trace.v1.trace_service_pb2, from the
`opentelemetry-proto` PyPI package): a file written by `simpletrace export
--otlp`, or the bodies a collector received. Checks what OTLP and a trace
viewer rely on, and exits 1 naming the first broken rule: no field the
schema does not know (a wrong field number or wire type parses as unknown),
16-byte trace ids and 8-byte span ids, not all zero and span ids unique, a
parent span present with the same trace id and around its child (start to
end), start <= end, one scope per resource. Prints:

  {"requests": N,
   "spans": [{"trace_id", "span_id", "parent_span_id" (hex or null), "name",
              "kind", "start", "end", "attributes": {key: value},
              "dropped_attributes_count", "resource": {key: value},
              "scope": "NAME VERSION"}...]}   # in the order of the requests

Attribute values: ints as numbers, bools as booleans, strings as text.
"""
import json
import sys

try:
    from google.protobuf import unknown_fields
    from opentelemetry.proto.collector.trace.v1 import trace_service_pb2 as service
    from opentelemetry.proto.trace.v1 import trace_pb2
except ImportError as e:
    sys.exit(
        "otlp_check.py: cannot import OpenTelemetry's schema (%s): "
        "run `python3 -m pip install opentelemetry-proto protobuf`" % e
    )


def fail(msg):
    sys.exit("otlp_check.py: " + msg)


def no_unknown_fields(message, where):
    if len(unknown_fields.UnknownFieldSet(message)):
        fail("%s: fields the schema does not know in a %s"
             % (where, message.DESCRIPTOR.full_name))
    for field, value in message.ListFields():
        if field.message_type is None:
            continue
        if field.is_repeated:
            for v in value:
                no_unknown_fields(v, where)
        else:
            no_unknown_fields(value, where)


def value(any_value, where):
    kind = any_value.WhichOneof("value")
    if kind in ("string_value", "bool_value", "int_value"):
        return getattr(any_value, kind)
    fail("%s: unexpected attribute value %s" % (where, kind))


def attributes(kvs, where):
    out = {}
    for kv in kvs:
        if kv.key in out:
            fail("%s: attribute %s twice" % (where, kv.key))
        out[kv.key] = value(kv.value, where)
    return out


def main():
    spans = []
    for path in sys.argv[1:]:
        request = service.ExportTraceServiceRequest()
        with open(path, "rb") as f:
            request.ParseFromString(f.read())
        no_unknown_fields(request, path)
        for rs in request.resource_spans:
            resource = attributes(rs.resource.attributes, path)
            if "service.name" not in resource:
                fail("%s: a resource without service.name" % path)
            if len(rs.scope_spans) != 1:
                fail("%s: %d scopes in a resource" % (path, len(rs.scope_spans)))
            ss = rs.scope_spans[0]
            scope = "%s %s" % (ss.scope.name, ss.scope.version)
            for s in ss.spans:
                where = "%s: span %s" % (path, s.name)
                if len(s.trace_id) != 16 or not any(s.trace_id):
                    fail("%s: bad trace id %s" % (where, s.trace_id.hex()))
                if len(s.span_id) != 8 or not any(s.span_id):
                    fail("%s: bad span id %s" % (where, s.span_id.hex()))
                if s.parent_span_id and (len(s.parent_span_id) != 8 or not any(s.parent_span_id)):
                    fail("%s: bad parent span id" % where)
                if s.start_time_unix_nano > s.end_time_unix_nano:
                    fail("%s: ends before it starts" % where)
                spans.append({
                    "trace_id": s.trace_id.hex(),
                    "span_id": s.span_id.hex(),
                    "parent_span_id": s.parent_span_id.hex() or None,
                    "name": s.name,
                    "kind": trace_pb2.Span.SpanKind.Name(s.kind),
                    "start": s.start_time_unix_nano,
                    "end": s.end_time_unix_nano,
                    "attributes": attributes(s.attributes, where),
                    "dropped_attributes_count": s.dropped_attributes_count,
                    "resource": resource,
                    "scope": scope,
                })
    by_id = {}
    for s in spans:
        if s["span_id"] in by_id:
            fail("span id %s twice" % s["span_id"])
        by_id[s["span_id"]] = s
    for s in spans:
        p = s["parent_span_id"]
        if p is None:
            continue
        if p not in by_id:
            fail("span %s: parent %s not exported" % (s["name"], p))
        parent = by_id[p]
        if parent["trace_id"] != s["trace_id"]:
            fail("span %s: not in its parent's trace" % s["name"])
        if not parent["start"] <= s["start"] <= s["end"] <= parent["end"]:
            fail("span %s: outside its parent %s" % (s["name"], parent["name"]))
    sys.stdout.write(json.dumps({"requests": len(sys.argv) - 1, "spans": spans}))


main()
