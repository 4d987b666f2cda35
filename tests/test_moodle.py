"""Moodle's side, proven on the real thing: its words per language, its number reading, and the downloads a real
Moodle 4.5 wrote (tests/moodle/: copies of ../shared/moodle, a made-up class; see its README). Moodle's PHP is
written out here by hand, independently of classlab.moodle, wherever a test needs Moodle's rule."""

import csv
import hashlib
import io
import json
import os
import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classlab.errors import ClasslabError
from classlab.moodle.downloads import read_grades, read_responses
from classlab.moodle.grading import FRACTIONS, fraction, shortanswer_matches, within
from classlab.moodle.tables import read_table
from classlab.moodle.numbers import COMMA, POINT, Separators, read_number, write_number
from classlab.moodle.words import LANGUAGES, PACKS, json_key, separators, strings

MOODLE = Path(__file__).parent / "moodle"
CLASS = MOODLE / "class-en"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "moodle"
RESPONSES = sorted(CLASS.glob("responses-*"))
GRADES = sorted(CLASS.glob("grades-*"))


# ----------------------------------------------------------------------------- Moodle's words


@pytest.mark.skipif(not SHARED.exists() and not os.environ.get("CLASSLAB_REQUIRE_REAL_DATA"),
                    reason="../shared/moodle is not on this machine")
def test_the_words_are_the_language_packs():
    """classlab's copy of the packs' words is ../shared/moodle/strings.json, unchanged."""
    theirs = json.loads((SHARED / "strings.json").read_text(encoding="utf-8"))["moodle"]
    assert strings() == theirs
    assert {p.lang for p in PACKS} == set(theirs["4.5"]) | set(theirs["4.1"]) and len(LANGUAGES) == 22


def test_the_separators_are_langconfigs():
    """Each language's separators, as its pack's langconfig.php sets them (a no-break space, and the text &nbsp;)."""
    assert separators("en") == POINT and separators("de") == COMMA
    assert separators("fr") == Separators(",", "\xa0") and separators("nl") == Separators(",", "&nbsp;")
    assert separators("ur") == Separators("\u06d4", ",")
    for lang in LANGUAGES:
        words = strings()["4.5"].get(lang) or strings()["4.1"][lang]
        assert separators(lang) == Separators(words["langconfig:decsep"], words["langconfig:thousandssep"])


def test_json_keys_are_the_headings_as_moodle_cleans_them():
    """dataformat_json: PARAM_ALPHANUMEXT (a-z, A-Z, 0-9, _ and - kept), lower-cased: the real files' keys."""
    assert json_key("E-Mail-Adresse") == "e-mail-adresse" and json_key("Grade/10.00") == "grade1000"
    assert json_key("Bewertung/10,00") == "bewertung1000" and json_key("Richtige Antwort 1") == "richtigeantwort1"
    assert json_key("Фамилия") == "" and json_key("Q. 1 /0.50") == "q1050"
    for csv_file in sorted(CLASS.glob("*.csv")):
        with open(csv_file, encoding="utf-8-sig", newline="") as f:
            headings = next(csv.reader(f))
        records = json.loads(csv_file.with_suffix(".json").read_text(encoding="utf-8"))[0]
        assert list(records[0]) == [json_key(h) for h in headings], csv_file.name


# ----------------------------------------------------------------------------- Moodle's number reading


def php_str_replace(searches, replaces, subject):
    """PHP's str_replace with arrays: each search string in turn over the whole subject; an empty one is skipped."""
    for search, replace in zip(searches, replaces):
        if search != "":
            subject = subject.replace(search, replace)
    return subject


def moodle_apply_units(response, decsep, thousandssep):
    """qtype_numerical_answer_processor::apply_units (Moodle 4.x, no units), written out from its PHP; the number
    scanned by hand here (PCRE's ^[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:e[-+]?\\d+)?, \\d being ASCII): (value, unit)."""
    s = response.strip(" \t\n\r\0\x0b")  # PARAM_RAW_TRIMMED, when Moodle stored the response
    s = s.replace(" ", "")
    s = re.sub(r"(?:e|E|(?:x|\*|×)10(?:\^|\*\*))([+-]?[0-9]+)", r"e\1", s)
    if "." in s or s.count(",") > 1:
        s = s.replace(",", "")
    else:
        s = php_str_replace([thousandssep, decsep, ","], ["", ".", "."], s)
    digits = "0123456789"
    i = 1 if s[:1] in "+-" else 0
    start = i
    while i < len(s) and s[i] in digits:
        i += 1
    before = i - start
    after = 0
    if i < len(s) and s[i] == "." and (before or s[i + 1:i + 2] in tuple(digits)):
        j = i + 1
        while j < len(s) and s[j] in digits:
            j += 1
        after = j - i - 1
        i = j
    if not before and not after:
        return None, s
    if i < len(s) and s[i] == "e":
        j = i + 1 + (s[i + 1:i + 2] in ("+", "-"))
        k = j
        while k < len(s) and s[k] in digits:
            k += 1
        if k > j:
            i = k
    return float(s[:i]), s[i:]


