"""Subtitles: timing variants accepted when unambiguous, refused with the line otherwise; no speech lost."""
from __future__ import annotations

import csv
import re

import pytest

from exporterre_nlp.errors import IngestError
from exporterre_nlp.ingest import check_coverage, read_file
from exporterre_nlp.ingest.subtitles import parse_cues
from exporterre_nlp.records import SegmentDraft

pytestmark = pytest.mark.usefixtures("french")


def words(doc):
    return [(s.speaker, doc.text[s.start:s.end]) for s in doc.segments]


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_ingest_subtitles_vtt_comma_milliseconds_is_kept(tmp_path):
    path = write(tmp_path, "a.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nE : Bonjour.\n\n"
                                    "00:00:02,500 --> 00:00:04,000\nFatima : Je parle aussi.\n")
    doc = read_file(path)
    assert words(doc) == [("E", "Bonjour."), ("Fatima", "Je parle aussi.")]
    assert doc.segments[1].timestamp == "00:00:02.500 --> 00:00:04.000"


def test_ingest_subtitles_srt_dot_milliseconds_and_missing_hours(tmp_path):
    path = write(tmp_path, "a.srt", "1\n00:00:01.000 --> 00:00:02.000\nun\n\n2\n00:03.5 --> 01:04.250\ndeux\n")
    doc = read_file(path)
    assert words(doc) == [(None, "un"), (None, "deux")]
    assert doc.segments[1].timestamp == "00:00:03.500 --> 00:01:04.250"


def test_ingest_subtitles_srt_short_arrow_is_its_own_turn(tmp_path):
    # the cue with "->" used to be glued to the interviewer's turn, which analysis excludes
    text = ("1\n00:00:01,000 --> 00:00:03,000\nE : Vous habitez ici ?\n\n"
            "2\n00:00:03,000 -> 00:00:06,000\nFatima : Depuis vingt ans.\n\n"
            "3\n00:00:06,000 --> 00:00:07,000\nE : Merci.\n")
    doc = read_file(write(tmp_path, "a.srt", text))
    assert words(doc) == [("E", "Vous habitez ici ?"), ("Fatima", "Depuis vingt ans."), ("E", "Merci.")]


def test_ingest_subtitles_cue_without_blank_line_starts_a_new_cue(tmp_path):
    text = ("1\n00:00:01,000 --> 00:00:03,000\nE : Vous habitez ici ?\n"
            "2\n00:00:03,000 --> 00:00:06,000\nFatima : Oui.\n")
    doc = read_file(write(tmp_path, "a.srt", text))
    assert words(doc) == [("E", "Vous habitez ici ?"), ("Fatima", "Oui.")]


@pytest.mark.parametrize("timing, line", [
    ("00:02 --> 00:04", 4),               # minutes:seconds or hours:minutes?
    ("00:00:02:12 --> 00:00:04:00", 4),   # frames?
    ("00:00:75,000 --> 00:00:80,000", 4), # seconds >= 60
    ("00:00:05,000 --> 00:00:04,000", 4), # end before start
    ("00:00:02,000 --> demain", 4),
])
def test_ingest_subtitles_ambiguous_timing_is_refused_with_line(tmp_path, timing, line):
    text = f"1\n00:00:00,000 --> 00:00:01,000\nun\n{timing}\ndeux\n"
    with pytest.raises(IngestError, match=f"ligne {line}"):
        read_file(write(tmp_path, "a.srt", text))


def test_ingest_subtitles_text_outside_any_cue_is_refused_with_line(tmp_path):
    text = "1\n00:00:00,000 --> 00:00:01,000\nun\n\nle reste de la phrase\n\n2\n00:00:02,000 --> 00:00:03,000\ndeux\n"
    with pytest.raises(IngestError, match="ligne 5"):
        read_file(write(tmp_path, "a.srt", text))


def test_ingest_subtitles_vtt_notes_identifiers_and_several_voices(tmp_path):
    text = ("WEBVTT - entretien\nKind: captions\n\nNOTE relu par C.\nsur deux lignes\n\n"
            "STYLE\n::cue { color: red }\n\nc1\n00:00:01.000 --> 00:00:04.000 align:start\n"
            "<v E>Et vous ?</v>\n<v Fatima>Moi &lt;3 le <i>marché</i>.\n")
    doc = read_file(write(tmp_path, "a.vtt", text))
    assert words(doc) == [("E", "Et vous ?"), ("Fatima", "Moi <3 le marché.")]


def test_ingest_subtitles_parse_keeps_every_payload_line(tmp_path):
    cues = parse_cues("1\n00:00:01,000 --> 00:00:02,000\na\nb\n\n2\n00:00:03,000 --> 00:00:04,000\nc\n", "srt", "x")
    assert [[t for _, t in c.payload] for c in cues] == [["a", "b"], ["c"]]


def test_ingest_coverage_fails_loudly_when_a_segment_misses_words():
    text = "E : Bonjour.\nFatima : Je parle.\nune ligne oubliée"
    segments = [SegmentDraft(4, 12, "E"), SegmentDraft(22, 31, "Fatima")]
    check_coverage(text[:31], segments, "x.txt")            # labels outside segments are fine
    with pytest.raises(IngestError, match="ligne 3"):
        check_coverage(text, segments, "x.txt")


def test_ingest_subtitles_real_speech_is_fully_covered(tmp_path, shared_corpora):
    """Rhapsodie sentences laid out as .srt, .vtt and .txt: every word comes back in a segment."""
    rows = list(csv.DictReader((shared_corpora / "ud-rhapsodie" / "sentences.tsv").open(encoding="utf-8"),
                               delimiter="\t"))[:400]
    srt, vtt, txt = [], ["WEBVTT", ""], []
    for i, row in enumerate(rows):
        a, b = f"00:{i // 60:02d}:{i % 60:02d}", f"00:{i // 60:02d}:{i % 60:02d}"
        label = re.sub(r"\W", "", row["speaker"]) or "L"   # "$L2" in the corpus
        srt += [str(i + 1), f"{a},000 {'->' if i % 7 == 0 else '-->'} {b},900", f"{label} : {row['text']}", ""]
        vtt += [f"{a}{',' if i % 5 == 0 else '.'}000 --> {b}.900", f"<v {label}>{row['text']}", ""]
        txt.append(f"{label} : {row['text']}")
    for name, lines in (("r.srt", srt), ("r.vtt", vtt), ("r.txt", txt)):
        doc = read_file(write(tmp_path, name, "\n".join(lines)))
        got = " ".join(doc.text[s.start:s.end] for s in doc.segments).split()
        assert got == " ".join(r["text"] for r in rows).split(), name
