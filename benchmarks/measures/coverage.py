"""The problem set's own answers (its code and random streams, from the nets, SVC and part 2 measures) against the
accepted ranges of a ``classlab run --seeds 5`` on the same data."""

from classlab import DEFAULT

from .common import log, run_cli


def _is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


def measure(b, res):
    seeds = 2 if b.smoke else 5
    _, doc = run_cli(b.cli_args + ["--seeds", str(seeds)])
    answers = doc["answers"]
    own = []
    for which, id in (("dense", "1.4"), ("cnn", "1.6")):
        own += [(id, v) for v in res["nets"][which]["accuracy"]["seed"]["values"]]
    own += [("1.7", res["svc"]["seed_code_faithful"]["accuracy"]), ("1.8", res["svc"]["seed_code_faithful"]["n_support"])]
    p2 = res["part2"]["seed_code_answers"]
    own += [("2.1", p2["logreg"]), ("2.3", p2["h1-w2"])]
    own.append(("2.4", min((w for w in DEFAULT.widths if p2[f"h1-w{w}"] >= DEFAULT.target_accuracy), default="none")))
    rows = []
    for id, value in own:
        a = answers[id]
        digits = a["digits"]
        shown = f"{value:.{digits}f}" if digits is not None and isinstance(value, float) else str(value)
        spread = (a.get("spread") or {}).get("faithful")
        if spread is None:  # deterministic (2.1): the key accepts its rounded value
            inside, accepted = shown == a["display"], a["display"]
        elif "values" in spread or not isinstance(spread["low"], (int, float)) or not _is_number(shown):
            inside, accepted = shown in spread.get("values", [spread["accepted"]]), spread["accepted"]
        else:
            inside, accepted = spread["low"] <= float(shown) <= spread["high"], spread["accepted"]
        rows.append({"question": id, "seed_code": shown, "accepted": accepted, "inside": inside})
    out = {"classlab_seeds": seeds, "rows": rows, "inside": sum(r["inside"] for r in rows), "total": len(rows)}
    log(f"coverage: {out['inside']}/{out['total']} inside")
    return out