@pytest.mark.parametrize("lang,typed,value", [
    ("en", "0,27", 27.0), ("en", "803,786", 803786.0), ("en", "1,000", 1000.0), ("en", "0.27", 0.27),
    ("en", "222 346", 222346.0), ("en", "803.786", 803.786), ("en", ".544", 0.544), ("en", "0.544.", 0.544),
    ("en", "3.2e1", 32.0), ("en", "5x", 5.0), ("en", "27%", 27.0), ("en", "-", None), ("en", "abc", None),
    ("de", "0,27", 0.27), ("de", "803,786", 803.786), ("de", "0.27", 0.27), ("de", "1,234,567", 1234567.0),
    ("fr", "1\xa0000,5", 1000.5), ("nl", "1&nbsp;000,5", 1000.5), ("nl", "1\xa0000", 1.0), ("ur", "0\u06d45", 0.5),
    ("ur", "0,5", 5.0), ("en", "4.7x10^-1", 0.47), ("de", "4,7e-1", 0.47), ("en", " 0,27 ", 27.0),
])
def test_numbers_are_read_as_the_attempts_language_reads_them(lang, typed, value):
    """The cases the real class shows (README of tests/moodle), and every kind of separator the packs set."""
    assert read_number(typed, separators(lang)).value == value
    assert moodle_apply_units(typed, *(lambda s: (s.decimal, s.thousands))(separators(lang)))[0] == value


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789.,+- eEXx*^×%a\t\n\xa0&nbsp;\u06d4\u2003٣", max_size=16),
       st.sampled_from(LANGUAGES))
def test_reading_equals_moodles_rule_for_every_language(text, lang):
    sep = separators(lang)
    reading = read_number(text, sep)
    value, unit = moodle_apply_units(text, sep.decimal, sep.thousands)
    assert reading.value == value
    if value is not None:
        assert reading.unit == unit


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), st.integers(0, 6))
def test_a_number_with_a_decimal_point_and_no_grouping_reads_alike_everywhere(x, digits):
    """What check suggests ("type 0.27") is read the same on every language's attempt."""
    text = f"{x:.{digits}f}"
    assert {read_number(text, separators(lang)).value for lang in LANGUAGES} == {float(text)}
    if digits:
        assert read_number(text.replace(".", ","), COMMA).value == float(text)


def test_digits_typed_and_an_exponent():
    assert read_number("0.270").decimals == 3 and read_number("0,270", COMMA).decimals == 3
    assert read_number("0,270", POINT).decimals == 0 and read_number("27").decimals == 0
    assert read_number("2.7e-1").decimals is None and read_number("abc").decimals is None


def test_numbers_as_a_quiz_file_writes_them():
    assert [write_number(x) for x in (0.27, 13.5, 1e-7, 100, 0.1 + 0.2, -0.0)] == \
        ["0.27", "13.5", "0.0000001", "100", "0.3", "0"]


# ----------------------------------------------------------------------------- Moodle's grading rules


def test_tolerance_intervals_are_moodles():
    """qtype_numerical_answer::get_tolerance_interval, nominal: answer +- (tolerance + 1e-14 * max(1, |answer|))."""
    assert within(0.415, 0.31, 0.105) and within(0.205, 0.31, 0.105)  # the edges, inclusive (Hana's 0.415)
    assert not within(0.415 + 1e-9, 0.31, 0.105) and not within(0.205 - 1e-9, 0.31, 0.105)
    assert within(999.0, 999.0, 0.0) and not within(999.0 + 1e-9, 999.0, 0.0)
    assert within(803786.0 + 5e-9, 803786.0, 0.0)  # 1e-14 of the answer's size: Moodle's float slack


def test_short_answers_match_as_moodles_wildcards():
    pattern = "airplane*automobile*bird*cat*deer"
    for ok in ("airplane, automobile, bird, cat, deer", "Airplane; automobile; bird; cat; deer",
               "  airplane, automobile, bird, cat, deer  ", "airplane,automobile,bird,cat,deer"):
        assert shortanswer_matches(ok, pattern), ok
    for bad in ("airplane, automobile, bird, cat", "automobile, airplane, bird, cat, deer", "xairplane automobile "
                "bird cat deer", "airplane\nautomobile bird cat deer"):
        assert not shortanswer_matches(bad, pattern), bad
    assert shortanswer_matches("a*b and c", r"a\*b*c") and not shortanswer_matches("aXb and c", r"a\*b*c")
    assert shortanswer_matches("a and c", "a***c") and shortanswer_matches("Cafe\u0301", "café")  # NFC


def test_only_moodles_fractions_are_taken():
    assert fraction(0.01) == 0 and fraction(16.67) == 16.66667 and fraction(14.2857) == 14.28571
    assert 50 in FRACTIONS and 45 not in FRACTIONS
    with pytest.raises(ClasslabError, match="45 is not a grade Moodle imports"):
        fraction(45)


# ----------------------------------------------------------------------------- the real downloads


def _attempts(path):
    d = read_responses(path)
    return [(a.lastname, a.firstname, a.email, a.state, a.grade, a.responses, a.texts) for a in d.attempts]


