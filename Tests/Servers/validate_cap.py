#!/usr/bin/env python3
"""Strict CAP 1.2 check by an independent implementation: PyPI `cap-tools` (xsdata bindings
generated from the OASIS CAP 1.2 schema), parsing with fail_on_unknown_properties and
fail_on_converter_warnings, plus the schema's required elements.

Usage: validate_cap.py FILE... — prints one JSON line per file ({"ok": true, summary} or
{"ok": false, "error": …}); exit status 1 if any file is rejected.
"""
import dataclasses, json, sys, warnings
from cap_tools.models import Alert
from xsdata.formats.dataclass.parsers import XmlParser
from xsdata.formats.dataclass.parsers.config import ParserConfig


def check_required(obj, path="alert"):
    # xsdata fills a missing required element with None instead of failing; the schema says no.
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if f.metadata.get("required") and (value is None or value == []):
            raise ValueError(f"{path}.{f.name} is required")
        items = value if isinstance(value, list) else [value]
        for item in items:
            if dataclasses.is_dataclass(item):
                check_required(item, f"{path}.{f.name}")


def validate(path):
    parser = XmlParser(config=ParserConfig(
        fail_on_unknown_properties=True, fail_on_unknown_attributes=True,
        fail_on_converter_warnings=True))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any converter warning is a failure too
        with open(path, "rb") as f:
            alert = parser.from_bytes(f.read(), Alert)
    check_required(alert)
    info = alert.infos[0] if alert.infos else None
    return {
        "identifier": alert.identifier, "sender": alert.sender, "sent": str(alert.sent),
        "status": alert.status.value, "msgType": alert.msg_type.value, "scope": alert.scope.value,
        "references": [str(r) for r in alert.references_to_list()] if alert.references else [],
        "incidents": alert.incidents_to_list() if alert.incidents else [],
        "language": info.language if info else None,
        "category": [c.value for c in info.categories] if info else [],
        "headline": info.headline if info else None,
        "description": info.description if info else None,
        "areaDesc": info.areas[0].area_desc if info and info.areas else None,
        "responseType": [r.value for r in info.response_types] if info else [],
        "urgency": info.urgency.value if info else None,
        "expires": str(info.expires) if info and info.expires else None,
    }


def main():
    bad = False
    for path in sys.argv[1:]:
        try:
            print(json.dumps({"file": path, "ok": True, **validate(path)}, ensure_ascii=False))
        except Exception as e:
            bad = True
            print(json.dumps({"file": path, "ok": False, "error": f"{type(e).__name__}: {e}"}, ensure_ascii=False))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
