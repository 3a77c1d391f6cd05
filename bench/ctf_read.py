"""Time reading a large Common Transfer File: 2,000 pupils with 50 assessments each (100,000 results).

    .venv/bin/python bench/ctf_read.py [--pupils 2000] [--assessments 50] [--repeat 3]

The baseline, measured in the same run on the same bytes, is defusedxml parsing the file into an element
tree and walking every element: what any safe reader must do at least. Tandem's parse_ctf does that and
checks and converts every field; the ratio says what the checks cost. Then the time to refuse a
"billion laughs" entity expansion (it must be refused before expanding). (Both were unit tests' time limits
until a busy machine broke them: timings live here.)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import defusedxml.ElementTree as safe_xml

from tandem.exchange.ctf import CtfRejected, parse_ctf

HEADER = (
    "<Header><DocumentName>Common Transfer File</DocumentName><CTFversion>25.0</CTFversion>"
    "<DateTime>2026-03-02T09:30:00</DateTime><DocumentQualifier>partial</DocumentQualifier>"
    "<SupplierID>Bench MIS</SupplierID><SourceSchool><LEA>938</LEA><Estab>2001</Estab><URN>123456</URN>"
    "<SchoolName>Brookside Primary</SchoolName><AcademicYear>2025</AcademicYear></SourceSchool></Header>"
)
ASSESSMENT = (
    "<StageAssessment><Locale>ENG</Locale><Year>2025</Year><Subject>MAT</Subject><Method>TT</Method>"
    "<Component>MTC</Component><ResultStatus>R</ResultStatus><ResultQualifier>MT</ResultQualifier>"
    "<Result>22</Result><ResultDate>2025-06-13</ResultDate></StageAssessment>"
)


def ctf_bytes(pupils: int, assessments: int) -> bytes:
    body = "".join(
        f"<Pupil><UPN>X938200125{i % 1000:03d}</UPN><Surname>Okafor</Surname><Forename>Amara</Forename>"
        "<DOB>2016-05-14</DOB><Sex>F</Sex><StageAssessments><KeyStage><Stage>KS2</Stage>"
        f"{ASSESSMENT * assessments}</KeyStage></StageAssessments></Pupil>"
        for i in range(pupils)
    )
    document = f"<CTfile>{HEADER}<CTFpupilData>{body}</CTFpupilData></CTfile>"
    return ('<?xml version="1.0" encoding="UTF-8"?>' + document).encode()


def best_of(repeat: int, work: object) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return min(times)


def billion_laughs() -> bytes:
    """Ten nested entities, each ten of the last: a billion "lol"s if a parser expanded them."""
    lol = "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' if i else '<!ENTITY lol0 "lol">' for i in range(10)
    )
    return f'<?xml version="1.0"?><!DOCTYPE CTfile [{lol}]><CTfile>&lol9;</CTfile>'.encode()


def refuse(data: bytes) -> None:
    try:
        parse_ctf(data)
    except CtfRejected:
        return
    raise AssertionError("parse_ctf accepted an entity expansion")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=2000)
    parser.add_argument("--assessments", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = ctf_bytes(args.pupils, args.assessments)
    parsed = parse_ctf(data)
    results = sum(len(p.assessments) for p in parsed.pupils)
    assert len(parsed.pupils) == args.pupils and results == args.pupils * args.assessments

    def baseline() -> None:
        for _ in safe_xml.fromstring(data).iter():
            pass

    base = best_of(args.repeat, baseline)
    tandem = best_of(args.repeat, lambda: parse_ctf(data))
    print(
        f"CTF of {len(data) / 1e6:.1f} MB: {args.pupils:,} pupils, {results:,} results; best of {args.repeat}"
    )
    print(f"  defusedxml parse and walk (baseline)  {base:6.2f} s")
    print(f"  tandem parse_ctf                      {tandem:6.2f} s   ({tandem / base:.1f}x the baseline)")
    # A refusal must not expand first: this was a unit test's "under 1 second" until busy machines.
    laughs = billion_laughs()
    refused = best_of(args.repeat, lambda: refuse(laughs))
    print(f"  refusing a billion-laughs file         {refused * 1000:6.2f} ms  (should be far under 1 s)")


if __name__ == "__main__":
    main()