@pytest.mark.parametrize("path", RESPONSES, ids=lambda p: p.name)
def test_every_real_responses_download_is_read(path):
    d = read_responses(path)
    assert d.pack.version == "4.5" and d.pack.lang == path.stem.split("-")[-1] and d.format == path.suffix[1:]
    assert d.slots == list(range(1, 13)) and len(d.attempts) == 10 and d.grade_max == 10.0
    by_name = {(a.firstname, a.row): a for a in d.attempts}
    states = [a.state for a in d.attempts]
    assert states.count("finished") == 9 and states.count("inprogress") == 1
    hana = next(a for a in d.attempts if a.firstname == "Hana")
    assert hana.responses[4] == "0.270" and not hana.as_numbers  # text cells keep their digits, in every format
    if d.format == "ods":
        assert hana.lost == {10} and d.notes and "'='" in d.notes[0]  # Moodle's ODS writer broke this cell
    else:
        assert hana.responses[10] == '=HYPERLINK("x")' and not hana.lost  # the text typed, never evaluated
    assert hana.responses[11] == "0.597" and hana.responses[12] == "3.2e1"  # the rest of her row is in place
    eve = [a for a in d.attempts if a.firstname == "Eve"]
    assert [a.grade for a in eve] == [2.5, None] and len(by_name) == 10
    finn = next(a for a in d.attempts if a.firstname == "Finn")
    assert finn.state == "inprogress" and set(finn.responses.values()) == {"-"}


@pytest.mark.parametrize("ui", ["en", "de"])
def test_the_formats_hold_the_same_attempts(ui):
    reference = _attempts(CLASS / f"responses-ui-{ui}.csv")
    for path in CLASS.glob(f"responses-ui-{ui}.*"):
        got = _attempts(path)
        if path.suffix == ".ods":  # Hana's 2.2 is lost in ODS, nothing else
            got = [(*a[:5], {**a[5], 10: r[5][10]}, a[6]) for a, r in zip(got, reference)]
        assert got == reference, path.name
    other = _attempts(CLASS / f"responses-ui-{'de' if ui == 'en' else 'en'}.csv")
    assert [a[5] for a in other] == [a[5] for a in reference]  # the interface changes the words, not the answers


