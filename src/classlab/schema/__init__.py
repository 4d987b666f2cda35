"""The JSON Schema of answers.json. Its list of question ids comes from the question registry;
``python -m classlab.schema`` writes ``answers.schema.json`` beside this file again (a test keeps
the file in step with the registry)."""

import json
from importlib import resources
from pathlib import Path

FILE = "answers.schema.json"


def load():
    """The schema as shipped."""
    return json.loads(resources.files(__name__).joinpath(FILE).read_text())


def build():
    """The schema with the registry's question ids."""
    from .._questions import ALL

    schema = load()
    schema["properties"]["answers"]["propertyNames"] = {"enum": list(ALL)}
    return schema


def write(folder=Path(__file__).parent):
    path = Path(folder) / FILE
    path.write_text(json.dumps(build(), indent=2) + "\n")
    return path
