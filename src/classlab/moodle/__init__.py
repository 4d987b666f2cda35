"""Moodle's side of classlab, in one place: what Moodle does, taken from its source and proven on the files a real
Moodle 4.5 wrote (tests/moodle). It knows nothing of classlab's questions.

* ``words``: Moodle's own words per language and version (``strings.json``, from its language packs): the headings,
  states and grade words of a quiz's downloads, and each language's separators.
* ``numbers``: how Moodle reads a typed number (with the separators of the attempt's language) and writes one.
* ``grading``: how Moodle grades numerical and short-answer questions, and the grades its import accepts.
* ``tables``, ``downloads``: a quiz's Responses and Grades downloads (CSV, Excel, ODS, JSON), read.
* ``quiz``: Moodle XML and GIFT, the question-bank import files.

The next Moodle version or language is a change here.
"""