def test_a_responses_download_edited_in_a_spreadsheet(tmp_path):
    """Without the Question and Grade columns, with a blank row, an "Overall average" row, and Finn's row cut short
    before his responses: the same responses, in the same rows."""
    rows = list(csv.reader(io.StringIO((CLASS / "responses-ui-en.csv").read_text(encoding="utf-8-sig"))))
    dropped = {i for i, h in enumerate(rows[0]) if h.startswith(("Question ", "Grade/"))}
    rows = [[c for i, c in enumerate(r) if i not in dropped] for r in rows]
    finn = next(r for r in rows if r[1] == "Finn")
    del finn[rows[0].index("Response 1"):]  # ends just before his first response
    ivan = next(r for r in rows if r[1] == "Ivan")
    ivan[rows[0].index("Response 2")] = f"  {ivan[rows[0].index('Response 2')]}\t"  # a cell padded by hand
    rows.insert(3, [""] * len(rows[0]))
    rows.append(["Overall average"] + [""] * (len(rows[0]) - 1))
    with open(tmp_path / "edited.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    full, edited = read_responses(CLASS / "responses-ui-en.csv"), read_responses(tmp_path / "edited.csv")
    assert (edited.skipped, edited.rows, edited.grade_max, full.skipped) == (1, 12, None, 0)
    assert [a.row for a in full.attempts] == list(range(2, 12))
    assert [a.row for a in edited.attempts] == [2, 3] + list(range(5, 13))  # row 4 is the blank one
    for a, b in zip(edited.attempts, full.attempts):
        assert (a.email, a.state, a.texts, a.grade) == (b.email, b.state, {}, None)
        padded = b.responses | ({2: f"  {b.responses[2]}\t"} if a.firstname == "Ivan" else {})  # exactly as written
        assert a.responses == (dict.fromkeys(b.responses, "") if a.firstname == "Finn" else padded)
    assert full.attempts[0].texts[1].startswith("How much larger")


@pytest.mark.parametrize("later_rows", ["without the name", "with the name again"])
def test_all_tries_one_row_per_try_the_last_counts(tmp_path, later_rows):
    """"Show all tries": a try's row without a state goes on in the row below; that row holds the attempt's state
    and its last try, with the student's name again or without any."""
    rows = list(csv.reader(io.StringIO((CLASS / "responses-ui-en.csv").read_text(encoding="utf-8-sig"))))
    state, response = rows[0].index("Status"), rows[0].index("Response 1")
    at = next(i for i, r in enumerate(rows) if r[1] == "Ivan")
    first_try = list(rows[at])
    first_try[state], first_try[response] = "", "0.1"
    if later_rows == "without the name":
        rows[at][:3] = ["", "", ""]
    rows.insert(at, first_try)
    with open(tmp_path / "tries.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    full, tries = read_responses(CLASS / "responses-ui-en.csv"), read_responses(tmp_path / "tries.csv")
    assert len(tries.attempts) == len(full.attempts)
    ivan, original = (next(a for a in d.attempts if a.firstname == "Ivan") for d in (tries, full))
    assert (ivan.email, ivan.state, ivan.responses, ivan.row) == (original.email, "finished", original.responses, at + 1)


def test_extra_identity_columns_are_passed_over(tmp_path):
    """A site may show more of the user's identity (ID number, department): columns classlab does not need."""
    rows = list(csv.reader(io.StringIO((CLASS / "responses-ui-en.csv").read_text(encoding="utf-8-sig"))))
    rows = [r[:3] + (["ID number", "Department"] if n == 0 else [f"s{n:03}", "Physics"]) + r[3:]
            for n, r in enumerate(rows)]
    with open(tmp_path / "wider.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    assert _attempts(tmp_path / "wider.csv") == _attempts(CLASS / "responses-ui-en.csv")


def test_a_row_that_names_no_student_is_one_line(tmp_path):
    rows = list(csv.reader(io.StringIO((CLASS / "responses-ui-en.csv").read_text(encoding="utf-8-sig"))))
    rows[3][:3] = ["", "", ""]  # a finished attempt with no name and no e-mail address
    with open(tmp_path / "nameless.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    with pytest.raises(ClasslabError) as err:
        read_responses(tmp_path / "nameless.csv")
    assert str(err.value) == f"{tmp_path / 'nameless.csv'}: row 4 names no student"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "cp1252", "cp1252;"])
def test_a_csv_download_saved_again_in_another_encoding(tmp_path, encoding):
    """As a spreadsheet saves a CSV ("Unicode text" is UTF-16 with its byte-order mark; in a German locale,
    Windows-1252 with semicolons)."""
    text = (CLASS / "responses-ui-en.csv").read_text(encoding="utf-8-sig")
    if encoding.endswith(";"):
        encoding, out = encoding[:-1], io.StringIO()
        csv.writer(out, delimiter=";").writerows(csv.reader(io.StringIO(text)))
        text = out.getvalue()
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(encoding, b"")
    (tmp_path / "saved.csv").write_bytes(bom + text.encode(encoding))
    assert _attempts(tmp_path / "saved.csv") == _attempts(CLASS / "responses-ui-en.csv")


@pytest.mark.parametrize("path", GRADES, ids=lambda p: p.name)
def test_every_real_grades_download_is_read(path):
    g = read_grades(path)
    assert g.pack.lang == path.stem.split("-")[-1] and g.grade_max == 10.0
    assert (g.path, g.format, g.digest) == (path, path.suffix[1:], hashlib.sha256(path.read_bytes()).hexdigest())
    assert [a.state for a in g.attempts].count("finished") == 9
    assert next(a for a in g.attempts if a.firstname == "Finn").state == "inprogress"
    assert g.maxima == {1: 0.5, 2: 0.5, 3: 1.0, 4: 1.0, 5: 1.0, 6: 1.0, 7: 0.5, 8: 0.5, 9: 0.5, 10: 1.0, 11: 1.0,
                        12: 1.5}
    assert len(g.attempts) == 10  # the overall average is no attempt
    bold = next(a for a in g.attempts if a.email.startswith("bold"))
    assert bold.grade == 7.25 and bold.marks[7] == 0.25 and bold.marks[10] is None and not bold.waiting
    ada = next(a for a in g.attempts if a.firstname == "Ada")
    assert ada.grade is None and ada.waiting == {10} and ada.marks[4] == 1.0


def test_the_real_download_with_moodle_4_1s_english_headings_is_read(tmp_path):
    """Moodle 4.1 names three of the English headings otherwise (State, Started on, Time taken): the real download
    with those headings reads as the 4.1 pack, with the same attempts as 4.5's."""
    with open(CLASS / "responses-ui-en.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][3:7] == ["Status", "Started", "Completed", "Duration"]
    rows[0][3:7] = ["State", "Started on", "Completed", "Time taken"]
    path = tmp_path / "responses-4.1.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)
    old, new = read_responses(path), read_responses(CLASS / "responses-ui-en.csv")
    assert (old.pack.version, old.pack.lang, new.pack.version) == ("4.1", "en", "4.5")
    assert [(a.identity, a.state, a.grade, a.responses) for a in old.attempts] == \
        [(a.identity, a.state, a.grade, a.responses) for a in new.attempts]


def test_moodle_4_1_and_every_language_is_recognized(tmp_path):
    """A download's headings in each pack's words (4.5 and 4.1), as Moodle's reports build them."""
    for pack in PACKS:
        sep = pack.separators
        head = list(pack.fixed().values()) + [pack.grade + f"10{sep.decimal}00"]
        for n in (1, 2):
            head += [pack.word(f"question:questionx").replace("{$a}", str(n)),
                     pack.word("quiz_responses:responsex").replace("{$a}", str(n))]
        row = ["Doe", "Jo", "jo@uni.example", pack.word("quiz:statefinished"), "", "", "", f"7{sep.decimal}50",
               "Q one", "0,5", "Q two", "5"]
        path = tmp_path / f"{pack.version}-{pack.lang}.csv"
        with open(path, "w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([head, row])
        d = read_responses(path)
        assert (d.pack.lang, d.attempts[0].state, d.attempts[0].grade, d.attempts[0].responses) == \
            (pack.lang, "finished", 7.5, {1: "0,5", 2: "5"}), str(pack)
        twin = next((p for p in PACKS if p.lang == pack.lang and p.version != pack.version), pack)
        if set(twin.fixed().values()) != set(pack.fixed().values()):  # the version whose words fit best wins
            assert d.pack.version == pack.version, str(pack)
        keyed = tmp_path / f"{pack.version}-{pack.lang}.json"
        keyed.write_text(json.dumps([[dict(zip(map(json_key, head), row))]], ensure_ascii=False))
        if pack.json_readable():
            assert read_responses(keyed).attempts[0].responses == {1: "0,5", 2: "5"}, str(pack)
        else:
            with pytest.raises(ClasslabError, match=r"non-Latin script \(ar, el, ja, ko, ru, uk, ur, zh_cn\).*download "
                                                    "the CSV"):
                read_responses(keyed)


@pytest.mark.parametrize("n,shown", [(8, "'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7', 'h8')"),
                                     (9, "'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7', 'h8', ...)")])
def test_unknown_headings_are_named_eight_at_most(tmp_path, n, shown):
    (tmp_path / "d.csv").write_text(",".join(f"h{i}" for i in range(1, n + 1)) + "\n" + "x," * (n - 1) + "x\n")
    with pytest.raises(ClasslabError) as err:
        read_responses(tmp_path / "d.csv")
    assert f"(headings found: {shown}; download it again" in str(err.value)


@pytest.mark.parametrize("content,message", [
    (b'"Nom klingon","Response 1"\nx,1\n', "not a Moodle Responses download in any language classlab knows "
                                           "(headings found: 'Nom klingon', 'Response 1'); download it again with "
                                           "Moodle's interface in English"),
    (b'"Nom klingon",""\nx,1\n', "not a Moodle Responses download in any language classlab knows"),  # a CSV
    (b'[{"nomklingon": "x", "response1": "1"}]', "not a Moodle Responses download in any language classlab knows"),
    (b"[{}]", "not a Moodle Responses download (no headings)"),
    (b"x", "not a Moodle Responses download in any language classlab knows (headings found: 'x')"),
    (b"", "is empty"),
    (b"\n  \n\r\n", "is empty"),
    (b"\xff\xfe\x00\xd8A\x00", "not readable text (neither UTF-8, UTF-16 nor Windows-1252); download it from "
                                "Moodle again as CSV, Excel, ODS or JSON"),
    (b"L\x00a\x00s\x00t\x00", "not readable text"),  # UTF-16 without its byte-order mark
    (b"a," + b"x" * 140_000 + b"\n", "not a readable CSV file (field larger than field limit"),
    (b"PK\x03\x04 not really a zip", "not a readable Excel or ODS file (BadZipFile)"),
    (b"[1, 2, 3]", "not a Moodle download"),
    (b'{"a": ', "not valid JSON"),
])
def test_bad_downloads_are_one_line(tmp_path, content, message):
    path = tmp_path / "download.csv"
    path.write_bytes(content)
    with pytest.raises(ClasslabError) as err:
        read_responses(path)
    assert message in str(err.value) and str(path) in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("size,refused", [((50 << 20) + 1, True), (50 << 20, False)])
def test_a_file_over_50_mb_is_refused_unread(tmp_path, size, refused):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as f:
        f.truncate(size)  # sparse: no disk used; unread when refused
    with pytest.raises(ClasslabError) as err:
        read_responses(path)
    big = f"{path}: is 50 MB, larger than any class's download (50 MB at most); not read"
    assert (str(err.value) == big) == refused


def test_a_folder_or_a_missing_file_is_one_line(tmp_path):
    for path, message in ((tmp_path, "is a folder, not a Moodle download"), (tmp_path / "gone.csv", "no such file")):
        with pytest.raises(ClasslabError) as err:
            read_responses(path)
        assert str(err.value) == f"{path}: {message}"


def test_a_grades_download_alone_is_refused_with_what_to_do(tmp_path):
    with pytest.raises(ClasslabError) as err:
        read_responses(CLASS / "grades-ui-en.csv")
    assert str(err.value) == (f"{CLASS / 'grades-ui-en.csv'}: this is Moodle's Grades download (Results > Grades); "
                              "give the Responses download (Results > Responses) first, and this one beside it")
    with pytest.raises(ClasslabError) as err:
        read_grades(CLASS / "responses-ui-en.csv")
    assert str(err.value) == (f"{CLASS / 'responses-ui-en.csv'}: this is a Responses download, not Moodle's Grades "
                              "download (Results > Grades)")


@pytest.mark.parametrize("edit", ["columns dropped", "row cut before the grade"])
def test_a_grades_download_edited_in_a_spreadsheet(tmp_path, edit):
    """A re-save may drop columns (the Grade, the e-mail address), leave a blank row, or cut a row short: the
    marks stay, and what is gone is empty."""
    rows = list(csv.reader(io.StringIO((CLASS / "grades-ui-en.csv").read_text(encoding="utf-8-sig"))))
    at = next(i for i, h in enumerate(rows[0]) if h.startswith("Grade/"))
    if edit == "columns dropped":
        rows = [[c for i, c in enumerate(r) if i not in (2, at)] for r in rows]
    finn = next(r for r in rows if r[1] == "Finn")
    del finn[2 if edit == "columns dropped" else at:]
    rows.insert(3, [""] * len(rows[0]))
    with open(tmp_path / "grades.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    full, edited = read_grades(CLASS / "grades-ui-en.csv"), read_grades(tmp_path / "grades.csv")
    assert edited.maxima == full.maxima and len(edited.attempts) == len(full.attempts)
    kept = [(a.firstname, a.marks, a.waiting, a.state) for a in edited.attempts if a.firstname != "Finn"]
    assert kept == [(a.firstname, a.marks, a.waiting, a.state) for a in full.attempts if a.firstname != "Finn"]
    cut = next(a for a in edited.attempts if a.firstname == "Finn")
    assert (cut.grade, set(cut.marks.values()), cut.waiting) == (None, {None}, set())
    assert cut.state == ("" if edit == "columns dropped" else "inprogress")
    if edit == "columns dropped":
        assert edited.grade_max is None and {a.grade for a in edited.attempts} == {None}
        assert {a.email for a in edited.attempts} == {""}
    else:
        assert edited.grade_max == 10.0 and [a.grade for a in edited.attempts] == [a.grade for a in full.attempts]


def test_grades_with_other_decimals_for_the_marks_than_for_the_grade(tmp_path):
    """A quiz may show marks with 1 decimal and the grade with 2: the JSON keys' digits split by each one's own."""
    doc = json.loads((CLASS / "grades-ui-en.json").read_text())
    one = re.compile(r"^([0-9]+)\.([0-9])0$")
    doc[0] = [{(re.sub(r"^(q[0-9]+?)([0-9]+)0$", r"\1\2", k) if re.fullmatch(r"q[0-9]+", k) else k):
               (one.sub(r"\1.\2", v) if re.fullmatch(r"q[0-9]+", k) else v) for k, v in r.items()} for r in doc[0]]
    assert "q105" in doc[0][0] and doc[0][0]["q105"] == "0.5" and doc[0][1]["grade1000"] == "7.25"
    (tmp_path / "grades.json").write_text(json.dumps(doc))
    g = read_grades(tmp_path / "grades.json")
    assert g.maxima == read_grades(CLASS / "grades-ui-en.csv").maxima and g.grade_max == 10.0


@pytest.mark.parametrize("renamed", ["q9950", "q1"])  # digits not led by the column's position; no maximum
def test_a_json_mark_key_that_is_no_mark_heading_is_skipped(tmp_path, renamed):
    doc = json.loads((CLASS / "grades-ui-en.json").read_text())
    doc[0] = [{(renamed if k == "q1050" else k): v for k, v in r.items()} for r in doc[0]]
    (tmp_path / "grades.json").write_text(json.dumps(doc))
    g = read_grades(tmp_path / "grades.json")
    assert 1 not in g.maxima and g.maxima[2] == 0.5 and g.maxima[12] == 1.5
    assert all(1 not in a.marks and a.marks.keys() == g.maxima.keys() for a in g.attempts)


@pytest.mark.parametrize("content,message", [
    ("[]", "not a Moodle download (expected a list of rows)"),
    ('{"lastname": "Doe"}', "not a Moodle download (expected a list of rows)"),
    ('[{"a": 1}, [1]]', "not a Moodle download (rows must all be objects or all be lists)"),
])
def test_json_that_is_no_download_is_one_line(tmp_path, content, message):
    (tmp_path / "d.json").write_text(content)
    with pytest.raises(ClasslabError) as err:
        read_table(tmp_path / "d.json")
    assert str(err.value) == f"{tmp_path / 'd.json'}: {message}"


def test_a_json_download_of_lists_reads_as_its_csv(tmp_path):
    rows = list(csv.reader(io.StringIO((CLASS / "responses-ui-en.csv").read_text(encoding="utf-8-sig"))))
    (tmp_path / "rows.json").write_text(json.dumps(rows))
    assert _attempts(tmp_path / "rows.json") == _attempts(CLASS / "responses-ui-en.csv")
    t = read_table(tmp_path / "rows.json")
    assert (t.path, t.format, t.keyed, t.header) == (tmp_path / "rows.json", "json", False, rows[0])


def test_json_cells_null_and_nested(tmp_path):
    (tmp_path / "d.json").write_text('[[{"a": null, "b": [1, 2], "c": {"x": "y"}, "d": 0.5, "e": true, "f": 27}]]')
    t = read_table(tmp_path / "d.json")
    assert t.keyed and t.header == ["a", "b", "c", "d", "e", "f"]
    assert [(c.text, c.kind) for c in t.rows[0]] == [("", "text"), ("[1, 2]", "text"), ('{"x": "y"}', "text"),
                                                     ("0.5", "number"), ("true", "text"), ("27", "number")]


@pytest.mark.parametrize("grades,grade_max", [("whole", 10.0), ("none", None)])
def test_a_json_grades_maximum_from_the_grades_written(tmp_path, grades, grade_max):
    """A quiz that shows grades without decimals ("Grade/10", key ``grade10``), or a download where no attempt has a
    grade yet: the maximum's digits are split by the decimals the grades show, or left unknown."""
    doc = json.loads((CLASS / "responses-ui-en.json").read_text())
    def grade(v):
        return (str(round(float(v))) if re.fullmatch(r"[0-9.]+", v) else v) if grades == "whole" else "Not yet graded"
    doc[0] = [{("grade10" if k == "grade1000" else k): (grade(v) if k == "grade1000" else v) for k, v in r.items()}
              for r in doc[0]]
    (tmp_path / "responses.json").write_text(json.dumps(doc))
    d = read_responses(tmp_path / "responses.json")
    assert d.grade_max == grade_max
    assert [a.grade for a in d.attempts] == [None if a.grade is None or grades == "none" else float(round(a.grade))
                                             for a in read_responses(CLASS / "responses-ui-en.json").attempts]


@pytest.mark.parametrize("download,read", [("grades-ui-en.csv", read_grades), ("responses-ui-en.csv", read_responses)])
def test_a_download_with_no_attempt_is_one_line(tmp_path, download, read):
    head = (CLASS / download).read_text(encoding="utf-8-sig").splitlines()[0]
    (tmp_path / "empty.csv").write_text(head + "\n", encoding="utf-8")
    with pytest.raises(ClasslabError) as err:
        read(tmp_path / "empty.csv")
    assert str(err.value) == f"{tmp_path / 'empty.csv'}: holds no attempt (only the heading row)"


def test_a_spreadsheets_numbers_lose_their_digits(tmp_path):
    """Moodle writes text cells; a spreadsheet that re-saves the file may store numbers: those lose the digits."""
    from openpyxl import load_workbook

    book = load_workbook(CLASS / "responses-ui-en.xlsx")
    sheet = book.active
    hana = next(r for r in sheet.iter_rows(min_row=2) if r[1].value == "Hana")
    hana[18].value = 0.27  # Response 4, as a number now
    hana[21].value = None  # Response 5, emptied
    book.save(tmp_path / "resaved.xlsx")
    d = read_responses(tmp_path / "resaved.xlsx")
    a = next(a for a in d.attempts if a.firstname == "Hana")
    assert a.responses[4] == "0.27" and a.as_numbers == {4} and not d.typed and a.responses[5] == ""
    cells = [c for row in read_table(CLASS / "responses-ui-en.xlsx").rows for c in row]
    assert [(c.text, c.kind) for c in cells if c.kind != "text"] == [('=HYPERLINK("x")', "formula")]
    assert a.responses[10] == '=HYPERLINK("x")'  # openpyxl keeps the formula's text, even after a re-save


def test_a_broken_ods_cell_is_repaired_not_shifted(tmp_path):
    """A lenient reader of Moodle's ODS shifts Hana's row by one column; classlab closes the broken cell first."""
    with zipfile.ZipFile(CLASS / "responses-ui-en.ods") as z:
        content = z.read("content.xml").decode()
    assert content.count('<table:table-cell table:style-name="ce1"<table:table-cell') == 1
    d = read_responses(CLASS / "responses-ui-en.ods")
    hana = next(a for a in d.attempts if a.firstname == "Hana")
    assert (hana.responses[10], hana.lost, hana.responses[11]) == ("", {10}, "0.597")


def _ods_with_content(path, content):
    with zipfile.ZipFile(CLASS / "responses-ui-en.ods") as z, zipfile.ZipFile(path, "w") as w:
        for info in z.infolist():
            w.writestr(info, content if info.filename == "content.xml" else z.read(info))


def test_an_ods_download_without_a_broken_cell_is_read_as_it_is(tmp_path):
    """Hana's cell, left empty instead of broken: an empty response (not a lost one), and no note."""
    with zipfile.ZipFile(CLASS / "responses-ui-en.ods") as z:
        content = z.read("content.xml").decode()
    _ods_with_content(tmp_path / "fixed.ods", content.replace(
        '<table:table-cell table:style-name="ce1"<table:table-cell', '<table:table-cell/><table:table-cell'))
    d = read_responses(tmp_path / "fixed.ods")
    hana = next(a for a in d.attempts if a.firstname == "Hana")
    assert (hana.responses[10], hana.lost, hana.responses[11], d.notes) == ("", set(), "0.597", [])
    broken = read_responses(CLASS / "responses-ui-en.ods")
    assert broken.notes == ["1 cell(s) of this ODS download lost their text: Moodle's ODS writer breaks a response "
                            "that starts with '=' (the CSV and Excel downloads keep it)"]


@pytest.mark.parametrize("content,error", [(b"<office:document-content><table:table", "CalamineError"),
                                           (b"\xff<table:table-cell", "UnicodeDecodeError")])
def test_a_damaged_ods_download_is_one_line(tmp_path, content, error):
    _ods_with_content(tmp_path / "damaged.ods", content)
    with pytest.raises(ClasslabError) as err:
        read_responses(tmp_path / "damaged.ods")
    assert str(err.value) == f"{tmp_path / 'damaged.ods'}: not a readable ODS file ({error})"


@pytest.mark.parametrize("member,damage,error", [
    ("xl/workbook.xml", lambda c: b"<not xml", "ParseError"),
    ("xl/worksheets/sheet1.xml", lambda c: c[:len(c) // 2], "ParseError"),  # a download cut short
])
def test_a_damaged_excel_download_is_one_line(tmp_path, member, damage, error):
    with zipfile.ZipFile(CLASS / "responses-ui-en.xlsx") as z:
        items = [(info, z.read(info)) for info in z.infolist()]
    with zipfile.ZipFile(tmp_path / "damaged.xlsx", "w") as w:
        for info, content in items:
            w.writestr(info, damage(content) if info.filename == member else content)
    with pytest.raises(ClasslabError) as err:
        read_responses(tmp_path / "damaged.xlsx")
    assert str(err.value) == f"{tmp_path / 'damaged.xlsx'}: not a readable Excel file ({error})"


@pytest.mark.parametrize("claimed,refused", [(600 << 20, "unpacks to 600 MB"), (500 << 20, "not a readable Excel")])
def test_an_excel_bomb_is_refused_unread(tmp_path, claimed, refused):
    """Refused from what the zip's directory claims, over 500 MB unpacked; at 500 MB it is read (and found broken)."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", b"\0" * 1024)
        z.filelist[0].file_size = claimed  # what the central directory will claim once unpacked
    (tmp_path / "bomb.xlsx").write_bytes(data.getvalue())
    with pytest.raises(ClasslabError, match=f"bomb.xlsx: {refused}"):
        read_responses(tmp_path / "bomb.xlsx")


# ----------------------------------------------------------------------------- each attempt's reading (moodle.readings)


def test_language_codes_as_users_type_them():
    from classlab.moodle.readings import language

    assert language(None) == (None, None)  # none given: every reading, or the marks decide
    assert language("en") == ("en", None) and language("EN") == ("en", None) and language(" de ") == ("de", None)
    assert language("zh_CN") == ("zh_cn", None) and language("zh-cn") == ("zh_cn", None)
    for child, parent in (("en_us", "en"), ("pt_br", "pt"), ("de_du", "de"), ("fr_ca", "fr"), ("ES_MX", "es"),
                          ("en_us_k12", "en"), ("es_mx_kids", "es")):  # grandchildren read as the first part
        lang, note = language(child, "--lang")
        assert lang == parent and note.startswith(f"--lang {child}: read with the separators of ") and \
            f"({parent}), the parent of Moodle's {child.lower()} pack" in note
    for bad in ("xx", "zh_tw", "en us", "_en", "e"):
        with pytest.raises(ClasslabError, match=r"--lang: .* is none of Moodle's languages classlab knows; choose one "
                                                r"of ar, ca, .*a child pack such as en_us or pt_br reads as its parent"):
            language(bad)


def test_the_ways_are_the_distinct_separators_english_first():
    from classlab.moodle.readings import WAYS, langs, way

    assert WAYS[0] == POINT and WAYS[1] == COMMA and len(WAYS) == len(set(WAYS)) == 5
    assert langs(POINT)[0] == "en" and langs(COMMA)[0] == "de" and set().union(*map(set, map(langs, WAYS))) == \
        set(LANGUAGES)
    assert way(POINT) == "the English way (decimal point, comma for thousands)"
    assert way(COMMA) == "the German way (decimal comma, point for thousands)"
    assert way(separators("fr")) == "the French way (decimal separator ',', thousands separator no-break space)"


def test_an_attempts_reading_from_its_marks_else_the_classs():
    from classlab.moodle.readings import WAYS, Choice, choose, class_reading, decided

    en, de, fr, nl, ur = WAYS
    assert decided((en, ur)) and decided((de,)) and not decided(()) and not decided(None) and not decided(WAYS)
    # the class's way: --lang, else what every decided attempt allows (English first), else the headings'
    assert class_reading([(en, ur), (en,), None, WAYS], flag="de") == (de, "flag")
    assert class_reading([(en, ur), (en, ur, de), None, WAYS, ()], headings="de") == (en, "moodle-marks")
    assert class_reading([(ur, en)], headings="de") == (en, "moodle-marks")
    assert class_reading([(en,), (de,)], headings="fr") == (fr, "headings")  # they share none
    assert class_reading([None, WAYS, ()], headings="nl") == (nl, "headings")  # nothing decided
    # each attempt: its own marks where they tell, else the class's way, and --lang reads all
    assert choose((de, fr), False, (en, "moodle-marks")) == Choice(de, "moodle-marks", (de, fr))
    assert choose((en, de), False, (de, "headings")) == Choice(de, "moodle-marks", (en, de))
    assert choose(None, False, (en, "moodle-marks")) == Choice(en, "class", None)
    assert choose(WAYS, False, (de, "headings")) == Choice(de, "headings", WAYS)
    assert choose((), False, (en, "moodle-marks")) == Choice(en, "class", ())
    assert choose((de,), True, (en, "moodle-marks")) == Choice(en, "class", (de,))  # alike: nothing to choose
    assert choose((de,), False, (en, "flag"), flag=True) == Choice(en, "flag", (de,))
    assert Choice(de, "flag").lang == "de" and Choice(ur, "class").lang == "ur"
