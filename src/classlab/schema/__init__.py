"""The JSON Schema of answers.json. Its list of question ids comes from the question registry, and the
settings' names and types from their declarations (``classlab.settings``); ``python -m classlab.schema``
writes ``answers.schema.json`` beside this file again (a test keeps the file in step with both)."""

import json
from importlib import resources
from pathlib import Path

FILE = "answers.schema.json"


def load():
    """The schema as shipped."""
    return json.loads(resources.files(__name__).joinpath(FILE).read_text())


def build():
    """The schema with the registry's question ids and the declared settings."""
    from .._questions import ALL
    from ..settings import SETTINGS

    schema = load()
    schema["properties"]["answers"]["propertyNames"] = {"enum": list(ALL)}
    config = schema["properties"]["config"]["properties"]
    config["settings"] = {"type": "object", "required": list(SETTINGS), "additionalProperties": False,
                          "properties": {name: _setting_schema(s) for name, s in SETTINGS.items()}}
    config["config_file"] = {"type": "object", "required": ["path", "content"],
                             "properties": {"path": {"type": "string"}, "content": {"type": "string"}}}
    return schema


def _setting_schema(s):
    one = {"type": {int: "integer", float: "number", bool: "boolean", str: "string"}[s.type]}
    if s.choices:
        one["enum"] = list(s.choices)
    if s.is_list:
        one = {"type": "array", "items": one, "minItems": 1}
    return {"anyOf": [one, {"type": "null"}]} if s.optional else one


def write(folder=Path(__file__).parent):
    path = Path(folder) / FILE
    path.write_text(json.dumps(build(), indent=2) + "\n")
    return path
